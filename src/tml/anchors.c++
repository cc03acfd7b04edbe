// make_anchor(): Foswiki's anchor-name rules, written from its documented
// behaviour (Foswiki::Render::Anchors::make) and the TOC test vectors.
#include "tml/anchors.h"

#include <algorithm>
#include <vector>

#include "tml/render.h"
#include "tml/text.h"
#include "util/chars.h"

namespace cwiki {
namespace {

using tml::decode_at;
using tml::is_space;

// Removes every "!!..." run and every "%NOTOC%" (the markers that keep a
// heading out of the table of contents).
std::string strip_notoc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t run = 0;
  for (size_t i = find_any(s, "!%"); i < s.size(); i = find_any(s, "!%", i)) {
    size_t e = i;
    if (s[i] == '!' && i + 1 < s.size() && s[i + 1] == '!') {
      while (e < s.size() && s[e] == '!') ++e;
    } else if (s.compare(i, 7, "%NOTOC%") == 0) {
      e = i + 7;
    } else {
      ++i;
      continue;
    }
    out.append(s, run, i - run);
    i = run = e;
  }
  out.append(s, run);
  return out;
}

std::string_view trim_space(std::string_view s) {
  size_t b = 0, e = s.size(), len;
  while (b < e) {
    char32_t c = decode_at(s, b, &len);
    if (!is_space(c)) break;
    b += len;
  }
  while (e > b) {
    size_t p = tml::prev_index(s, e);
    if (!is_space(decode_at(s, p, &len))) break;
    e = p;
  }
  return s.substr(b, e - b);
}

// "[[a][b]]" -> "b", "[[a]]" -> "a" (spaces may come between the last two
// brackets).  Each match is the leftmost one, with the shortest parts, as a
// regular expression finds it; tables of "next such position" keep this
// linear however the brackets are arranged.
std::string unbracket_links(const std::string& s) {
  const size_t n = s.size();
  constexpr size_t kNone = std::string::npos;
  // close_at[p]: first m >= p with s[m] == ']' followed by spaces and ']'
  // (its end in close_end[m]); pair_at[p]: first k >= p with "][" at k;
  // nl_at[p]: first newline at or after p.
  std::vector<size_t> close_at(n + 2, kNone), close_end(n + 1, 0), pair_at(n + 2, kNone),
      nl_at(n + 2, n);
  size_t next_non_space = n;  // first non-space after the current position
  for (size_t p = n; p-- > 0;) {
    close_at[p] = close_at[p + 1];
    pair_at[p] = pair_at[p + 1];
    nl_at[p] = s[p] == '\n' ? p : nl_at[p + 1];
    if (s[p] == ']') {
      if (next_non_space < n && s[next_non_space] == ']') {
        close_at[p] = p;
        close_end[p] = next_non_space + 1;
      }
      if (p + 1 < n && s[p + 1] == '[') pair_at[p] = p;
    }
    if (!is_space(static_cast<unsigned char>(s[p])) || s[p] == '\n') next_non_space = p;
  }
  std::string out;
  out.reserve(n);
  size_t i = 0;
  while (i < n) {
    if (s[i] == '[' && i + 1 < n && s[i + 1] == '[') {
      size_t line_end = nl_at[i];
      size_t m = kNone, cap = 0;
      size_t k = pair_at[i + 2];
      if (k != kNone && k < line_end && close_at[k + 2] != kNone && close_at[k + 2] < line_end) {
        cap = k + 2;
        m = close_at[k + 2];
      } else if (close_at[i + 2] != kNone && close_at[i + 2] < line_end) {
        cap = i + 2;
        m = close_at[i + 2];
      }
      if (m != kNone && close_end[m] <= line_end + 1) {
        out.append(s, cap, m - cap);
        i = close_end[m];
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

bool is_anchor_char(char32_t c) { return c == ':' || c == '.' || c == '_' || tml::is_alnum(c); }

// Appends s with every occurrence of the listed entities replaced by its
// character (one left-to-right pass).
void decode_basic_entities(std::string_view s, std::string& out) {
  size_t run = 0;
  for (size_t i = s.find('&'); i != std::string_view::npos; i = s.find('&', i)) {
    char c;
    size_t n;
    if (s.compare(i, 4, "&lt;") == 0) c = '<', n = 4;
    else if (s.compare(i, 4, "&gt;") == 0) c = '>', n = 4;
    else if (s.compare(i, 5, "&amp;") == 0) c = '&', n = 5;
    else {
      ++i;
      continue;
    }
    out.append(s, run, i - run);
    out += c;
    i = run = i + n;
  }
  out.append(s, run);
}

// Appends s without its "<nop>"s.
void remove_nops(std::string_view s, std::string& out) {
  size_t run = 0;
  for (size_t i = s.find("<nop>"); i != std::string_view::npos; i = s.find("<nop>", run)) {
    out.append(s, run, i - run);
    run = i + 5;
  }
  out.append(s, run);
}

// Appends s without HTML tags (<x...> up to the next '>') and entities.
void remove_tags_and_entities(std::string_view s, std::string& out) {
  size_t run = 0, next_gt = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      size_t j = i + 1;
      if (j < s.size() && s[j] == '/') ++j;
      if (j < s.size() && tml::is_ascii_alpha(static_cast<unsigned char>(s[j]))) {
        if (next_gt != std::string_view::npos && next_gt < j) next_gt = s.find('>', j);
        if (next_gt != std::string_view::npos) {
          out.append(s, run, i - run);
          i = next_gt;
          run = i + 1;
        }
      }
    } else if (s[i] == '&') {
      size_t j = i + 1;
      if (j < s.size() && s[j] == '#') ++j;
      size_t k = j;
      while (k < s.size() && tml::is_ascii_alnum(static_cast<unsigned char>(s[k]))) ++k;
      if (k > j && k < s.size() && s[k] == ';') {
        out.append(s, run, i - run);
        i = k;
        run = i + 1;
      }
    }
  }
  out.append(s, run);
}

// Appends s with the '!' dropped before a WikiWord or an acronym.
void remove_escapes(std::string_view s, std::string& out) {
  size_t run = 0;
  for (size_t i = s.find('!'); i != std::string_view::npos; i = s.find('!', i + 1)) {
    if (tml::match_wikiword(s, i + 1) || tml::match_abbrev(s, i + 1)) {
      out.append(s, run, i - run);
      run = i + 1;
    }
  }
  out.append(s, run);
}

// Runs `step` (which appends its result) on t, unless `needed` is false.
template <typename Step>
void rewrite(std::string& t, std::string& scratch, bool needed, Step step) {
  if (!needed) return;
  scratch.clear();
  step(std::string_view(t), scratch);
  t.swap(scratch);
}

}  // namespace

// The last steps of make_anchor(): white space runs to '_', then every
// character outside [A-Za-z0-9:._] to _NN (its code point in decimal); then
// "__" to "_" (one pass, as a global substitution does), '_' trimmed at both
// ends, and "A_" in front unless the name starts with a letter.
std::string encode_anchor(std::string_view t) {
  std::string o;
  o.reserve(t.size() + 8);
  size_t len;
  for (size_t i = 0; i < t.size(); i += len) {
    const unsigned char b = static_cast<unsigned char>(t[i]);
    char32_t c = b < 0x80 ? (len = 1, b) : decode_at(t, i, &len);
    if (is_space(c)) {
      size_t j = i + len, l2;
      while (j < t.size() && is_space(decode_at(t, j, &l2))) j += l2;
      o += '_';
      len = j - i;
      continue;
    }
    if (c < 0x80 && (tml::is_ascii_alnum(static_cast<unsigned char>(c)) || c == ':' || c == '.' ||
                     c == '_')) {
      o += static_cast<char>(c);
    } else {
      o += '_';
      tml::append_decimal(o, static_cast<uint32_t>(c), 2);
    }
  }
  if (o.find("__") != std::string::npos) {
    std::string p;
    p.reserve(o.size());
    size_t run = 0;
    for (size_t i = o.find("__"); i != std::string::npos; i = o.find("__", run)) {
      p.append(o, run, i + 1 - run);
      run = i + 2;
    }
    p.append(o, run);
    o.swap(p);
  }
  size_t b = 0, e = o.size();
  while (b < e && o[b] == '_') ++b;
  while (e > b && o[e - 1] == '_') --e;
  if (b > 0 || e < o.size()) o = o.substr(b, e - b);
  if (o.empty() || !tml::is_ascii_alpha(static_cast<unsigned char>(o[0]))) o.insert(0, "A_");
  return o;
}

// Text that none of the rewriting steps of make_anchor() before the last
// touches: ASCII letters, digits, ':', '.', '_' and white space.
bool plain_heading(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const unsigned char c = static_cast<unsigned char>(ch);
    return tml::is_ascii_alnum(c) || c == ':' || c == '.' || c == '_' || is_space(c);
  });
}

std::string make_anchor(std::string_view heading_text, bool /*compatible*/) {
  std::string_view trimmed = trim_space(heading_text);
  if (plain_heading(trimmed)) return encode_anchor(trimmed);
  std::string text = strip_notoc(trimmed);

  // Already a valid "#anchor": just drop the '#'.
  if (text.size() > 1 && text[0] == '#') {
    bool ok = true;
    size_t len;
    for (size_t i = 1; i < text.size() && ok; i += len) ok = is_anchor_char(decode_at(text, i, &len));
    if (ok) return text.substr(1);
  }

  // Characters beyond U+00FF (and malformed bytes) are dropped; the rest is
  // handled as Latin-1.
  std::string t, scratch;
  if (std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; })) {
    t.swap(text);
  } else {
    t.reserve(text.size());
    size_t len;
    for (size_t i = 0; i < text.size(); i += len) {
      if (static_cast<unsigned char>(text[i]) < 0x80) {
        len = 1;
        t += text[i];
      } else if (char32_t c = decode_at(text, i, &len); c <= 0xFF) {
        tml::append_utf8(t, c);
      }
    }
  }
  const auto has = [&](std::string_view what) { return t.find(what) != std::string::npos; };
  // Entities for < > & back to characters.
  rewrite(t, scratch, has("&"), decode_basic_entities);
  if (has("[[")) t = unbracket_links(t);
  // <nop>, then HTML tags and entities.
  rewrite(t, scratch, has("<nop>"), remove_nops);
  rewrite(t, scratch, find_any(t, "<&") != std::string::npos, remove_tags_and_entities);
  // "!WikiWord" / "!ABBREV": drop the escape.
  rewrite(t, scratch, has("!"), remove_escapes);
  return encode_anchor(t);
}

namespace tml {

uint32_t AnchorSet::hash_of(std::string_view name) {
  uint32_t h = static_cast<uint32_t>(std::hash<std::string_view>()(name));
  return h ? h : 1;  // 0 marks an empty slot
}

std::pair<size_t, bool> AnchorSet::find(std::string_view name) const {
  const uint32_t h = hash_of(name);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.hash == 0) return {i, false};
    if (s.hash == h && std::string_view(pool_).substr(s.offset, s.size) == name) return {i, true};
  }
}

void AnchorSet::grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.hash == 0) continue;
    size_t i = s.hash & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

bool AnchorSet::insert(std::string_view name) {
  if ((count_ + 1) * 2 > slots_.size()) grow();  // at most half full
  auto [i, found] = find(name);
  if (found) return false;
  slots_[i] = Slot{pool_.size(), static_cast<uint32_t>(name.size()), hash_of(name)};
  pool_.append(name);
  ++count_;
  return true;
}

std::string AnchorSet::add_unique(std::string_view name) {
  if (insert(name)) return std::string(name);
  // The candidate for suffix n depends only on the name and n, so the
  // search can resume where the previous one for this name stopped.
  int& cnt = next_suffix_[std::string(name)];
  std::string candidate;
  for (;;) {
    ++cnt;
    candidate.assign("_AN");
    append_decimal(candidate, static_cast<uint32_t>(cnt));
    // The name is cut so that name and suffix stay within 32 characters.
    const size_t suffix = candidate.size();
    size_t keep = std::min(suffix >= 32 ? 0 : 32 - suffix, name.size());
    while (keep > 0 && name[keep - 1] == '_') --keep;
    candidate.insert(0, name.substr(0, keep));
    if (insert(candidate)) return candidate;
  }
}

}  // namespace tml
}  // namespace cwiki

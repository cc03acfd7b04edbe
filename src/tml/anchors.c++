// make_anchor(): Foswiki's anchor-name rules, written from its documented
// behaviour (Foswiki::Render::Anchors::make) and the TOC test vectors.
#include "tml/anchors.h"

#include <cstdio>
#include <vector>

#include "tml/render.h"
#include "tml/text.h"

namespace cwiki {
namespace {

using tml::decode_at;
using tml::is_space;

// Removes every "!!..." run and every "%NOTOC%" (the markers that keep a
// heading out of the table of contents).
std::string strip_notoc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '!' && i + 1 < s.size() && s[i + 1] == '!') {
      while (i < s.size() && s[i] == '!') ++i;
      continue;
    }
    if (s.compare(i, 7, "%NOTOC%") == 0) {
      i += 7;
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

std::string trim_space(std::string_view s) {
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
  return std::string(s.substr(b, e - b));
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

}  // namespace

std::string make_anchor(std::string_view heading_text, bool /*compatible*/) {
  std::string text = strip_notoc(trim_space(heading_text));

  // Already a valid "#anchor": just drop the '#'.
  if (text.size() > 1 && text[0] == '#') {
    bool ok = true;
    size_t len;
    for (size_t i = 1; i < text.size() && ok; i += len) ok = is_anchor_char(decode_at(text, i, &len));
    if (ok) return text.substr(1);
  }

  // Characters beyond U+00FF are dropped; the rest is handled as Latin-1.
  std::u32string chars;
  {
    size_t len;
    for (size_t i = 0; i < text.size(); i += len) {
      char32_t c = decode_at(text, i, &len);
      if (c <= 0xFF) chars.push_back(c);
    }
  }
  std::string t;
  for (char32_t c : chars) tml::append_utf8(t, c);

  // Entities for < > & back to characters.
  {
    std::string o;
    for (size_t i = 0; i < t.size();) {
      if (t.compare(i, 4, "&lt;") == 0) { o += '<'; i += 4; }
      else if (t.compare(i, 4, "&gt;") == 0) { o += '>'; i += 4; }
      else if (t.compare(i, 5, "&amp;") == 0) { o += '&'; i += 5; }
      else o += t[i++];
    }
    t.swap(o);
  }
  t = unbracket_links(t);
  // <nop>, then HTML tags and entities.
  {
    std::string o;
    for (size_t i = 0; i < t.size();) {
      if (t.compare(i, 5, "<nop>") == 0) { i += 5; continue; }
      o += t[i++];
    }
    t.swap(o);
  }
  {
    std::string o;
    for (size_t i = 0; i < t.size();) {
      if (t[i] == '<') {
        size_t j = i + 1;
        if (j < t.size() && t[j] == '/') ++j;
        if (j < t.size() && tml::is_ascii_alpha(static_cast<unsigned char>(t[j]))) {
          size_t gt = t.find('>', j);
          if (gt != std::string::npos) {
            i = gt + 1;
            continue;
          }
        }
      } else if (t[i] == '&') {
        size_t j = i + 1;
        if (j < t.size() && t[j] == '#') ++j;
        size_t k = j;
        while (k < t.size() && tml::is_ascii_alnum(static_cast<unsigned char>(t[k]))) ++k;
        if (k > j && k < t.size() && t[k] == ';') {
          i = k + 1;
          continue;
        }
      }
      o += t[i++];
    }
    t.swap(o);
  }
  // "!WikiWord" / "!ABBREV": drop the escape.
  {
    std::string o;
    for (size_t i = 0; i < t.size();) {
      if (t[i] == '!') {
        size_t n = tml::match_wikiword(t, i + 1);
        if (!n) n = tml::match_abbrev(t, i + 1);
        if (n) {
          ++i;
          continue;
        }
      }
      o += t[i++];
    }
    t.swap(o);
  }
  // White space runs to '_', then every byte outside [A-Za-z0-9:._] to _NN
  // (its code point in decimal).
  std::string o;
  {
    size_t len;
    for (size_t i = 0; i < t.size(); i += len) {
      char32_t c = decode_at(t, i, &len);
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
        char buf[16];
        std::snprintf(buf, sizeof buf, "_%02u", static_cast<unsigned>(c));
        o += buf;
      }
    }
  }
  // "__" -> "_" (one pass, as a global substitution does), trim '_' at both ends.
  {
    std::string p;
    for (size_t i = 0; i < o.size();) {
      if (o[i] == '_' && i + 1 < o.size() && o[i + 1] == '_') {
        p += '_';
        i += 2;
      } else {
        p += o[i++];
      }
    }
    size_t b = 0, e = p.size();
    while (b < e && p[b] == '_') ++b;
    while (e > b && p[e - 1] == '_') --e;
    o = p.substr(b, e - b);
  }
  if (o.empty() || !tml::is_ascii_alpha(static_cast<unsigned char>(o[0]))) o = "A_" + o;
  return o;
}

namespace tml {

std::string AnchorSet::add_unique(const std::string& name) {
  if (names_.insert(name).second) return name;
  // The candidate for suffix n depends only on the name and n, so the
  // search can resume where the previous one for this name stopped.
  int& cnt = next_suffix_[name];
  for (;;) {
    ++cnt;
    std::string suffix = "_AN" + std::to_string(cnt);
    size_t keep = suffix.size() >= 32 ? 0 : 32 - suffix.size();
    std::string base = name.substr(0, std::min(keep, name.size()));
    while (!base.empty() && base.back() == '_') base.pop_back();
    std::string candidate = base + suffix;
    if (names_.insert(candidate).second) return candidate;
  }
}

}  // namespace tml
}  // namespace cwiki

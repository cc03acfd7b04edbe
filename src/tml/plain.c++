// TML to plain text (Foswiki's TML2PlainText), for summaries and titles.
//
// A fixed sequence of linear scans, each one a rule of Foswiki's.  Macro
// expansion ("expandvar") is not available to the renderer; macros are
// removed (or shown, with "showvar") as when it is not asked for.
#include <cstring>
#include <vector>

#include "tml/inline.h"
#include "tml/render.h"
#include "tml/text.h"

namespace cwiki {
namespace {

using tml::char_at;
using tml::decode_at;
using tml::end_ww;
using tml::is_space;
using tml::start_ww;

// Successive searches for the same needle at increasing positions, each
// answered from the previous answer when it still applies (linear overall).
class NextFinder {
 public:
  NextFinder(const std::string& s, std::string_view needle) : s_(s), needle_(needle) {}
  // `pos` must not decrease from one call to the next.
  size_t from(size_t pos) {
    if (!valid_ || (at_ != std::string::npos && at_ < pos)) {
      at_ = s_.find(needle_, pos);
      valid_ = true;
    }
    return at_;
  }

 private:
  const std::string& s_;
  std::string needle_;
  size_t at_ = 0;
  bool valid_ = false;
};

bool has_opt(std::string_view opts, std::string_view o) {
  return opts.find(o) != std::string_view::npos;
}

// %META:X...}% on one line (shortest), removed.
std::string remove_meta(const std::string& s) {
  std::string out;
  size_t run = 0;
  NextFinder nls(s, "\n"), closes(s, "}%");
  for (size_t i = s.find("%META:"); i != std::string::npos; i = s.find("%META:", i + 1)) {
    if (i + 6 >= s.size() || s[i + 6] < 'A' || s[i + 6] > 'Z') continue;
    size_t nl = nls.from(i);
    size_t e = closes.from(i + 6);
    if (e == std::string::npos || (nl != std::string::npos && e > nl)) continue;
    out.append(s, run, i - run);
    run = e + 2;
    i = run - 1;
  }
  out.append(s, run, std::string::npos);
  return out;
}

std::string replace_all(const std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  size_t run = 0;
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + from.size())) {
    out.append(s, run, i - run);
    out.append(to);
    run = i + from.size();
  }
  out.append(s, run, std::string::npos);
  return out;
}

// %NAME% / %NAME{...}% (the braces closed on the same line, shortest).
std::string macros(const std::string& s, bool show) {
  std::string out;
  size_t run = 0;
  NextFinder nls(s, "\n"), closes(s, "}%");
  for (size_t i = s.find('%'); i != std::string::npos && i < s.size(); i = s.find('%', i + 1)) {
    size_t j = i + 1;
    if (show) {
      // %(\w+(\{.*?\}))%: only macros with parameters, shown without the %s
      size_t k = j, len;
      while (k < s.size() && tml::is_word(decode_at(s, k, &len))) k += len;
      if (k == j || k >= s.size() || s[k] != '{') continue;
      size_t nl = nls.from(k);
      size_t e = closes.from(k);
      if (e == std::string::npos || (nl != std::string::npos && e > nl)) continue;
      out.append(s, run, i - run);
      out.append(s, j, e + 1 - j);
      run = e + 2;
      i = run - 1;
      continue;
    }
    if (j >= s.size() || !tml::is_ascii_alpha(static_cast<unsigned char>(s[j]))) continue;
    size_t k = j + 1;
    while (k < s.size() && (tml::is_ascii_alnum(static_cast<unsigned char>(s[k])) || s[k] == '_' ||
                            s[k] == ':'))
      ++k;
    size_t e = std::string::npos;
    if (k < s.size() && s[k] == '%') {
      e = k + 1;
    } else if (k < s.size() && s[k] == '{') {
      size_t nl = nls.from(k);
      size_t c = closes.from(k);
      if (c != std::string::npos && (nl == std::string::npos || c < nl)) e = c + 2;
    }
    if (e == std::string::npos) continue;
    out.append(s, run, i - run);
    run = e;
    i = e - 1;
  }
  out.append(s, run, std::string::npos);
  return out;
}

bool plain_local(unsigned char c) {
  return tml::is_ascii_alnum(c) || c == '-' || c == '_' || c == '.' || c == '+';
}
bool plain_domain(unsigned char c) { return tml::is_ascii_alnum(c) || c == '-' || c == '_' || c == '.'; }

// E-mail addresses get the anti-spam treatment of a mail link (the markup
// goes again with the other tags).
std::string mail_addresses(const tml::LinkEnv& env, const std::string& s) {
  if (s.find('@') == std::string::npos) return s;
  std::string out;
  size_t run = 0, i = 0;
  const size_t n = s.size();
  while (i < n) {
    if (!start_ww(s, i)) {
      ++i;
      continue;
    }
    size_t b = i, j = i;
    if (s.compare(i, 7, "mailto:") == 0) j += 7;
    size_t l = j;
    while (l < n && plain_local(static_cast<unsigned char>(s[l]))) ++l;
    if (l == j || l >= n || s[l] != '@') {
      ++i;
      continue;
    }
    size_t h = l + 1, r = h;
    while (r < n && plain_domain(static_cast<unsigned char>(s[r]))) ++r;
    // [..]+\.[no dot]+ then $ENDWW: the longest such end.
    size_t end = 0;
    std::vector<size_t> dots;
    for (size_t k = h + 1; k < r; ++k)
      if (s[k] == '.') dots.push_back(k);
    if (!dots.empty() && dots.back() + 1 < r && end_ww(s, r)) {
      end = r;
    } else {
      // an end just before a '.', with another '.' (not the first character) before it
      for (size_t k = dots.size(); k-- > 1;) {
        if (dots[k - 1] + 1 < dots[k]) {
          end = dots[k];
          break;
        }
      }
    }
    if (!end) {
      ++i;
      continue;
    }
    out.append(s, run, b - run);
    out += tml::mail_link(env, std::string_view(s).substr(b, end - b));
    run = i = end;
  }
  out.append(s, run, std::string::npos);
  return out;
}

std::string remove_comments_and_tags(const std::string& s) {
  std::string a;
  size_t run = 0;
  for (size_t i = s.find("<!--"); i != std::string::npos; i = s.find("<!--", i + 1)) {
    size_t e = s.find("-->", i + 4);
    if (e == std::string::npos) break;
    a.append(s, run, i - run);
    run = e + 3;
    i = run - 1;
  }
  a.append(s, run, std::string::npos);
  std::string b;
  run = 0;
  for (size_t i = a.find('<'); i != std::string::npos; i = a.find('<', i + 1)) {
    if (a.compare(i + 1, 3, "nop") == 0) continue;
    size_t e = a.find('>', i + 1);
    if (e == std::string::npos) break;
    b.append(a, run, i - run);
    run = e + 1;
    i = e;
  }
  b.append(a, run, std::string::npos);
  // &name; (lower case) becomes a space
  std::string c;
  run = 0;
  for (size_t i = b.find('&'); i != std::string::npos; i = b.find('&', i + 1)) {
    size_t k = i + 1;
    while (k < b.size() && b[k] >= 'a' && b[k] <= 'z') ++k;
    if (k > i + 1 && k < b.size() && b[k] == ';') {
      c.append(b, run, i - run);
      c += ' ';
      run = k + 1;
      i = k;
    }
  }
  c.append(b, run, std::string::npos);
  return c;
}

// [[x][text]] -> text
std::string link_texts(const std::string& s) {
  std::string out;
  size_t run = 0;
  NextFinder seps(s, "]["), brackets(s, "]"), ends(s, "]]"), nls(s, "\n");
  for (size_t i = s.find("[["); i != std::string::npos; i = s.find("[[", i + 1)) {
    size_t sep = seps.from(i + 2);
    if (sep == std::string::npos) break;
    if (brackets.from(i + 2) != sep) continue;  // [^\]]* before "]["
    size_t e = ends.from(sep + 2);
    size_t nl = nls.from(sep + 2);
    if (e == std::string::npos || (nl != std::string::npos && nl < e)) continue;
    out.append(s, run, i - run);
    out.append(s, sep + 2, e - sep - 2);
    run = e + 2;
    i = run - 1;
  }
  out.append(s, run, std::string::npos);
  return out;
}

}  // namespace

std::string tml_to_plain(std::string_view text, const RenderContext& ctx, std::string_view opts) {
  tml::LinkEnv env(ctx);
  std::string s;
  s.reserve(text.size());
  for (char c : text)
    if (c != '\r') s.push_back(c);

  if (has_opt(opts, "showmeta")) s = replace_all(s, "%META:", "%<nop>META:");
  else s = remove_meta(s);

  s = replace_all(s, "%WEB%", ctx.web);
  s = replace_all(s, "%TOPIC%", ctx.topic);
  {
    std::string wtn;
    if (ctx.pref)
      if (auto v = ctx.pref("WIKITOOLNAME")) wtn = *v;
    s = replace_all(s, "%WIKITOOLNAME%", wtn);
  }
  s = macros(s, has_opt(opts, "showvar"));
  s = mail_addresses(env, s);
  s = remove_comments_and_tags(s);

  if (has_opt(opts, "nohead")) {
    // headings at the very top
    size_t cut = 0;
    for (;;) {
      size_t i = cut, len;
      while (i < s.size() && is_space(decode_at(s, i, &len))) i += len;
      size_t j = i;
      while (j < s.size() && s[j] == '-') ++j;
      if (j - i < 3 || j >= s.size() || s[j] != '+') break;
      size_t e = s.find('\n', j);
      cut = e == std::string::npos ? s.size() : e;
    }
    s.erase(0, cut);
  }
  s = link_texts(s);
  {
    std::string t;
    for (std::string_view d : {"==", "__", "*", "_", "="})
      if (tml::emphasis_pass(s, t, d, true)) s.swap(t);
  }
  for (char& c : s)
    if (c == '[' || c == ']' || c == '|' || c == '&') c = ' ';
  {
    // ^---+\+*\s*!* (at any line start) becomes a space
    std::string t;
    size_t i = 0;
    while (i < s.size()) {
      bool bol = i == 0 || s[i - 1] == '\n';
      if (bol && s.compare(i, 3, "---") == 0) {
        size_t j = i + 3, len;
        while (j < s.size() && s[j] == '-') ++j;
        while (j < s.size() && s[j] == '+') ++j;
        while (j < s.size() && is_space(decode_at(s, j, &len))) j += len;
        while (j < s.size() && s[j] == '!') ++j;
        t += ' ';
        i = j;
        continue;
      }
      t += s[i++];
    }
    s.swap(t);
  }
  {
    std::string t;
    for (size_t i = 0; i < s.size();) {
      if (s[i] == '+' || s[i] == '-') {
        while (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        t += ' ';
      } else {
        t += s[i++];
      }
    }
    s.swap(t);
  }
  {
    size_t b = 0, e = s.size(), len;
    while (b < e && is_space(decode_at(s, b, &len))) b += len;
    while (e > b) {
      size_t p = tml::prev_index(s, e);
      if (!is_space(decode_at(s, p, &len))) break;
      e = p;
    }
    s = s.substr(b, e - b);
  }
  {
    // !word -> word
    std::string t;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '!' && i + 1 < s.size() && tml::is_word(char_at(s, i + 1))) continue;
      t += s[i];
    }
    s.swap(t);
  }
  {
    // only the first run of newlines, and the first run of blanks, shrink
    size_t i = s.find('\n');
    if (i != std::string::npos) {
      size_t j = i;
      while (j < s.size() && s[j] == '\n') ++j;
      s.replace(i, j - i, "\n");
    }
    i = s.find_first_of(" \t");
    if (i != std::string::npos) {
      size_t j = i;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      s.replace(i, j - i, " ");
    }
  }
  s = replace_all(s, "<nop>", "");
  for (char& c : s)
    if (c == '<' || c == '>') c = ' ';
  return s;
}

}  // namespace cwiki

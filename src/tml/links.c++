// Links: [[...]] forms, typed-in URLs, e-mail addresses and WikiWords.
#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <cstring>

#include "tml/inline.h"
#include "tml/text.h"
#include "util/chars.h"
#include "util/escape.h"

namespace cwiki::tml {
namespace {

locale_t case_locale() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

char32_t to_upper(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  locale_t l = case_locale();
  return l ? static_cast<char32_t>(towupper_l(static_cast<wint_t>(c), l)) : c;
}

// s/\s([[:alnum:]])/\U$1/g applied to ucfirst(s), appended to `out`.  With
// `drop_space`, the white space left over is dropped as well (s/\s//g).
void append_ucfirst_cap(std::string& out, std::string_view s, bool drop_space = false) {
  if (s.empty()) return;
  size_t first_len;
  const char32_t first = to_upper(decode_at(s, 0, &first_len));
  // Only white space matters after the first character: without any, the
  // rest stays as it is.
  if (!is_space(first) && std::all_of(s.begin() + first_len, s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x80 &&
               !is_ascii_space(static_cast<unsigned char>(c));
      })) {
    append_utf8(out, first);
    out.append(s, first_len);
    return;
  }
  bool after_space = false;
  size_t len;
  for (size_t i = 0; i < s.size(); i += len) {
    char32_t c = first;
    if (i == 0) len = first_len;
    else c = decode_at(s, i, &len);
    // The first character is written as ucfirst made it.
    auto put = [&] {
      if (i == 0) append_utf8(out, c);
      else out.append(s, i, len);
    };
    if (is_space(c)) {
      // A space before an alphanumeric goes with the capital it makes.
      if (!drop_space && !(i + len < s.size() && is_alnum(char_at(s, i + len)))) put();
      after_space = true;
      continue;
    }
    if (after_space && is_alnum(c)) append_utf8(out, to_upper(c));
    else put();
    after_space = false;
  }
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size(), len;
  while (b < e && is_space(decode_at(s, b, &len))) b += len;
  while (e > b) {
    size_t p = prev_index(s, e);
    if (!is_space(decode_at(s, p, &len))) break;
    e = p;
  }
  return s.substr(b, e - b);
}

bool starts_with_ci_str(std::string_view s, std::string_view lower) {
  return starts_with_ci(s, 0, lower);
}

void append_attr_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
}

// A URL that names a picture becomes an <img> (no link text given).
bool image_link(std::string_view url_in, std::string* img) {
  if (url_in.find("<nop>") != std::string_view::npos) return false;
  const std::string_view url = trim(url_in);
  size_t p;
  if (starts_with_ci_str(url, "http://")) p = 7;
  else if (starts_with_ci_str(url, "https://")) p = 8;
  else return false;
  if (url.find('?', p) != std::string_view::npos) return false;
  size_t dot = url.rfind('.');
  if (dot == std::string_view::npos || dot < p) return false;
  const std::string_view ext = url.substr(dot + 1);
  auto is_ext = [&](std::string_view e) {
    return ext.size() == e.size() && starts_with_ci(ext, 0, e);
  };
  if (!is_ext("gif") && !is_ext("jpg") && !is_ext("jpeg") && !is_ext("png")) return false;
  size_t slash = url.rfind('/');
  const std::string_view file = slash == std::string_view::npos ? url : url.substr(slash + 1);
  img->clear();
  *img += "<img alt=\"";
  append_attr_escaped(*img, file);
  *img += "\" src=\"";
  append_attr_escaped(*img, url);
  *img += "\" />";
  return true;
}

// The first "@word." gets the anti-spam padding before its dot.
void pad_email(std::string& s, const std::string& padding) {
  for (size_t at = s.find('@'); at != std::string::npos; at = s.find('@', at + 1)) {
    size_t j = at + 1, len;
    while (j < s.size()) {
      char32_t c = decode_at(s, j, &len);
      if (!(is_word(c) || c == '-' || c == '+')) break;
      j += len;
    }
    if (j > at + 1 && j < s.size() && s[j] == '.') {
      s.insert(j, padding);
      return;
    }
  }
}

// &name; or &#NNN; / &#xHH; at s[i]: its length, else 0.
size_t entity_len(std::string_view s, size_t i) {
  if (i >= s.size() || s[i] != '&') return 0;
  size_t j = i + 1, len;
  if (j < s.size() && s[j] == '#') {
    ++j;
    if (j < s.size() && (s[j] == 'x' || s[j] == 'X')) ++j;
    size_t k = j;
    while (k < s.size() && std::isxdigit(static_cast<unsigned char>(s[k]))) ++k;
    if (k > j && k < s.size() && s[k] == ';') return k + 1 - i;
    return 0;
  }
  size_t k = j;
  while (k < s.size() && is_word(decode_at(s, k, &len))) k += len;
  if (k > j && k < s.size() && s[k] == ';') return k + 1 - i;
  return 0;
}

// Every character that is not a word character becomes &#N; (entities
// already in the text are kept).
std::string entity_encode_url(std::string_view s) {
  std::string out;
  size_t len;
  for (size_t i = 0; i < s.size(); i += len) {
    size_t el = entity_len(s, i);
    if (el) {
      out.append(s.substr(i, el));
      len = el;
      continue;
    }
    char32_t c = decode_at(s, i, &len);
    if (is_word(c)) {
      out.append(s.substr(i, len));
    } else {
      out += "&#";
      out += std::to_string(static_cast<uint32_t>(c));
      out += ';';
    }
  }
  return out;
}

bool is_email_atom(unsigned char c) {
  if (is_ascii_alnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_label_char(unsigned char c) { return is_ascii_alnum(c) || c == '-'; }

bool valid_tld(std::string_view label) {
  if (label.size() == 2) return is_ascii_alpha(label[0]) && is_ascii_alpha(label[1]);
  static const char* const tlds[] = {"aero", "arpa", "asia", "biz",    "cat",  "com", "coop",
                                     "edu",  "gov",  "info", "int",    "jobs", "mil", "mobi",
                                     "museum", "name", "net", "org",   "pro",  "tel", "travel",
                                     "xxx"};
  std::string l;
  for (char c : label) l.push_back(ascii_lower(c));
  for (const char* t : tlds)
    if (l == t) return true;
  return false;
}

// Dotted quad (each part 1-3 digits) at s[i]; returns its end or 0.
size_t match_dotted_quad(std::string_view s, size_t i) {
  size_t j = i;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (j >= s.size() || s[j] != '.') return 0;
      ++j;
    }
    size_t k = j;
    while (k < s.size() && k - j < 3 && is_ascii_digit(s[k])) ++k;
    if (k == j) return 0;
    j = k;
  }
  return j;
}

}  // namespace

// ---------------------------------------------------------------------------
// NameFilter

NameFilter::NameFilter(std::string_view cls) {
  if (cls.size() >= 2 && cls.front() == '[' && cls.back() == ']') cls = cls.substr(1, cls.size() - 2);
  if (!cls.empty() && cls.front() == '^') {
    negate_ = true;
    cls.remove_prefix(1);
  }
  auto read = [&](size_t& i, bool* is_space_class) -> char32_t {
    *is_space_class = false;
    if (cls[i] == '\\' && i + 1 < cls.size()) {
      char e = cls[i + 1];
      if (e == 's') {
        i += 2;
        *is_space_class = true;
        return 0;
      }
      if (e == 'x' && i + 3 < cls.size() && std::isxdigit(static_cast<unsigned char>(cls[i + 2])) &&
          std::isxdigit(static_cast<unsigned char>(cls[i + 3]))) {
        char32_t v = static_cast<char32_t>(std::stoul(std::string(cls.substr(i + 2, 2)), nullptr, 16));
        i += 4;
        return v;
      }
      if (e == 't') { i += 2; return '\t'; }
      if (e == 'n') { i += 2; return '\n'; }
      if (e == 'r') { i += 2; return '\r'; }
      i += 2;
      return static_cast<unsigned char>(e);
    }
    size_t len;
    char32_t c = decode_at(cls, i, &len);
    i += len;
    return c;
  };
  auto add = [&](char32_t lo, char32_t hi) {
    for (char32_t c = lo; c <= hi && c < 128; ++c) ascii_[c] = true;
    if (hi >= 128) ranges_.push_back({std::max<char32_t>(lo, 128), hi});
  };
  size_t i = 0;
  while (i < cls.size()) {
    bool sp;
    char32_t lo = read(i, &sp);
    if (sp) {
      space_ = true;
      continue;
    }
    if (i + 1 < cls.size() && cls[i] == '-') {
      size_t j = i + 1;
      bool sp2;
      char32_t hi = read(j, &sp2);
      if (!sp2 && hi >= lo) {
        add(lo, hi);
        i = j;
        continue;
      }
    }
    add(lo, lo);
  }
  for (char32_t c = 0; c < 128; ++c) ascii_matches_[c] = matches_wide(c);
}

// What the parsed class says of c (matches() keeps the answers for ASCII in a table).
bool NameFilter::matches_wide(char32_t c) const {
  bool m;
  if (space_ && is_space(c)) m = true;
  else if (c < 128) m = ascii_[c];
  else {
    m = false;
    for (auto& r : ranges_)
      if (c >= r.first && c <= r.second) m = true;
  }
  return negate_ ? !m : m;
}

LinkEnv::LinkEnv(const RenderContext& c)
    : ctx(c),
      web(c.web),
      topic(c.topic),
      base_web(c.base_web.empty() ? c.web : c.base_web),
      base_topic(c.base_topic.empty() ? c.topic : c.base_topic),
      filter(c.options.name_filter) {
  std::string_view p = c.options.link_protocols;
  if (!p.empty() && p.front() == '(') p.remove_prefix(1);
  if (!p.empty() && p.back() == ')') p.remove_suffix(1);
  size_t s = 0;
  while (s <= p.size()) {
    size_t e = p.find('|', s);
    if (e == std::string_view::npos) e = p.size();
    if (e > s) {
      protocols.emplace_back(p.substr(s, e - s));
      protocol_start[static_cast<unsigned char>(p[s])] = true;
      max_protocol = std::max(max_protocol, e - s);
    }
    s = e + 1;
  }
}

// ---------------------------------------------------------------------------
// Matchers

size_t match_protocol(const LinkEnv& env, std::string_view s, size_t i) {
  if (i >= s.size() || !env.protocol_start[static_cast<unsigned char>(s[i])]) return 0;
  for (const std::string& p : env.protocols) {
    if (i + p.size() < s.size() && s[i + p.size()] == ':' && s.compare(i, p.size(), p) == 0)
      return p.size();
  }
  return 0;
}

size_t match_email(std::string_view s, size_t i, bool need_end_ww) {
  size_t j = i;
  if (j < s.size() && s[j] == '"') {
    // "quoted local part": printable ASCII but " and \, or white space.
    size_t k = j + 1, len;
    while (k < s.size() && s[k] != '"') {
      char32_t c = decode_at(s, k, &len);
      bool ok = (c >= 0x21 && c <= 0x7E && c != '"' && c != '\\') || is_space(c);
      if (!ok) return 0;
      k += len;
    }
    if (k >= s.size() || k == j + 1) return 0;
    j = k + 1;
  } else {
    // atoms separated by single dots
    size_t k = j;
    for (;;) {
      size_t a = k;
      while (k < s.size() && is_email_atom(static_cast<unsigned char>(s[k]))) ++k;
      if (k == a) return 0;
      if (k < s.size() && s[k] == '.' && k + 1 < s.size() &&
          is_email_atom(static_cast<unsigned char>(s[k + 1]))) {
        ++k;
        continue;
      }
      break;
    }
    j = k;
  }
  if (j >= s.size() || s[j] != '@') return 0;
  const size_t h = j + 1;
  // Host names: labels separated by single dots.
  std::vector<size_t> label_ends;  // end of each label
  size_t k = h;
  for (;;) {
    size_t a = k;
    while (k < s.size() && is_label_char(static_cast<unsigned char>(s[k]))) ++k;
    if (k == a) break;
    label_ends.push_back(k);
    if (k < s.size() && s[k] == '.' && k + 1 < s.size() &&
        is_label_char(static_cast<unsigned char>(s[k + 1]))) {
      ++k;
      continue;
    }
    break;
  }
  if (label_ends.size() >= 2) {
    if (need_end_ww) {
      for (size_t n = label_ends.size(); n >= 2; --n) {
        size_t e = label_ends[n - 1];
        size_t lb = label_ends[n - 2] + 1;
        if (end_ww(s, e) && valid_tld(s.substr(lb, e - lb))) return e;
      }
    } else {
      for (size_t n = 2; n <= label_ends.size(); ++n) {
        size_t lb = label_ends[n - 2] + 1;
        if (lb + 2 <= s.size() && is_ascii_alpha(s[lb]) && is_ascii_alpha(s[lb + 1])) return lb + 2;
      }
    }
  }
  // An IP address, in brackets or bare.
  if (h < s.size() && s[h] == '[') {
    size_t e = match_dotted_quad(s, h + 1);
    if (e && e < s.size() && s[e] == ']' && (!need_end_ww || end_ww(s, e + 1))) return e + 1;
  } else {
    size_t e = match_dotted_quad(s, h);
    if (e && (!need_end_ww || end_ww(s, e))) return e;
  }
  return 0;
}

WebWord match_web_word(std::string_view s, size_t i, int acronym_length) {
  WebWord w;
  // The longest web prefix ("A.B.C." or "A/B.") after which a word follows.
  size_t comp_end = i + match_web_component(s, i);
  if (comp_end > i) {
    std::vector<size_t> dots;  // '.' separators after a valid web prefix
    size_t p = comp_end;
    while (p < s.size() && (s[p] == '.' || s[p] == '/')) {
      if (s[p] == '.') dots.push_back(p);
      size_t n = match_web_component(s, p + 1);
      if (!n) break;
      p = p + 1 + n;
    }
    for (size_t k = dots.size(); k-- > 0;) {
      size_t b = dots[k] + 1;
      size_t n = match_wikiword(s, b);
      bool ab = false;
      if (!n) {
        n = match_abbrev(s, b, acronym_length);
        ab = n != 0;
      }
      if (n) {
        w.web_end = dots[k];
        w.word_begin = b;
        w.word_end = b + n;
        w.abbrev = ab;
        return w;
      }
    }
  }
  size_t n = match_wikiword(s, i);
  bool ab = false;
  if (!n) {
    n = match_abbrev(s, i, acronym_length);
    ab = n != 0;
  }
  if (n) {
    w.web_end = i;
    w.word_begin = i;
    w.word_end = i + n;
    w.abbrev = ab;
  }
  return w;
}

// ---------------------------------------------------------------------------
// Emphasis

bool emphasis_pass(std::string_view in, std::string& out, std::string_view d, bool strip) {
  const size_t n = in.size(), dl = d.size();
  if (in.find(d) == std::string_view::npos) return false;
  // The first closing delimiter at or after a position: a delimiter after a
  // printing character and before what $ENDWW accepts.  Openers are tried
  // left to right, so the last answer serves every later question that
  // does not pass it, and each byte is looked at a bounded number of times.
  auto is_closer = [&](size_t q) {
    return q > 0 && (dl == 1 || in.compare(q, dl, d) == 0) && !is_space(char_before(in, q)) &&
           end_ww(in, q + dl);
  };
  size_t cached = 0;
  bool cache_valid = false;
  auto next_closer = [&](size_t from) -> size_t {
    if (cache_valid && (cached == std::string_view::npos || cached >= from)) return cached;
    size_t q = from;
    for (;;) {
      const void* hit = q < n ? std::memchr(in.data() + q, d[0], n - q) : nullptr;
      if (!hit) {
        q = std::string_view::npos;
        break;
      }
      q = static_cast<const char*>(hit) - in.data();
      if (is_closer(q)) break;
      ++q;
    }
    cached = q;
    cache_valid = true;
    return q;
  };
  const bool fixed = d[0] == '=' && !strip;
  const bool bold = d == "==";
  const char* open = bold ? "<code><b>" : d == "__" ? "<strong><em>" : d == "*" ? "<strong>"
                                                : d == "_" ? "<em>" : "<code>";
  const char* close = bold ? "</b></code>" : d == "__" ? "</em></strong>" : d == "*" ? "</strong>"
                                                 : d == "_" ? "</em>" : "</code>";
  bool changed = false;
  size_t i = 0, run = 0;
  size_t nl = std::string_view::npos;  // the end of the line of the last opener
  while (i < n) {
    const void* hit = std::memchr(in.data() + i, d[0], n - i);
    if (!hit) break;
    i = static_cast<const char*>(hit) - in.data();
    if (in.compare(i, dl, d) != 0 || !start_ww(in, i)) {
      ++i;
      continue;
    }
    size_t c = i + dl;
    if (c >= n || is_space(char_at(in, c))) {
      ++i;
      continue;
    }
    size_t fl;
    decode_at(in, c, &fl);
    size_t q = next_closer(c + fl);
    // ... on the same line
    if (nl == std::string_view::npos || nl < c) {
      const void* hit = std::memchr(in.data() + c, '\n', n - c);
      nl = hit ? static_cast<size_t>(static_cast<const char*>(hit) - in.data()) : n;
    }
    if (q == std::string_view::npos || q > nl) {
      ++i;
      continue;
    }
    if (!changed) {
      changed = true;
      out.clear();
      out.reserve(n + 64);
    }
    out.append(in.substr(run, i - run));
    if (!strip) out += open;
    std::string_view content = in.substr(c, q - c);
    if (fixed) {
      // Tabs become three spaces; each pair of white space before a
      // printing character becomes "&nbsp; " (an odd one keeps its first).
      std::string t;
      for (char ch : content) {
        if (ch == '\t') t += "   ";
        else t.push_back(ch);
      }
      size_t k = 0, len;
      while (k < t.size()) {
        char32_t ch = decode_at(t, k, &len);
        if (!is_space(ch)) {
          out.append(t, k, len);
          k += len;
          continue;
        }
        size_t e = k, count = 0, l2;
        while (e < t.size() && is_space(decode_at(t, e, &l2))) {
          e += l2;
          ++count;
        }
        if (e < t.size() && count >= 2) {
          if (count % 2) {
            decode_at(t, k, &l2);
            out.append(t, k, l2);
          }
          for (size_t m = 0; m < count / 2; ++m) out += "&nbsp; ";
        } else {
          out.append(t, k, e - k);
        }
        k = e;
      }
    } else {
      out.append(content);
    }
    if (!strip) out += close;
    i = q + dl;
    run = i;
  }
  if (!changed) return false;
  out.append(in.substr(run));
  return true;
}

std::string emphasis_all(std::string_view text) {
  std::string a(text), b;
  for (std::string_view d : {"==", "__", "*", "_", "="})
    if (emphasis_pass(a, b, d)) a.swap(b);
  return a;
}

// ---------------------------------------------------------------------------
// Link rendering

namespace {

void new_link(const LinkEnv& env, std::string_view web, std::string_view topic,
              std::string_view text, std::string& out) {
  out += "<a class=\"foswikiNewLink\" href=\"";
  if (env.ctx.links) out += env.ctx.links->edit_url(web, topic);
  out += "\" rel=\"nofollow\" title=\"Create this topic\">";
  out += text;
  out += "</a>";
}

void existing_link(const LinkEnv& env, std::string_view web, std::string_view topic,
                   std::string_view text, std::string_view anchor, std::string_view params,
                   std::string& out) {
  const RenderOptions& o = env.ctx.options;
  const bool home = web == env.base_web && topic == o.home_topic;
  const bool current = web == env.base_web && topic == env.base_topic;
  out += "<a ";
  if (home || current) {
    out += "class=\"";
    if (home) out += "foswikiCurrentWebHomeLink";
    if (home && current) out += ' ';
    if (current) out += "foswikiCurrentTopicLink";
    out += "\" ";
  }
  out += "href=\"";
  if (anchor.empty() || !current) {
    if (env.ctx.links) out += env.ctx.links->view_url(web, topic);
    out += params;
  }
  if (!anchor.empty()) {
    out += '#';
    out += foswiki_url_encode(make_anchor(anchor));
  }
  out += "\">";
  out += text;
  out += "</a>";
}

// The singular of a plural topic name, or "" when there is none to try.
std::string singular_form(const LinkEnv& env, std::string_view web, std::string_view plural) {
  if (plural.empty() || plural.back() != 's') return std::string();
  const RenderOptions& o = env.ctx.options;
  if (!o.plural_to_singular) {
    std::string w(web);
    std::replace(w.begin(), w.end(), '.', '/');
    if (w != o.users_web && w != o.system_web) return std::string();
  }
  std::string s(plural);
  auto ends = [&](std::string_view suf) {
    return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
  };
  if (ends("ies")) s.replace(s.size() - 3, 3, "y");
  if (ends("sses")) s.replace(s.size() - 4, 4, "ss");
  if (ends("ches")) s.replace(s.size() - 4, 4, "ch");
  if (ends("oes")) s.replace(s.size() - 3, 3, "o");
  else if (ends("os")) s.replace(s.size() - 2, 2, "o");
  if (s.size() >= 3 && ends("es") && (s[s.size() - 3] == 'x' || s[s.size() - 3] == 'X'))
    s.resize(s.size() - 2);
  if (s.size() >= 2 && s.back() == 's' && s[s.size() - 2] != 's') s.pop_back();
  return s;
}

void render_wiki_word(const LinkEnv& env, std::string_view web, std::string topic,
                      std::string_view text, std::string_view anchor, bool link_if_absent,
                      bool keep_web, std::string_view params, std::string& out) {
  const LinkResolver* links = env.ctx.links;
  bool exists = links && links->topic_exists(web, topic);
  if (!exists && links) {
    std::string singular = singular_form(env, web, topic);
    if (!singular.empty() && links->topic_exists(web, singular)) {
      topic.swap(singular);
      exists = true;
    }
  }
  if (exists) {
    existing_link(env, web, topic, text, anchor, params, out);
  } else if (link_if_absent) {
    new_link(env, web, topic, text, out);
  } else {
    if (keep_web) {
      out += web;
      out += '.';
    }
    out += text;
  }
}

void internal_link(const LinkEnv& env, std::string web, std::string_view topic_in,
                   std::string link_text, std::string_view anchor, bool link_if_absent,
                   bool keep_web, std::string_view params, std::string& out) {
  const RenderOptions& o = env.ctx.options;
  if (!web.empty() && web.back() == '/') web.pop_back();
  if (link_text == web) std::replace(link_text.begin(), link_text.end(), '/', '.');
  if (link_text == o.home_topic && web != env.base_web) link_text = web;
  std::string topic;
  append_ucfirst_cap(topic, trim(topic_in));
  // <nop> before a capital letter that follows white space or '('.
  std::string t;
  size_t run = 0;
  auto nop_at = [&](size_t i) {
    if (run == 0) t.reserve(link_text.size() + 16);
    t.append(link_text, run, i - run);
    t += "<nop>";
    run = i;
  };
  if (std::all_of(link_text.begin(), link_text.end(),
                  [](char ch) { return static_cast<unsigned char>(ch) < 0x80; })) {
    for (size_t i = 1; i < link_text.size(); ++i) {
      const unsigned char p = static_cast<unsigned char>(link_text[i - 1]);
      if (link_text[i] >= 'A' && link_text[i] <= 'Z' && (p == '(' || is_ascii_space(p))) nop_at(i);
    }
  } else {
    size_t len;
    for (size_t i = 0; i < link_text.size(); i += len) {
      char32_t c = decode_at(link_text, i, &len);
      if (i > 0 && is_upper(c) && start_ww(link_text, i)) nop_at(i);
    }
  }
  if (run > 0) {
    t.append(link_text, run);
    link_text.swap(t);
  }
  render_wiki_word(env, web, std::move(topic), link_text, anchor, link_if_absent, keep_web, params,
                   out);
}

}  // namespace

std::string external_link(const LinkEnv& env, std::string url, const std::string* text_in) {
  const RenderOptions& o = env.ctx.options;
  std::string img;
  if ((!text_in || text_in->empty()) && image_link(url, &img)) return img;
  std::string text = text_in ? *text_in : std::string();
  if (starts_with_ci_str(url, "mailto:")) {
    if (!o.email_padding.empty()) {
      pad_email(url, o.email_padding);
      if (text_in) pad_email(text, o.email_padding);
    }
    if (o.entity_encode_email) {
      url = entity_encode_url(url);
      if (text_in) {
        std::string t;
        for (char c : text) {
          if (c == '@') t += "&#64;";
          else t.push_back(c);
        }
        text.swap(t);
      }
    }
  }
  if (text.empty() || text == "0") text = url;
  std::string href;
  for (char c : url) {
    if (c == ' ') href += "%20";
    else href.push_back(c);
  }
  return "<a href=\"" + href + "\">" + text + "</a>";
}

std::string mail_link(const LinkEnv& env, std::string_view text) {
  if (!text.empty() && (text[0] == '!' || text.substr(0, 5) == "<nop>")) return std::string(text);
  std::string_view body = text;
  if (starts_with_ci(body, 0, "mailto:")) body.remove_prefix(7);
  size_t at = body.find('@');
  if (at == std::string_view::npos) return std::string(text);
  std::string_view local = body.substr(0, at), right = body.substr(at);
  // Lengths in characters, as RFC 3696 limits them.
  auto chars = [](std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s)
      if ((c & 0xC0) != 0x80) ++n;
    return n;
  };
  size_t ll = chars(local), lr = chars(right);
  if (ll > 64 || lr > 254 || ll + lr > 254) return std::string(text);
  std::string url = "mailto:";
  static const char* hex = "0123456789abcdef";
  size_t len;
  for (size_t i = 0; i < local.size(); i += len) {
    char32_t c = decode_at(local, i, &len);
    bool esc = is_space(c) || (c < 0x80 && std::strchr("<>#\"%'{}|\\^~`?&=", static_cast<int>(c)) &&
                               c != 0);
    if (esc && c < 0x80) {
      url += '%';
      url += hex[c >> 4];
      url += hex[c & 15];
    } else if (esc) {
      // a wide white space character: Perl's %02x prints its code point
      char buf[16];
      std::snprintf(buf, sizeof buf, "%%%02x", static_cast<unsigned>(c));
      url += buf;
    } else {
      url.append(local.substr(i, len));
    }
  }
  url.append(right);
  std::string t(text);
  return external_link(env, url, &t);
}

void escape_auto_links(const LinkEnv& env, std::string_view text, std::string& out) {
  if (text.empty()) return;
  const int acr = env.ctx.options.acronym_length;
  const size_t start = out.size();
  out.reserve(start + text.size() + 16);
  // After white space or '(': a WikiWord or an acronym (both begin with a
  // capital letter, unless acronyms may be empty), else an e-mail address
  // (which needs an '@').
  const bool any_at = text.find('@') != std::string_view::npos;
  size_t i = 1, run = 0;
  const size_t n = text.size();
  while (i < n) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    const bool word = b >= 0x80 || (b >= 'A' && b <= 'Z') || acr < 1;
    if ((word || any_at) && start_ww(text, i)) {
      size_t end = 0;
      if (word) end = match_web_word(text, i, acr).word_end;
      if (!end && any_at) end = match_email(text, i, false);
      if (end) {
        out.append(text, run, i - run);
        out += "<nop>";
        out.append(text, i, end - i);
        i = run = end;
        continue;
      }
    }
    ++i;
  }
  out.append(text, run);
  // "proto:" followed by a printing character gets a <nop> before the colon.
  // A protocol name ends just before a ':', at most max_protocol bytes on.
  if (out.find(':', start) == std::string::npos) return;
  const std::string a = out.substr(start);
  out.resize(start);
  run = 0;
  size_t colon_at = 0;  // the first ':' at or after k + 1, or npos
  for (size_t k = 0; k < a.size(); ++k) {
    if (!env.protocol_start[static_cast<unsigned char>(a[k])]) continue;
    if (colon_at != std::string::npos && colon_at <= k) colon_at = a.find(':', k + 1);
    if (colon_at == std::string::npos || colon_at - k > env.max_protocol) continue;
    size_t pl = match_protocol(env, a, k);
    if (!pl) continue;
    size_t colon = k + pl;
    if (colon + 1 < a.size() && !is_space(char_at(a, colon + 1))) {
      out.append(a, run, colon - run);
      out += "<nop>";
      run = colon;
    }
    k = colon;
  }
  out.append(a, run, std::string::npos);
}

void square_bracket_link(const LinkEnv& env, std::string_view target, const std::string* label,
                         std::string& out) {
  std::string_view link = trim(target);
  std::string text;
  if (label && !image_link(*label, &text)) escape_auto_links(env, *label, text);
  if (match_protocol(env, link, 0) || (!link.empty() && link[0] == '/')) {
    out += external_link(env, std::string(link), label ? &text : nullptr);
    return;
  }

  std::string_view params;
  size_t q = link.find('?');
  if (q != std::string_view::npos) {
    params = link.substr(q);
    link = link.substr(0, q);
  }
  if (!label) escape_auto_links(env, link, text);
  if (find_any(text, "=_*") != std::string::npos) text = emphasis_all(text);

  // "#anchor" at the end of the link (after the last '#', anchor characters only)
  std::string_view anchor;
  {
    size_t hash = link.rfind('#');
    if (hash != std::string_view::npos && hash + 1 < link.size()) {
      bool ok = true;
      size_t len;
      for (size_t k = hash + 1; k < link.size() && ok; k += len) {
        char32_t c = decode_at(link, k, &len);
        ok = c == ':' || c == '.' || c == '_' || is_alnum(c);
      }
      if (ok) {
        anchor = link.substr(hash);
        link = link.substr(0, hash);
      }
    }
  }
  // Legacy: drop entities, then turn runs of forbidden characters into a space.
  std::string no_entities;
  if (link.find('&') != std::string_view::npos) {
    no_entities.reserve(link.size());
    for (size_t k = 0; k < link.size();) {
      if (link[k] == '&') {
        size_t j = k + 1;
        if (j < link.size() && link[j] == '#') {
          size_t m = j + 1;
          while (m < link.size() && is_ascii_digit(link[m])) ++m;
          if (m > j + 1 && m < link.size() && link[m] == ';') {
            k = m + 1;
            continue;
          }
        } else {
          size_t m = j;
          while (m < link.size() && is_ascii_alpha(static_cast<unsigned char>(link[m]))) ++m;
          if (m > j && m < link.size() && link[m] == ';') {
            k = m + 1;
            continue;
          }
        }
      }
      no_entities.push_back(link[k++]);
    }
    link = no_entities;
  }
  std::string name;
  {
    name.reserve(link.size());
    size_t len;
    bool in_run = false;
    for (size_t k = 0; k < link.size(); k += len) {
      char32_t c = decode_at(link, k, &len);
      if (env.filter.matches(c)) {
        if (!in_run) name.push_back(' ');
        in_run = true;
      } else {
        name.append(link, k, len);
        in_run = false;
      }
    }
  }
  // ucfirst, capitals after white space, and no white space left.
  std::string path;
  path.reserve(name.size() + 4);
  append_ucfirst_cap(path, name, true);
  const std::string_view full = path.empty() ? std::string_view(env.topic) : path;
  // Web.Topic / Web/Topic: split at the last '.' or '/'.
  std::string web;
  std::string_view topic = full;
  size_t sep = rfind_any(full, "./");
  if (sep != std::string_view::npos) {
    web = full.substr(0, sep);
    topic = full.substr(sep + 1);
  } else {
    web = env.web;
  }
  if (web.empty()) web = env.ctx.options.users_web;
  if (topic.empty()) topic = env.ctx.options.home_topic;
  std::replace(web.begin(), web.end(), '.', '/');
  internal_link(env, std::move(web), topic, std::move(text), anchor, true, false, params, out);
}

void wiki_word_link(const LinkEnv& env, std::string_view web_in, std::string_view topic,
                    std::string_view anchor, std::string& out) {
  std::string web(web_in.empty() ? std::string_view(env.web) : web_in);
  std::string text;
  text.reserve(topic.size() + anchor.size());
  text += topic;
  text += anchor;
  bool abbrev = whole_abbrev(topic, env.ctx.options.acronym_length);
  bool keep_web = abbrev && web != env.base_web;
  internal_link(env, std::move(web), topic, std::move(text), anchor, !abbrev, keep_web, "", out);
}

}  // namespace cwiki::tml

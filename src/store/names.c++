#include "store/names.h"

#include "util/escape.h"
#include "util/regex.h"

namespace cwiki {
namespace {

// Each pattern is anchored and compiled once per process.
const Regex& wikiword_re() {
  static const Regex re(R"(\A[[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*\z)");
  return re;
}
const Regex& topic_re() {
  static const Regex re(
      R"(\A(?:[[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*|[[:upper:]]{3,}s?)\z)");
  return re;
}
const Regex& web_re() {
  static const Regex re(R"(\A[[:upper:]]+[[:alnum:]_]*\z)");
  return re;
}
const Regex& system_web_re() {
  static const Regex re(R"(\A_[[:alnum:]_]+\z)");
  return re;
}
// Foswiki's default {NameFilter}: characters that may never appear in a name.
const Regex& name_filter_re() {
  static const Regex re(R"([\\\s*?~^$@%`"'&|<:;>\[\]#\x00-\x1f])");
  return re;
}

bool up(char c) { return c >= 'A' && c <= 'Z'; }
bool low(char c) { return c >= 'a' && c <= 'z'; }
bool dig(char c) { return c >= '0' && c <= '9'; }
bool alnum(char c) { return up(c) || low(c) || dig(c); }

// The ASCII cases of the patterns above, without the regex engine (names
// are checked on every link and every file listed).
bool ascii_wikiword(std::string_view s) {
  size_t i = 0, n = s.size();
  size_t a = i;
  while (i < n && up(s[i])) ++i;
  if (i == a) return false;
  a = i;
  while (i < n && (low(s[i]) || dig(s[i]))) ++i;
  if (i == a) return false;
  a = i;
  while (i < n && up(s[i])) ++i;
  if (i == a) return false;
  while (i < n && alnum(s[i])) ++i;
  return i == n;
}
bool ascii_acronym(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && up(s[i])) ++i;
  return i >= 3 && (i == s.size() || (i + 1 == s.size() && s[i] == 's'));
}
bool ascii_web(std::string_view s) {
  if (s.empty() || !up(s[0])) return false;
  for (char c : s.substr(1))
    if (!alnum(c) && c != '_') return false;
  return true;
}
bool ascii_system_web(std::string_view s) {
  if (s.size() < 2 || s[0] != '_') return false;
  for (char c : s.substr(1))
    if (!alnum(c) && c != '_') return false;
  return true;
}
bool ascii_filtered(std::string_view s) {  // a character of the default {NameFilter}
  for (unsigned char c : s) {
    if (c < 0x20 || c == ' ' || c == 0x7f) {
      if (c == 0x7f) continue;  // DEL is not in the filter
      return true;
    }
    switch (c) {
      case '\\': case '*': case '?': case '~': case '^': case '$': case '@': case '%':
      case '`': case '"': case '\'': case '&': case '|': case '<': case ':': case ';':
      case '>': case '[': case ']': case '#':
        return true;
      default:
        break;
    }
  }
  return false;
}

// Not empty, not too long, no NUL, '/' or '.', and well-formed UTF-8;
// `ascii` tells whether every byte is ASCII.
bool basic_ok(std::string_view s, bool& ascii) {
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  unsigned char high = 0;
  for (char c : s) {
    if (c == '\0' || c == '/' || c == '.') return false;
    high |= static_cast<unsigned char>(c);
  }
  ascii = high < 0x80;
  return ascii || is_valid_utf8(s);
}

}  // namespace

bool is_wikiword(std::string_view s) {
  bool ascii;
  if (!basic_ok(s, ascii)) return false;
  if (ascii) return ascii_wikiword(s);
  return wikiword_re().search(s);
}

bool is_valid_web_component(std::string_view s, bool allow_system) {
  bool ascii;
  if (!basic_ok(s, ascii)) return false;
  if (ascii) return ascii_web(s) || (allow_system && ascii_system_web(s));
  if (web_re().search(s)) return true;
  return allow_system && system_web_re().search(s);
}

bool is_valid_web_name(std::string_view s, bool allow_system) {
  if (s.empty() || s.size() > kMaxWebPathBytes) return false;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '/' || s[i] == '.') {
      if (++depth > kMaxWebDepth) return false;
      if (!is_valid_web_component(s.substr(start, i - start), allow_system)) return false;
      start = i + 1;
    }
  }
  return true;
}

bool is_valid_topic_name(std::string_view s, bool allow_non_wikiword) {
  bool ascii;
  if (!basic_ok(s, ascii)) return false;
  if (ascii) {
    if (ascii_wikiword(s) || ascii_acronym(s)) return true;
    return allow_non_wikiword && !ascii_filtered(s);
  }
  if (topic_re().search(s)) return true;
  return allow_non_wikiword && !name_filter_re().search(s);
}

bool is_valid_attachment_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameBytes || s.front() == '.' || !is_valid_utf8(s)) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  return !s.ends_with(",v") && !s.ends_with(",pfv");
}

std::string normalize_web(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '.') c = '/';
  return out;
}

std::string ucfirst(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

}  // namespace cwiki

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

bool basic_ok(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  for (char c : s)
    if (c == '\0' || c == '/' || c == '.') return false;
  return is_valid_utf8(s);
}

}  // namespace

bool is_wikiword(std::string_view s) { return basic_ok(s) && wikiword_re().search(s); }

bool is_valid_web_component(std::string_view s, bool allow_system) {
  if (!basic_ok(s)) return false;
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
  if (!basic_ok(s)) return false;
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

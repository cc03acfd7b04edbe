// Searching for any of a few bytes.  std::string_view::find_first_of and
// find_last_of call memchr on the set once per byte of the text, which is
// slow on the short names and paths that every link and macro looks at.
#pragma once

#include <string_view>

namespace cwiki {

// ASCII lower case (std::tolower is a call, and depends on the locale).
inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// The first position at or after `from` whose byte is in `set`; npos if none.
inline size_t find_any(std::string_view s, std::string_view set, size_t from = 0) {
  for (size_t i = from; i < s.size(); ++i)
    for (char c : set)
      if (s[i] == c) return i;
  return std::string_view::npos;
}

// The last position whose byte is in `set`; npos if none.
inline size_t rfind_any(std::string_view s, std::string_view set) {
  for (size_t i = s.size(); i-- > 0;)
    for (char c : set)
      if (s[i] == c) return i;
  return std::string_view::npos;
}

}  // namespace cwiki

// Character-level helpers shared by the TML renderer (internal to src/tml).
//
// Foswiki works on Perl character strings, so its character classes
// ([[:upper:]], \s, \w ...) are Unicode-aware.  The renderer works on UTF-8
// bytes; these helpers decode one character at a time and classify it the
// way Perl does.  ASCII takes a fast path; other code points are classified
// with the C.UTF-8 locale (letters, digits) and a fixed table (white space,
// which follows Perl's \s rather than POSIX).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cwiki::tml {

// Decodes the character that starts at s[i] (i < s.size()).  *len receives
// its length in bytes (at least 1).  A malformed byte decodes as itself
// (U+0080..U+00FF range is never produced for it; it is reported as 0xFFFD).
char32_t decode_at(std::string_view s, size_t i, size_t* len);

// Index of the first byte of the character that ends just before s[i] (i > 0).
size_t prev_index(std::string_view s, size_t i);

// The character before s[i], or 0 when i == 0.
char32_t char_before(std::string_view s, size_t i);

// The character at s[i], or 0 when i >= s.size().
char32_t char_at(std::string_view s, size_t i);

bool is_space(char32_t c);   // Perl \s
bool is_upper(char32_t c);   // [[:upper:]]
bool is_lower(char32_t c);   // [[:lower:]]
bool is_digit(char32_t c);   // [[:digit:]]
bool is_alnum(char32_t c);   // [[:alnum:]]
bool is_word(char32_t c);    // \w

inline bool is_ascii_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool is_ascii_alnum(unsigned char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Case-insensitive (ASCII) comparison of s[i..] with a lower-case word.
bool starts_with_ci(std::string_view s, size_t i, std::string_view lower_word);

// Foswiki's $STARTWW: at the start of a line, or after white space or '('.
bool start_ww(std::string_view s, size_t i);
// Foswiki's $ENDWW: at the end of a line, or before white space or one of ,.;:!?)
bool end_ww(std::string_view s, size_t i);

// Appends the UTF-8 encoding of c.
void append_utf8(std::string& out, char32_t c);

// Lengths of the matches of Foswiki's name regexes starting at s[i]
// (0 when there is none).
//   wikiword: [[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*
//   abbrev:   [[:upper:]]{3,}s?\b     (minimum length given)
//   web:      [[:upper:]]+[[:alnum:]_]*
size_t match_wikiword(std::string_view s, size_t i);
size_t match_abbrev(std::string_view s, size_t i, int min_upper = 3);
size_t match_web_component(std::string_view s, size_t i);

// A whole string that is exactly a WikiWord / an acronym.
bool whole_wikiword(std::string_view s);
bool whole_abbrev(std::string_view s, int min_upper = 3);

// Lower-case hexadecimal %XX of every byte of the UTF-8 text not in
// 0-9a-zA-Z-_.:~!*/ (Foswiki::urlEncode).
std::string foswiki_url_encode(std::string_view s);

}  // namespace cwiki::tml

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
#include <cstring>
#include <string>
#include <string_view>

namespace cwiki::tml {

// Out-of-line parts of the helpers below (characters beyond ASCII).
char32_t decode_multibyte(std::string_view s, size_t i, size_t* len);
size_t prev_index_multibyte(std::string_view s, size_t i);
bool is_space_multibyte(char32_t c);
bool is_upper_multibyte(char32_t c);
bool is_lower_multibyte(char32_t c);
bool is_digit_multibyte(char32_t c);
bool is_alnum_multibyte(char32_t c);

constexpr bool is_ascii_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_alnum(unsigned char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
constexpr bool is_ascii_space(unsigned char c) { return c == ' ' || (c >= 0x09 && c <= 0x0D); }
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Decodes the character that starts at s[i] (i < s.size()).  *len receives
// its length in bytes (at least 1).  A malformed byte decodes as itself
// (U+0080..U+00FF range is never produced for it; it is reported as 0xFFFD).
inline char32_t decode_at(std::string_view s, size_t i, size_t* len) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  return decode_multibyte(s, i, len);
}

// Index of the first byte of the character that ends just before s[i] (i > 0).
inline size_t prev_index(std::string_view s, size_t i) {
  return static_cast<unsigned char>(s[i - 1]) < 0x80 ? i - 1 : prev_index_multibyte(s, i);
}

// The character before s[i], or 0 when i == 0.
inline char32_t char_before(std::string_view s, size_t i) {
  if (i == 0) return 0;
  size_t len;
  return decode_at(s, prev_index(s, i), &len);
}

// The character at s[i], or 0 when i >= s.size().
inline char32_t char_at(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  size_t len;
  return decode_at(s, i, &len);
}

// Perl \s
inline bool is_space(char32_t c) { return c < 0x80 ? is_ascii_space(c) : is_space_multibyte(c); }
// [[:upper:]]
inline bool is_upper(char32_t c) { return c < 0x80 ? c >= 'A' && c <= 'Z' : is_upper_multibyte(c); }
// [[:lower:]]
inline bool is_lower(char32_t c) { return c < 0x80 ? c >= 'a' && c <= 'z' : is_lower_multibyte(c); }
// [[:digit:]]
inline bool is_digit(char32_t c) { return c < 0x80 ? is_ascii_digit(c) : is_digit_multibyte(c); }
// [[:alnum:]]
inline bool is_alnum(char32_t c) { return c < 0x80 ? is_ascii_alnum(c) : is_alnum_multibyte(c); }
// \w
inline bool is_word(char32_t c) { return c == '_' || is_alnum(c); }

// Eight bytes at a time: the word at s[i] (i + 8 <= s.size()), and whether
// it holds a byte equal to b, or one below b (b <= 128).
inline uint64_t load8(std::string_view s, size_t i) {
  uint64_t w;
  std::memcpy(&w, s.data() + i, sizeof w);
  return w;
}
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;
constexpr bool has_byte(uint64_t w, unsigned char b) {
  const uint64_t v = w ^ (kOnes * b);
  return ((v - kOnes) & ~v & kHighs) != 0;
}
constexpr bool has_byte_below(uint64_t w, unsigned char b) {
  return ((w - kOnes * b) & ~w & kHighs) != 0;
}

// Index of the first byte at or after i that is one of Bytes, or s.size().
template <char... Bytes>
size_t find_byte_of(std::string_view s, size_t i) {
  if (i < s.size() && ((s[i] == Bytes) || ...)) return i;
  for (; i + 8 <= s.size(); i += 8) {
    const uint64_t w = load8(s, i);
    if ((has_byte(w, static_cast<unsigned char>(Bytes)) || ...)) break;
  }
  for (; i < s.size(); ++i)
    if (((s[i] == Bytes) || ...)) return i;
  return s.size();
}

// Case-insensitive (ASCII) comparison of s[i..] with a lower-case word.
bool starts_with_ci(std::string_view s, size_t i, std::string_view lower_word);

// Foswiki's $STARTWW: at the start of a line, or after white space or '('.
inline bool start_ww(std::string_view s, size_t i) {
  if (i == 0) return true;
  const unsigned char p = static_cast<unsigned char>(s[i - 1]);
  if (p < 0x80) return p == '(' || is_ascii_space(p);
  return is_space(char_before(s, i));
}
// Foswiki's $ENDWW: at the end of a line, or before white space or one of ,.;:!?)
inline bool end_ww(std::string_view s, size_t i) {
  if (i >= s.size()) return true;
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' ||
           is_ascii_space(c);
  }
  return is_space(char_at(s, i));
}

// Appends the UTF-8 encoding of c.
void append_utf8(std::string& out, char32_t c);

// Appends the decimal digits of v (at least `min_digits`, zero-padded).
void append_decimal(std::string& out, uint32_t v, int min_digits = 1);

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

}  // namespace cwiki::tml

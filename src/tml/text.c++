#include "tml/text.h"

#include <locale.h>
#include <wctype.h>

namespace cwiki::tml {
namespace {

locale_t utf8_locale() {
  static const locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (!l) l = newlocale(LC_CTYPE_MASK, "C.utf8", static_cast<locale_t>(0));
    return l;
  }();
  return loc;
}

}  // namespace

char32_t decode_multibyte(std::string_view s, size_t i, size_t* len) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  char32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    *len = 1;
    return 0xFFFD;
  }
  if (i + n > s.size()) {
    *len = 1;
    return 0xFFFD;
  }
  for (size_t k = 1; k < n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      *len = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *len = n;
  return cp;
}

size_t prev_index_multibyte(std::string_view s, size_t i) {
  size_t j = i - 1;
  // Step back over at most three continuation bytes.
  for (int k = 0; k < 3 && j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80; ++k) --j;
  size_t len;
  decode_at(s, j, &len);
  if (j + len != i) return i - 1;  // malformed: treat the last byte alone
  return j;
}

bool is_space_multibyte(char32_t c) {
  switch (c) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_upper_multibyte(char32_t c) {
  locale_t l = utf8_locale();
  return l && c != 0xFFFD && iswupper_l(static_cast<wint_t>(c), l);
}

bool is_lower_multibyte(char32_t c) {
  locale_t l = utf8_locale();
  return l && c != 0xFFFD && iswlower_l(static_cast<wint_t>(c), l);
}

bool is_digit_multibyte(char32_t c) {
  // Perl's [[:digit:]] is every decimal digit; glibc's iswdigit is ASCII only.
  locale_t l = utf8_locale();
  return l && c != 0xFFFD && iswalnum_l(static_cast<wint_t>(c), l) &&
         !iswalpha_l(static_cast<wint_t>(c), l);
}

bool is_alnum_multibyte(char32_t c) {
  locale_t l = utf8_locale();
  return l && c != 0xFFFD && iswalnum_l(static_cast<wint_t>(c), l);
}

bool starts_with_ci(std::string_view s, size_t i, std::string_view lower_word) {
  if (i + lower_word.size() > s.size()) return false;
  for (size_t k = 0; k < lower_word.size(); ++k)
    if (ascii_lower(s[i + k]) != lower_word[k]) return false;
  return true;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

void append_decimal(std::string& out, uint32_t v, int min_digits) {
  char buf[16];
  char* e = buf + sizeof buf;
  char* p = e;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 || e - p < min_digits);
  out.append(p, static_cast<size_t>(e - p));
}

size_t match_wikiword(std::string_view s, size_t i) {
  size_t j = i, len;
  size_t uppers = 0;
  while (j < s.size()) {
    char32_t c = decode_at(s, j, &len);
    if (!is_upper(c)) break;
    j += len;
    ++uppers;
  }
  if (uppers == 0) return 0;
  size_t lowers = 0;
  while (j < s.size()) {
    char32_t c = decode_at(s, j, &len);
    if (!is_lower(c) && !is_digit(c)) break;
    j += len;
    ++lowers;
  }
  if (lowers == 0 || j >= s.size()) return 0;
  if (!is_upper(decode_at(s, j, &len))) return 0;
  while (j < s.size()) {
    char32_t c = decode_at(s, j, &len);
    if (!is_alnum(c)) break;
    j += len;
  }
  return j - i;
}

size_t match_abbrev(std::string_view s, size_t i, int min_upper) {
  size_t j = i, len;
  int uppers = 0;
  while (j < s.size()) {
    char32_t c = decode_at(s, j, &len);
    if (!is_upper(c)) break;
    j += len;
    ++uppers;
  }
  if (uppers < min_upper) return 0;
  // \b after the match: the next character must not be a word character.
  auto boundary = [&](size_t k) { return k >= s.size() || !is_word(char_at(s, k)); };
  if (j < s.size() && s[j] == 's' && boundary(j + 1)) return j + 1 - i;
  if (boundary(j)) return j - i;
  return 0;
}

size_t match_web_component(std::string_view s, size_t i) {
  size_t j = i, len;
  if (j >= s.size() || !is_upper(decode_at(s, j, &len))) return 0;
  j += len;
  while (j < s.size()) {
    char32_t c = decode_at(s, j, &len);
    if (c != '_' && !is_alnum(c)) break;
    j += len;
  }
  return j - i;
}

bool whole_wikiword(std::string_view s) { return !s.empty() && match_wikiword(s, 0) == s.size(); }

bool whole_abbrev(std::string_view s, int min_upper) {
  return !s.empty() && match_abbrev(s, 0, min_upper) == s.size();
}

}  // namespace cwiki::tml

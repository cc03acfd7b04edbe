// Escaping helpers: every value that reaches HTML or a URL goes through here.
#pragma once

#include <string>
#include <string_view>

namespace cwiki {

// Appends `in` to `out` with &, <, >, " and ' replaced by entities.
void append_html_escaped(std::string& out, std::string_view in);
std::string html_escape(std::string_view in);

// Percent-encodes everything except unreserved characters (RFC 3986) and,
// when keep_slash is true, '/'.  Suitable for a path segment or a query value.
std::string url_encode(std::string_view in, bool keep_slash = false);
void append_url_encoded(std::string& out, std::string_view in, bool keep_slash = false);

// Foswiki's urlEncode: every byte but [0-9a-zA-Z-_.:~!*/] as %xx (lower case).
std::string foswiki_url_encode(std::string_view in);
void append_foswiki_url_encoded(std::string& out, std::string_view in);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Replaces every byte that is not part of well-formed UTF-8 by the four
// characters \xHH (upper-case hex), as Perl's Encode does with FB_PERLQQ,
// which is how Foswiki reads such bytes.  Returns true when anything changed.
bool repair_utf8(std::string& s);

}  // namespace cwiki

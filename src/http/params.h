// Parsing of query strings and request bodies, with explicit limits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace cwiki {

struct ParseLimits {
  size_t max_params = 1000;      // parameters in a query string or body
  size_t max_parts = 100;        // parts in a multipart body
  size_t max_header_bytes = 8192;  // headers of one multipart part
};

// The outcome of a parse: ok, or an HTTP status (400) with a message for the user.
struct ParseResult {
  int status = 0;  // 0 = ok
  std::string message;
  bool ok() const { return status == 0; }
  static ParseResult error(int st, std::string msg) { return {st, std::move(msg)}; }
};

// %XX decoding; '+' becomes a space when plus_is_space.  Returns false for a
// malformed escape (a '%' not followed by two hex digits).
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

// application/x-www-form-urlencoded (also the query string).  Pairs split on
// '&' or ';' as Foswiki does.  A decoded name or value holding NUL or
// invalid UTF-8 is refused.
ParseResult parse_urlencoded(std::string_view in, Params& out, const ParseLimits& lim = {});

// multipart/form-data.  `content_type` is the request's header, with its boundary.
// Fields without a filename become params; the others become uploads (and a
// param holding the file name, as CGI does).
ParseResult parse_multipart(std::string_view body, std::string_view content_type, Params& out,
                            std::vector<Upload>& uploads, const ParseLimits& lim = {});

// Parses the query string and, for a form body, the body, by Content-Type.
ParseResult parse_request_params(const Request& req, Params& out, std::vector<Upload>& uploads,
                                 const ParseLimits& lim = {});

}  // namespace cwiki

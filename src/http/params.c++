#include "http/params.h"

#include <cctype>

#include "util/escape.h"

namespace cwiki {
namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool text_ok(std::string_view s) {
  return s.find('\0') == std::string_view::npos && is_valid_utf8(s);
}

// Finds parameter `name` (lower-case) in a header value like
// `form-data; name="a"; filename="b"` or `multipart/form-data; boundary=xyz`.
// Quoted values may hold backslash escapes.  Returns false when absent.
bool header_param(std::string_view value, std::string_view name, std::string& out) {
  size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) return false;
    std::string_view key = trim(value.substr(i, eq - i));
    size_t j = eq + 1;
    std::string val;
    if (j < value.size() && value[j] == '"') {
      ++j;
      while (j < value.size() && value[j] != '"') {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        val.push_back(value[j++]);
      }
      if (j >= value.size()) return false;  // unterminated quote
      ++j;
    } else {
      size_t end = value.find(';', j);
      val = std::string(trim(value.substr(j, end == std::string_view::npos ? end : end - j)));
      j = end == std::string_view::npos ? value.size() : end;
    }
    bool match = key.size() == name.size();
    for (size_t k = 0; match && k < key.size(); ++k)
      match = std::tolower(static_cast<unsigned char>(key[k])) == name[k];
    if (match) {
      out = std::move(val);
      return true;
    }
    i = value.find(';', j);
  }
  return false;
}

}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

ParseResult parse_urlencoded(std::string_view in, Params& out, const ParseLimits& lim) {
  size_t count = 0;
  size_t start = 0;
  while (start <= in.size()) {
    size_t end = in.find_first_of("&;", start);
    if (end == std::string_view::npos) end = in.size();
    std::string_view pair = in.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    if (++count > lim.max_params)
      return ParseResult::error(400, "Too many parameters (the limit is " +
                                        std::to_string(lim.max_params) + ").");
    size_t eq = pair.find('=');
    std::string name, value;
    if (!percent_decode(pair.substr(0, eq), name, true) ||
        (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), value, true)))
      return ParseResult::error(400, "Malformed %-escape in the parameters.");
    if (!text_ok(name) || !text_ok(value))
      return ParseResult::error(400, "A parameter holds a NUL byte or invalid UTF-8.");
    out.add(std::move(name), std::move(value));
  }
  return {};
}

ParseResult parse_multipart(std::string_view body, std::string_view content_type, Params& out,
                            std::vector<Upload>& uploads, const ParseLimits& lim) {
  std::string boundary;
  if (!header_param(content_type, "boundary", boundary) || boundary.empty() ||
      boundary.size() > 200)
    return ParseResult::error(400, "Malformed multipart body: missing or invalid boundary.");
  const std::string delim = "--" + boundary;
  const std::string inner = "\r\n" + delim;

  size_t pos;
  if (body.substr(0, delim.size()) == delim) {
    pos = 0;
  } else {
    pos = body.find(inner);
    if (pos == std::string_view::npos)
      return ParseResult::error(400, "Malformed multipart body: no boundary found.");
    pos += 2;
  }
  size_t parts = 0;
  for (;;) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") return {};  // closing delimiter; epilogue ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n")
      return ParseResult::error(400, "Malformed multipart body: bad delimiter line.");
    pos += 2;
    if (++parts > lim.max_parts)
      return ParseResult::error(400, "Too many parts in the multipart body (the limit is " +
                                        std::to_string(lim.max_parts) + ").");
    size_t hdr_end = body.find("\r\n\r\n", pos);
    bool no_headers = body.substr(pos, 2) == "\r\n";
    if (no_headers) hdr_end = pos - 2;
    if (hdr_end == std::string_view::npos || hdr_end - pos > lim.max_header_bytes)
      return ParseResult::error(400, "Malformed multipart body: part headers not terminated.");
    std::string_view headers = no_headers ? std::string_view() : body.substr(pos, hdr_end - pos);
    size_t data_start = hdr_end + 4;
    size_t data_end = body.find(inner, data_start);
    if (data_end == std::string_view::npos)
      return ParseResult::error(400, "Malformed multipart body: a part is not terminated.");

    std::string disposition, part_type;
    size_t hs = 0;
    while (hs < headers.size()) {
      size_t he = headers.find("\r\n", hs);
      if (he == std::string_view::npos) he = headers.size();
      std::string_view line = headers.substr(hs, he - hs);
      hs = he + 2;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos)
        return ParseResult::error(400, "Malformed multipart body: bad part header.");
      std::string_view hname = trim(line.substr(0, colon));
      std::string_view hval = trim(line.substr(colon + 1));
      if (hname.size() == 19 && iequals_prefix(hname, "content-disposition"))
        disposition = std::string(hval);
      else if (hname.size() == 12 && iequals_prefix(hname, "content-type"))
        part_type = std::string(hval);
    }
    std::string name, filename;
    if (!iequals_prefix(disposition, "form-data") || !header_param(disposition, "name", name))
      return ParseResult::error(400, "Malformed multipart body: a part has no form-data name.");
    if (!text_ok(name))
      return ParseResult::error(400, "A parameter name holds a NUL byte or invalid UTF-8.");
    std::string_view data = body.substr(data_start, data_end - data_start);
    if (header_param(disposition, "filename", filename)) {
      if (!text_ok(filename))
        return ParseResult::error(400, "An upload's file name holds a NUL byte or invalid UTF-8.");
      out.add(name, filename);
      uploads.push_back(Upload{std::move(name), std::move(filename), std::move(part_type),
                               std::string(data)});
    } else {
      if (!text_ok(data))
        return ParseResult::error(400, "A parameter holds a NUL byte or invalid UTF-8.");
      if (out.size() >= lim.max_params)
        return ParseResult::error(400, "Too many parameters (the limit is " +
                                          std::to_string(lim.max_params) + ").");
      out.add(std::move(name), std::string(data));
    }
    pos = data_end + 2;
  }
}

ParseResult parse_request_params(const Request& req, Params& out, std::vector<Upload>& uploads,
                                 const ParseLimits& lim) {
  if (auto r = parse_urlencoded(req.query, out, lim); !r.ok()) return r;
  if (req.body.empty()) return {};
  const std::string* ct = req.header("content-type");
  if (!ct) return {};
  if (iequals_prefix(*ct, "application/x-www-form-urlencoded"))
    return parse_urlencoded(req.body, out, lim);
  if (iequals_prefix(*ct, "multipart/form-data"))
    return parse_multipart(req.body, *ct, out, uploads, lim);
  return {};  // other bodies are left to the action that wants them
}

}  // namespace cwiki

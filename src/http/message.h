// The engine's view of an HTTP exchange.  The adapter (mod_cwiki.c++) fills a
// Request from Apache's request_rec and writes the Response back; nothing in
// src/ sees httpd types.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cwiki {

// Request parameters in the order they arrived; a name may repeat.
class Params {
 public:
  void add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  // First value of `name`, or nullptr.
  const std::string* get(std::string_view name) const {
    for (const auto& [n, v] : items_)
      if (n == name) return &v;
    return nullptr;
  }
  std::string get_or(std::string_view name, std::string_view fallback) const {
    const std::string* v = get(name);
    return v ? *v : std::string(fallback);
  }
  std::vector<std::string> all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : items_)
      if (n == name) out.push_back(v);
    return out;
  }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// A file sent in a multipart/form-data body.
struct Upload {
  std::string field;         // the form field's name
  std::string filename;      // as the browser sent it (may contain a path)
  std::string content_type;  // the part's Content-Type, if any
  std::string data;
};

struct Request {
  std::string method = "GET";
  std::string path;   // URL path, %-decoded, e.g. /foswiki/bin/view/Main/WebHome
  std::string query;  // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool body_too_large = false;  // the body exceeded the limit and was not read
  std::string remote_user;  // as authenticated by Apache, or empty
  std::string remote_addr;  // the client's address
  bool secure = false;      // the request came over HTTPS

  const std::string* header(std::string_view lower_name) const {
    for (const auto& [n, v] : headers)
      if (n == lower_name) return &v;
    return nullptr;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace cwiki

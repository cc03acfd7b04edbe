#include "site/engine.h"

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>

#include "actions/actions.h"
#include "actions/page.h"
#include "http/params.h"
#include "http/router.h"
#include "store/fs.h"

namespace cwiki {
namespace {

class StoreOracle final : public NameOracle {
 public:
  explicit StoreOracle(const Store& s) : s_(s) {}
  bool web_exists(std::string_view web) const override { return s_.web_exists(web); }
  bool topic_exists(std::string_view web, std::string_view topic) const override {
    return !web.empty() && s_.topic_exists(web, topic);
  }

 private:
  const Store& s_;
};

}  // namespace

namespace {

StoreOptions store_options(const Config& c) {
  StoreOptions o;
  o.data_dir = c.data();
  o.pub_dir = c.pub();
  o.cache_bytes = c.cache_bytes;
  return o;
}

Config finish(Config c) {
  // Short view URLs are Foswiki's {ScriptUrlPaths}{view}.
  if (!c.view_url_path.empty() && !c.script_url_paths.count("view"))
    c.script_url_paths["view"] = c.view_url_path;
  return c;
}

}  // namespace

Engine::Engine(Config cfg, const Fs& fs)
    : cfg_(finish(std::move(cfg))), store_(store_options(cfg_), fs) {}

namespace {

// A strong validator for a page: the hash of the bytes sent.  Pages are
// built from many topics, preferences and templates, so only the result
// tells reliably whether anything changed.
std::string etag_of(std::string_view body) {
  // The standard library's string hash (MurmurHash64A in libstdc++): eight
  // bytes a step, the same in every worker process built against it.
  uint64_t h = std::hash<std::string_view>{}(body);
  static const char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (int i = 60; i >= 0; i -= 4) out.push_back(hex[(h >> i) & 15]);
  out += "-" + std::to_string(body.size()) + "\"";
  return out;
}

// Does an If-None-Match header name this entity tag (or "*")?
bool none_match(std::string_view header, std::string_view etag) {
  size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',' || header[i] == '\t')) ++i;
    size_t j = header.find(',', i);
    if (j == std::string_view::npos) j = header.size();
    std::string_view tag = header.substr(i, j - i);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);  // weak comparison, as RFC 9110 wants for GET
    if (tag == "*" || tag == etag) return true;
    i = j + 1;
  }
  return false;
}

// Adds an ETag to a successful GET/HEAD answer, and turns it into 304 Not
// Modified when the client already holds these bytes.
void conditional(const Request& req, Response& r) {
  if (r.status != 200 || (req.method != "GET" && req.method != "HEAD")) return;
  std::string etag = etag_of(r.body);
  r.set_header("ETag", etag);
  bool has_cc = false;
  for (const auto& [n, v] : r.headers) has_cc = has_cc || n == "Cache-Control";
  if (!has_cc) r.set_header("Cache-Control", "no-cache");
  if (const std::string* inm = req.header("if-none-match"); inm && none_match(*inm, etag)) {
    r.status = 304;
    r.body.clear();
  }
}

}  // namespace

Response Engine::handle(const Request& req, Log& log) const {
  try {
    // A request that only reads looks at each file once (see StatScope).
    std::optional<StatScope> stats;
    if (req.method == "GET" || req.method == "HEAD") stats.emplace();
    Response r = dispatch(req, log);
    conditional(req, r);
    return r;
  } catch (const std::exception& e) {
    log.write(LogLevel::error, 1, std::string("internal error: ") + e.what());
  } catch (...) {
    log.write(LogLevel::error, 1, "internal error of unknown kind");
  }
  return error_response(cfg_, 500, "Internal error",
                        "The wiki could not answer this request; the server log has details.");
}

Response Engine::dispatch(const Request& req, Log& log) const {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
    Response r = error_response(cfg_, 405, "Method not allowed",
                                "The wiki answers GET, HEAD and POST requests only.");
    r.set_header("Allow", "GET, HEAD, POST");
    return r;
  }
  if (req.body_too_large || req.body.size() > cfg_.max_body_bytes)
    return error_response(cfg_, 413, "Request too large",
                          "The request body exceeds the limit of " +
                              std::to_string(cfg_.max_body_bytes) + " bytes.");
  Params params;
  std::vector<Upload> uploads;
  if (auto pr = parse_request_params(req, params, uploads); !pr.ok())
    return error_response(cfg_, pr.status, "Bad request", pr.message);

  StoreOracle oracle(store_);
  Route route = cwiki::route(cfg_, req.path, params, oracle);
  if (!route.ok())
    return error_response(cfg_, route.status, route.status == 404 ? "Not found" : "Bad request",
                          route.message);
  ActionFn fn = find_action(route.action);
  if (!fn) {
    if (is_foswiki_action(route.action))
      return error_response(cfg_, 501, "Not available",
                            "The action \"" + route.action +
                                "\" is not available in this version of the wiki.");
    return error_response(cfg_, 404, "Unknown action",
                          "There is no action \"" + route.action + "\" on this wiki.");
  }
  Context ctx{cfg_, store_, req, params, uploads, route, log};
  return fn(ctx);
}

}  // namespace cwiki

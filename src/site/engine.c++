#include "site/engine.h"

#include <exception>

#include "actions/actions.h"
#include "actions/page.h"
#include "http/params.h"
#include "http/router.h"

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

}  // namespace

Engine::Engine(Config cfg, const Fs& fs) : cfg_(std::move(cfg)), store_(store_options(cfg_), fs) {}

Response Engine::handle(const Request& req, Log& log) const {
  try {
    return dispatch(req, log);
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

// mod_cwiki: the Apache httpd 2.4 adapter.
//
// This is the only file that sees httpd's types.  It reads the module's
// directives into a cwiki::Config, checks them when the configuration is
// read (so `apachectl configtest` reports a wrong path), builds one
// cwiki::Engine per virtual host after start-up, and for every request whose
// handler is "cwiki" turns the request_rec into a cwiki::Request, asks the
// engine, and writes the cwiki::Response back.  No wiki rule lives here.
//
// Log lines carry the tag "CW<number>:"; numbers below 100 are the adapter's.

// C++20 has designated initializers: let the directive table use httpd's typed
// union of setter functions instead of casts between function types.
#define AP_HAVE_DESIGNATED_INITIALIZER 1
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "site/config.h"
#include "site/engine.h"
#include "site/log.h"

extern "C" {
extern module AP_MODULE_DECLARE_DATA cwiki_module;
APLOG_USE_MODULE(cwiki);
}

namespace {

constexpr const char* kHandlerName = "cwiki";

// Per-server (virtual host) settings as written; unset fields inherit.
struct ServerConf {
  std::optional<std::string> root, data_dir, pub_dir, template_dir, skin_dir;
  std::optional<std::string> script_url_path, pub_url_path, view_url_path;
  std::optional<std::string> default_web, default_topic;
  std::optional<size_t> max_body_bytes;
  std::optional<size_t> cache_bytes;
  std::shared_ptr<const cwiki::Engine> engine;  // built in post_config

  bool configured() const { return root.has_value() || data_dir.has_value(); }

  cwiki::Config to_config() const {
    cwiki::Config c;
    if (root) c.root = *root;
    if (data_dir) c.data_dir = *data_dir;
    if (pub_dir) c.pub_dir = *pub_dir;
    if (template_dir) c.template_dir = *template_dir;
    if (skin_dir) c.skin_dir = *skin_dir;
    if (script_url_path) c.script_url_path = *script_url_path;
    if (pub_url_path) c.pub_url_path = *pub_url_path;
    if (view_url_path) c.view_url_path = *view_url_path;
    if (default_web) c.default_web = *default_web;
    if (default_topic) c.default_topic = *default_topic;
    if (max_body_bytes) c.max_body_bytes = *max_body_bytes;
    if (cache_bytes) c.cache_bytes = *cache_bytes;
    return c;
  }
};

// C++ objects placed in pool memory are destroyed with the pool.
template <typename T>
apr_status_t destroy_in_pool(void* p) {
  static_cast<T*>(p)->~T();
  return APR_SUCCESS;
}

template <typename T>
T* pool_new(apr_pool_t* pool) {
  void* mem = apr_palloc(pool, sizeof(T));
  T* obj = new (mem) T();
  apr_pool_cleanup_register(pool, obj, destroy_in_pool<T>, apr_pool_cleanup_null);
  return obj;
}

ServerConf* server_conf(server_rec* s) {
  return static_cast<ServerConf*>(ap_get_module_config(s->module_config, &cwiki_module));
}

extern "C" void* create_server_conf(apr_pool_t* p, server_rec*) {
  try {
    return pool_new<ServerConf>(p);
  } catch (...) {
    return nullptr;
  }
}

extern "C" void* merge_server_conf(apr_pool_t* p, void* base_v, void* add_v) {
  try {
    auto* base = static_cast<ServerConf*>(base_v);
    auto* add = static_cast<ServerConf*>(add_v);
    auto* m = pool_new<ServerConf>(p);
    auto pick = [](const auto& a, const auto& b) { return a ? a : b; };
    m->root = pick(add->root, base->root);
    m->data_dir = pick(add->data_dir, base->data_dir);
    m->pub_dir = pick(add->pub_dir, base->pub_dir);
    m->template_dir = pick(add->template_dir, base->template_dir);
    m->skin_dir = pick(add->skin_dir, base->skin_dir);
    m->script_url_path = pick(add->script_url_path, base->script_url_path);
    m->pub_url_path = pick(add->pub_url_path, base->pub_url_path);
    m->view_url_path = pick(add->view_url_path, base->view_url_path);
    m->default_web = pick(add->default_web, base->default_web);
    m->default_topic = pick(add->default_topic, base->default_topic);
    m->max_body_bytes = pick(add->max_body_bytes, base->max_body_bytes);
    m->cache_bytes = pick(add->cache_bytes, base->cache_bytes);
    return m;
  } catch (...) {
    return nullptr;
  }
}

// ---- directives ---------------------------------------------------------
// Each setter validates its value; a non-NULL return is shown by
// `apachectl configtest` with the file and line of the directive.

const char* config_error(cmd_parms* cmd, const std::string& why, const char* value) {
  return apr_psprintf(cmd->pool, "%s \"%s\": %s", cmd->cmd->name, value, why.c_str());
}

enum class Field { root, data, pub, templates, skin, script_url, pub_url, view_url, web, topic };

extern "C" const char* set_field(cmd_parms* cmd, void*, const char* arg) {
  ServerConf* sc = server_conf(cmd->server);
  try {
    switch (static_cast<Field>(reinterpret_cast<intptr_t>(cmd->info))) {
      case Field::root:
      case Field::data:
      case Field::pub:
      case Field::templates:
      case Field::skin: {
        if (!*arg) return config_error(cmd, "needs a directory", arg);
        const char* path = ap_server_root_relative(cmd->pool, arg);
        if (!path) return config_error(cmd, "is not a valid path", arg);
        std::string v(path);
        while (v.size() > 1 && v.back() == '/') v.pop_back();
        auto f = static_cast<Field>(reinterpret_cast<intptr_t>(cmd->info));
        (f == Field::root        ? sc->root
         : f == Field::data      ? sc->data_dir
         : f == Field::pub       ? sc->pub_dir
         : f == Field::templates ? sc->template_dir
                                 : sc->skin_dir) = v;
        return nullptr;
      }
      case Field::script_url:
      case Field::pub_url: {
        std::string e = cwiki::check_url_path(arg, false);
        if (!e.empty()) return config_error(cmd, e, arg);
        (static_cast<Field>(reinterpret_cast<intptr_t>(cmd->info)) == Field::script_url
             ? sc->script_url_path
             : sc->pub_url_path) = arg;
        return nullptr;
      }
      case Field::view_url: {
        std::string v = (std::string(arg) == "none" || std::string(arg) == "off") ? "" : arg;
        std::string e = cwiki::check_url_path(v, true);
        if (!e.empty()) return config_error(cmd, e + " (or 'none' to turn short URLs off)", arg);
        sc->view_url_path = v;
        return nullptr;
      }
      case Field::web: {
        std::string e = cwiki::check_default_web(arg);
        if (!e.empty()) return config_error(cmd, e, arg);
        sc->default_web = arg;
        return nullptr;
      }
      case Field::topic: {
        std::string e = cwiki::check_default_topic(arg);
        if (!e.empty()) return config_error(cmd, e, arg);
        sc->default_topic = arg;
        return nullptr;
      }
    }
  } catch (const std::exception& e) {
    return config_error(cmd, e.what(), arg);
  }
  return "unknown mod_cwiki directive";
}

extern "C" const char* set_max_body(cmd_parms* cmd, void*, const char* arg) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(arg, &end, 10);
  if (errno || !end || *end || end == arg || v == 0 || v > (1ULL << 40))
    return config_error(cmd, "must be a number of bytes between 1 and 2^40", arg);
  server_conf(cmd->server)->max_body_bytes = static_cast<size_t>(v);
  return nullptr;
}

extern "C" const char* set_cache_size(cmd_parms* cmd, void*, const char* arg) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(arg, &end, 10);
  if (errno || !end || *end || end == arg || v > (1ULL << 20))
    return config_error(cmd, "must be a number of megabytes between 0 and 1048576", arg);
  server_conf(cmd->server)->cache_bytes = static_cast<size_t>(v) << 20;
  return nullptr;
}

#define CWIKI_FIELD(name, field, help)                                                       \
  AP_INIT_TAKE1(name, set_field,                                 \
                reinterpret_cast<void*>(static_cast<intptr_t>(Field::field)), RSRC_CONF, help)

const command_rec cwiki_cmds[] = {
    CWIKI_FIELD("CwikiRoot", root,
                "The Foswiki root directory, holding data/, pub/ and templates/"),
    CWIKI_FIELD("CwikiDataDir", data, "The data directory (default: <CwikiRoot>/data)"),
    CWIKI_FIELD("CwikiPubDir", pub, "The pub directory (default: <CwikiRoot>/pub)"),
    CWIKI_FIELD("CwikiTemplateDir", templates,
                "The templates directory (default: <CwikiRoot>/templates)"),
    CWIKI_FIELD("CwikiSkinDir", skin,
                "The templates of the skins that ship with mod_cwiki (default /usr/share/cwiki/templates)"),
    CWIKI_FIELD("CwikiScriptUrlPath", script_url,
                "URL path of the scripts, as Foswiki's {ScriptUrlPath} (default /foswiki/bin)"),
    CWIKI_FIELD("CwikiPubUrlPath", pub_url,
                "URL path of attachments, as Foswiki's {PubUrlPath} (default /foswiki/pub)"),
    CWIKI_FIELD("CwikiViewUrlPath", view_url,
                "URL path of short view URLs (default /foswiki; 'none' turns them off)"),
    CWIKI_FIELD("CwikiDefaultWeb", web, "The web of the site's front page (default Main)"),
    CWIKI_FIELD("CwikiDefaultTopic", topic, "The home topic of every web (default WebHome)"),
    AP_INIT_TAKE1("CwikiMaxBodySize", set_max_body, nullptr,
                  RSRC_CONF, "Largest request body accepted, in bytes (default 51200000)"),
    AP_INIT_TAKE1("CwikiCacheSize", set_cache_size, nullptr, RSRC_CONF,
                  "Memory for parsed topics in each worker process, in MB (default 64)"),
    {nullptr, {nullptr}, nullptr, 0, RAW_ARGS, nullptr}};

// ---- start-up -----------------------------------------------------------

// Runs after the configuration is read, also for `apachectl configtest`:
// a wrong or unreadable directory stops the server from starting.
extern "C" int cwiki_check_config(apr_pool_t*, apr_pool_t*, apr_pool_t*, server_rec* s) {
  for (server_rec* v = s; v; v = v->next) {
    ServerConf* sc = server_conf(v);
    if (!sc || !sc->configured()) continue;
    std::string err;
    try {
      err = cwiki::check_dirs(sc->to_config(), "CwikiRoot", "CwikiDataDir");
    } catch (const std::exception& e) {
      err = e.what();
    }
    if (!err.empty()) {
      ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, nullptr, "CW00010: %s%s%s",
                   err.c_str(), v->is_virtual ? " (virtual host " : "",
                   v->is_virtual ? apr_pstrcat(s->process->pool, v->server_hostname, ")", NULL)
                                 : "");
      return HTTP_INTERNAL_SERVER_ERROR;
    }
  }
  return OK;
}

extern "C" int cwiki_post_config(apr_pool_t*, apr_pool_t*, apr_pool_t*, server_rec* s) {
  for (server_rec* v = s; v; v = v->next) {
    ServerConf* sc = server_conf(v);
    if (!sc || !sc->configured()) continue;
    try {
      sc->engine = std::make_shared<const cwiki::Engine>(sc->to_config());
    } catch (const std::exception& e) {
      ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, "CW00011: cannot start the wiki engine: %s",
                   e.what());
      return HTTP_INTERNAL_SERVER_ERROR;
    }
  }
  return OK;
}

// ---- requests -----------------------------------------------------------

class RequestLog final : public cwiki::Log {
 public:
  explicit RequestLog(request_rec* r) : r_(r) {}
  void write(cwiki::LogLevel level, int id, std::string_view msg) override {
    int l = APLOG_ERR;
    switch (level) {
      case cwiki::LogLevel::error: l = APLOG_ERR; break;
      case cwiki::LogLevel::warning: l = APLOG_WARNING; break;
      case cwiki::LogLevel::notice: l = APLOG_NOTICE; break;
      case cwiki::LogLevel::info: l = APLOG_INFO; break;
      case cwiki::LogLevel::debug: l = APLOG_DEBUG; break;
    }
    ap_log_rerror(APLOG_MARK, l, 0, r_, "CW%05d: %.*s", id, static_cast<int>(msg.size()),
                  msg.data());
  }

 private:
  request_rec* r_;
};

extern "C" int collect_header(void* rec, const char* key, const char* value) {
  auto* req = static_cast<cwiki::Request*>(rec);
  std::string k(key);
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  req->headers.emplace_back(std::move(k), value);
  return 1;
}

// Reads the request body up to `limit` bytes.  Returns OK, HTTP_REQUEST_ENTITY_TOO_LARGE,
// or another HTTP error status.
int read_body(request_rec* r, size_t limit, std::string& body) {
  int rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK);
  if (rc != OK) return rc;
  if (!ap_should_client_block(r)) return OK;
  if (r->remaining > 0 && static_cast<unsigned long long>(r->remaining) > limit)
    return HTTP_REQUEST_ENTITY_TOO_LARGE;
  if (r->remaining > 0) body.reserve(static_cast<size_t>(r->remaining));
  char buf[HUGE_STRING_LEN];
  for (;;) {
    long n = ap_get_client_block(r, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) return HTTP_BAD_REQUEST;
    if (body.size() + static_cast<size_t>(n) > limit) return HTTP_REQUEST_ENTITY_TOO_LARGE;
    body.append(buf, static_cast<size_t>(n));
  }
  return OK;
}

int send(request_rec* r, const cwiki::Response& resp) {
  r->status = resp.status;
  ap_set_content_type(r, apr_pstrmemdup(r->pool, resp.content_type.data(),
                                        resp.content_type.size()));
  for (const auto& [name, value] : resp.headers)
    apr_table_add(r->headers_out, apr_pstrdup(r->pool, name.c_str()),
                  apr_pstrdup(r->pool, value.c_str()));
  ap_set_content_length(r, static_cast<apr_off_t>(resp.body.size()));
  if (!r->header_only && !resp.body.empty()) ap_rwrite(resp.body.data(), resp.body.size(), r);
  return OK;
}

extern "C" int cwiki_handler(request_rec* r) {
  if (!r->handler || std::strcmp(r->handler, kHandlerName) != 0) return DECLINED;
  ServerConf* sc = server_conf(r->server);
  if (!sc || !sc->engine) {
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                  "CW00020: the cwiki handler is set for %s but CwikiRoot is not configured",
                  r->uri);
    return HTTP_INTERNAL_SERVER_ERROR;
  }
  try {
    const cwiki::Engine& engine = *sc->engine;
    RequestLog log(r);
    cwiki::Request req;
    req.method = r->method;
    req.path = r->uri ? r->uri : "";
    req.query = r->args ? r->args : "";
    if (r->user) req.remote_user = r->user;
    if (r->useragent_ip) req.remote_addr = r->useragent_ip;
    req.secure = apr_table_get(r->subprocess_env, "HTTPS") != nullptr;
    apr_table_do(collect_header, &req, r->headers_in, NULL);

    int rc = read_body(r, engine.config().max_body_bytes, req.body);
    if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE) {
      // The engine answers 413; the rest of the body is never read, so the
      // connection cannot be reused.
      r->connection->keepalive = AP_CONN_CLOSE;
      req.body.clear();
      req.body_too_large = true;
      rc = OK;
    }
    if (rc != OK) return rc;
    return send(r, engine.handle(req, log));
  } catch (const std::bad_alloc&) {
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "CW00022: out of memory answering %s", r->uri);
  } catch (const std::exception& e) {
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "CW00023: internal error answering %s: %s",
                  r->uri, e.what());
  } catch (...) {
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "CW00023: internal error answering %s", r->uri);
  }
  return HTTP_INTERNAL_SERVER_ERROR;
}

void register_hooks(apr_pool_t*) {
  ap_hook_check_config(cwiki_check_config, nullptr, nullptr, APR_HOOK_MIDDLE);
  ap_hook_post_config(cwiki_post_config, nullptr, nullptr, APR_HOOK_MIDDLE);
  ap_hook_handler(cwiki_handler, nullptr, nullptr, APR_HOOK_MIDDLE);
}

}  // namespace

extern "C" {
__attribute__((visibility("default"))) module AP_MODULE_DECLARE_DATA cwiki_module = {
    STANDARD20_MODULE_STUFF,
    nullptr,             // per-directory config
    nullptr,             // merge per-directory
    create_server_conf,  // per-server config
    merge_server_conf,   // merge per-server
    cwiki_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE,
};
}

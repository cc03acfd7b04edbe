#include "site/urls.h"

#include "store/names.h"
#include "util/escape.h"

namespace cwiki {
namespace {

void append_path(std::string& out, std::string_view web, std::string_view topic) {
  if (!web.empty()) {
    out += '/';
    out += url_encode(normalize_web(web), true);
  }
  if (!topic.empty()) {
    out += '/';
    out += url_encode(topic);
  }
}

}  // namespace

std::string script_url(const Config& cfg, std::string_view action, std::string_view web,
                       std::string_view topic) {
  std::string out = cfg.script_url_path;
  out += '/';
  out += action;
  append_path(out, web, topic);
  return out;
}

std::string view_url(const Config& cfg, std::string_view web, std::string_view topic) {
  if (cfg.view_url_path.empty()) return script_url(cfg, "view", web, topic);
  std::string out = cfg.view_url_path;
  append_path(out, web, topic);
  return out;
}

std::string pub_url(const Config& cfg, std::string_view web, std::string_view topic,
                    std::string_view file) {
  std::string out = cfg.pub_url_path;
  append_path(out, web, topic);
  out += '/';
  out += url_encode(file);
  return out;
}

}  // namespace cwiki

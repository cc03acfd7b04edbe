#include "site/urls.h"

#include "util/escape.h"

namespace cwiki {
namespace {

void append_path(std::string& out, std::string_view web, std::string_view topic) {
  if (!web.empty()) {
    out += '/';
    size_t from = out.size();
    append_url_encoded(out, web, true);
    // Sub.Web is Sub/Web in a URL ('.' is never produced by the encoding).
    for (size_t i = from; i < out.size(); ++i)
      if (out[i] == '.') out[i] = '/';
  }
  if (!topic.empty()) {
    out += '/';
    append_url_encoded(out, topic);
  }
}

}  // namespace

std::string script_url(const Config& cfg, std::string_view action, std::string_view web,
                       std::string_view topic) {
  std::string out;
  out.reserve(cfg.script_url_path.size() + action.size() + web.size() + topic.size() + 8);
  out += cfg.script_url_path;
  out += '/';
  out += action;
  append_path(out, web, topic);
  return out;
}

std::string view_url(const Config& cfg, std::string_view web, std::string_view topic) {
  if (cfg.view_url_path.empty()) return script_url(cfg, "view", web, topic);
  std::string out;
  out.reserve(cfg.view_url_path.size() + web.size() + topic.size() + 8);
  out += cfg.view_url_path;
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

// URLs: Foswiki's getScriptUrl / getPubURL and the macros SCRIPTURL,
// SCRIPTURLPATH, SCRIPTNAME, PUBURL, PUBURLPATH, ATTACHURL, ATTACHURLPATH.
#include <algorithm>

#include "macros/core.h"
#include "macros/core_internal.h"
#include "util/chars.h"
#include "util/escape.h"

namespace cwiki {
namespace {

using core_detail::perl_true;

bool truthy(std::string_view v) { return !v.empty() && v != "0"; }

// Does the URL start with a scheme ("http:", "https:", ...)?
bool has_scheme(std::string_view url) {
  size_t i = 0;
  while (i < url.size() && url[i] >= 'a' && url[i] <= 'z') ++i;
  return i > 0 && i < url.size() && url[i] == ':';
}

bool absolute_wanted(const Session& s, bool absolute) {
  return absolute || s.absolute_urls || s.contexts.count("command_line") ||
         s.contexts.count("rss") || s.contexts.count("absolute_urls");
}

// Perl's split(/[\/.]+/, s): a leading empty field is kept, trailing ones
// are dropped.
std::vector<std::string> split_path(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = find_any(s, "/.", i);
    if (j == std::string_view::npos) j = s.size();
    out.emplace_back(s.substr(i, j - i));
    if (j == s.size()) break;
    while (j < s.size() && (s[j] == '/' || s[j] == '.')) ++j;
    i = j;
    if (i == s.size()) break;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

std::string join_slash(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += '/';
    out += v[i];
  }
  return out;
}

// Foswiki's make_params: ?a=b&c=d, then #anchor.
std::string make_params(const UrlParams& params) {
  std::string query, anchor;
  for (const auto& [name, value] : params) {
    if (!truthy(name)) break;  // as Foswiki's loop, which stops at a false name
    if (name == "#") {
      anchor = "#" + foswiki_url_encode(value);
      continue;
    }
    query += query.empty() ? '?' : '&';
    query += foswiki_url_encode(name);
    query += '=';
    query += foswiki_url_encode(value);
  }
  return query + anchor;
}

// The SCRIPTURL macro (relative: SCRIPTURLPATH).
std::string scripturl_macro(Session& s, const Attrs& a, bool relative) {
  const std::string* script_p = a.default_value();
  std::string script = script_p ? *script_p : "";
  std::optional<std::string> path1, path2;
  std::vector<std::string_view> dropped;
  if (script_p && script.compare(0, 4, "rest") == 0) {
    if (const std::string* v = a.get("subject")) path1 = *v, dropped.push_back("subject");
    if (const std::string* v = a.get("verb")) path2 = *v, dropped.push_back("verb");
  } else if (script_p && script == "jsonrpc") {
    if (const std::string* v = a.get("namespace")) path1 = *v, dropped.push_back("namespace");
    if (const std::string* v = a.get("method")) path2 = *v, dropped.push_back("method");
  } else if (const std::string* topic = a.get("topic")) {
    std::vector<std::string> path = split_path(*topic);
    if (!path.empty()) {
      path2 = path.back();
      path.pop_back();
    }
    if (!path.empty()) {
      path1 = join_slash(path);  // web= stays a URL parameter
    } else {
      if (const std::string* w = a.get("web")) path1 = *w;
      dropped.push_back("web");
    }
    dropped.push_back("topic");
  } else if (const std::string* w = a.get("web")) {
    path1 = *w;
    dropped.push_back("web");
  }
  UrlParams params;
  for (const auto& [k, v] : a.values()) {
    if (k.empty() || k[0] == '_' || k == "path") continue;
    if (std::find(dropped.begin(), dropped.end(), k) != dropped.end()) continue;
    params.emplace_back(k, v);
  }
  if (script_p && !params.empty()) {
    if (script.compare(0, 4, "rest") == 0 && (!perl_true(path1 ? &*path1 : nullptr) ||
                                              !perl_true(path2 ? &*path2 : nullptr)))
      return "<div class='foswikiAlert'>" + script +
             " requires both 'subject' and 'verb' parameters if other parameters are supplied.</div>";
    if (script == "jsonrpc" && !perl_true(path1 ? &*path1 : nullptr))
      return "<div class='foswikiAlert'>" + script +
             " requires the 'namespace' parameter if other parameters are supplied.</div>";
  }
  return get_script_url(s, !relative, script, path1.value_or(""), path2.value_or(""), params);
}

// The PUBURL macro (relative: PUBURLPATH); `topic_override` is ATTACHURL's.
std::string puburl_macro(Session& s, const Attrs& a, bool relative,
                         const std::string* topic_override = nullptr) {
  std::string web = a.get_or("web", "");
  std::string topic;
  const std::string* tp = topic_override ? topic_override : a.get("topic");
  if (tp) {
    std::vector<std::string> path = split_path(*tp);
    if (!path.empty()) {
      topic = path.back();
      path.pop_back();
    }
    if (!path.empty()) web = join_slash(path);
  }
  const std::string* att = a.default_value();
  return get_pub_url(s, !relative, web, topic, att ? *att : "");
}

}  // namespace

std::string get_script_url(const Session& s, bool absolute, std::string_view script,
                           std::string_view web, std::string_view topic, const UrlParams& params) {
  absolute = absolute_wanted(s, absolute);
  std::string url;
  bool have = false;
  if (truthy(script)) {
    if (auto it = s.cfg.script_url_paths.find(std::string(script)); it != s.cfg.script_url_paths.end()) {
      url = it->second;
      have = true;
    }
  }
  if (!have) {
    url = s.cfg.script_url_path;
    if (truthy(script)) {
      if (url.empty() || url.back() != '/') url += '/';
      url += script;
      const std::string& suffix = s.cfg.script_suffix;
      if (!suffix.empty() && !(url.size() >= suffix.size() &&
                               url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0))
        url += suffix;
    }
  }
  if (absolute && !has_scheme(url)) url.insert(0, s.url_host);
  if (truthy(topic)) {
    auto [w, t] = core_detail::normalize_web_topic(s.cfg, web, topic);
    url += '/';
    append_foswiki_url_encoded(url, w);
    url += '/';
    append_foswiki_url_encoded(url, t);
  } else if (truthy(web)) {
    url += '/';
    append_foswiki_url_encoded(url, web);
  }
  if (!params.empty()) url += make_params(params);
  return url;
}

std::string get_pub_url(const Session& s, bool absolute, std::string_view web_in,
                        std::string_view topic_in, std::string_view attachment) {
  absolute = absolute_wanted(s, absolute);
  std::string url = s.cfg.pub_url_path;
  std::string web(web_in), topic(topic_in);
  if (truthy(topic)) std::tie(web, topic) = core_detail::normalize_web_topic(s.cfg, web, topic);
  if (truthy(web)) {
    url += '/';
    append_foswiki_url_encoded(url, web);
    if (truthy(topic)) {
      url += '/';
      append_foswiki_url_encoded(url, topic);
      if (truthy(attachment)) {
        url += '/';
        append_foswiki_url_encoded(url, attachment);
      }
    }
  }
  if (absolute && !has_scheme(url)) url.insert(0, s.url_host);
  return url;
}

namespace core_detail {

std::pair<std::string, std::string> normalize_web_topic(const Config& cfg, std::string_view web,
                                                        std::string_view topic) {
  std::string w(web), t(topic);
  size_t sep = rfind_any(t, "./");
  if (sep != std::string::npos) {
    w = t.substr(0, sep);
    t = t.substr(sep + 1);
  }
  if (!truthy(w)) w = cfg.users_web;
  if (!truthy(t)) t = cfg.default_topic;
  std::replace(w.begin(), w.end(), '.', '/');
  return {w, t};
}


void register_url_macros() {
  register_macro("SCRIPTURL", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return scripturl_macro(s, a, false);
  });
  register_macro("SCRIPTURLPATH", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return scripturl_macro(s, a, true);
  });
  register_macro("SCRIPTNAME", [](Session& s, const Attrs&, const TopicRef&) -> std::optional<std::string> {
    return s.action;
  });
  register_macro("PUBURL", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return puburl_macro(s, a, false);
  });
  register_macro("PUBURLPATH", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return puburl_macro(s, a, true);
  });
  register_macro("ATTACHURL", [](Session& s, const Attrs& a, const TopicRef& t) -> std::optional<std::string> {
    std::string path = t.web + "/" + t.topic;
    return puburl_macro(s, a, false, &path);
  });
  register_macro("ATTACHURLPATH", [](Session& s, const Attrs& a, const TopicRef& t) -> std::optional<std::string> {
    std::string path = t.web + "/" + t.topic;
    return puburl_macro(s, a, true, &path);
  });
}

}  // namespace core_detail
}  // namespace cwiki

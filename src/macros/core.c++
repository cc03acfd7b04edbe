// The core macro family: settings (SET, VAR, NOP, SHOWPREFERENCE,
// ALLVARIABLES), constants from the configuration, and the request (URLPARAM,
// QUERYPARAMS, QUERYSTRING, ENV, HTTP, HTTPS, HTTP_HOST, REMOTE_*).  URLs,
// encodings, dates and zones live in core_*.c++.
#include <algorithm>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "macros/core.h"
#include "macros/core_internal.h"
#include "macros/data_util.h"
#include "macros/expand.h"
#include "macros/registry.h"
#include "util/escape.h"
#include "util/regex.h"

namespace cwiki {
namespace {

using core_detail::first_true;
using core_detail::perl_true;

// The Foswiki release whose behaviour the engine reproduces.
constexpr std::string_view kWikiVersion = "v2.1.9";
constexpr std::string_view kWikiRelease = "Foswiki-2.1.9";
constexpr std::string_view kPluginsApiVersion = "2.4";

// Registers a macro whose value does not depend on its parameters.
void constant(const std::string& name, std::function<std::string(Session&)> fn) {
  register_macro(name, [fn](Session& s, const Attrs&, const TopicRef&) -> std::optional<std::string> {
    return fn(s);
  });
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  std::string out;
  size_t i = 0;
  bool changed = false;
  for (size_t at; (at = s.find(from, i)) != std::string::npos; i = at + from.size()) {
    out.append(s, i, at - i);
    out.append(to);
    changed = true;
  }
  if (!changed) return;
  out.append(s, i, std::string::npos);
  s.swap(out);
}

// ---- settings ------------------------------------------------------------------

std::string var_macro(Session& s, const Attrs& a, const TopicRef& t) {
  const std::string* key = a.default_value();
  if (!perl_true(key)) return "";
  std::string web = first_true({a.get("web")}, t.web);
  auto [w, topic] = core_detail::normalize_web_topic(s.cfg, web, t.topic);
  // The web's own settings (its WebPreferences and its parents'), as
  // Foswiki's preferences of a web object.
  const std::string* v = web_setting(s, w, *key, /*site_levels=*/false);
  return perl_true(v) ? *v : "";
}

// Foswiki's Prefs::stringify for one name, or all when `only` is empty.
std::string stringify_prefs(Session& s, const TopicRef& t, const std::vector<std::string>& only) {
  // Which topic each level of the stack came from, as far as the session can tell.
  std::map<const PrefsLevel*, std::string> source;
  auto add = [&](const std::string& web, const std::string& topic) {
    if (web.empty() || topic.empty()) return;
    auto level = s.prefs_of(web, topic);
    if (level && level != PrefsLevel::empty()) source.emplace(level.get(), web + "." + topic);
  };
  add(s.cfg.system_web, "DefaultPreferences");
  size_t dot = s.cfg.site_prefs.rfind('.');
  if (dot != std::string::npos) add(s.cfg.site_prefs.substr(0, dot), s.cfg.site_prefs.substr(dot + 1));
  add(s.cfg.users_web, s.wikiname);
  for (const TopicRef& r : {t, s.base}) {
    for (size_t i = 0; i <= r.web.size(); ++i)
      if (i == r.web.size() || r.web[i] == '/') add(r.web.substr(0, i), s.cfg.web_prefs_topic);
    add(r.web, r.topic);
  }

  std::vector<std::string> keys = only.empty() ? s.prefs.names() : only;
  std::vector<std::string> lines;
  for (const auto& k : keys) {
    auto v = s.prefs.get(k);
    lines.push_back("   * Set " + k + " = \"" + entity_encode(perl_true(v ? &*v : nullptr) ? *v : "") + "\"");
    const PrefsLevel* level = s.prefs.defining_level(k);
    if (!level) continue;
    auto it = source.find(level);
    if (it == source.end()) continue;
    lines.push_back("      * " + k + " was " + (s.prefs.is_final(k) ? "*finalised*" : "defined") +
                    " in <nop>" + it->second);
  }
  if (const PrefsLevel* topic_level = s.prefs.topic_level()) {
    std::vector<std::string> locals;
    if (only.empty()) {
      for (const auto& [k, v] : topic_level->local) locals.push_back(k);
      std::sort(locals.begin(), locals.end());
    } else {
      locals = only;
    }
    for (const auto& k : locals) {
      auto it = topic_level->local.find(k);
      if (it == topic_level->local.end()) continue;
      if (s.prefs.is_final(k) && s.prefs.get(k) != it->second) continue;
      lines.push_back("   * Local " + k + " = \"" + entity_encode(it->second) + "\"");
    }
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  return out + "\n";
}

// ---- the request -------------------------------------------------------------

// URLPARAM's encodings, a comma separated list applied in order.
std::string urlparam_encode(std::string value, std::string_view encodings) {
  size_t i = 0;
  while (i <= encodings.size()) {
    size_t c = encodings.find(',', i);
    if (c == std::string_view::npos) c = encodings.size();
    std::string_view e = encodings.substr(i, c - i);
    while (!e.empty() && std::isspace(static_cast<unsigned char>(e.front()))) e.remove_prefix(1);
    while (!e.empty() && std::isspace(static_cast<unsigned char>(e.back()))) e.remove_suffix(1);
    if (ieq(e, "entity") || ieq(e, "entities")) {
      value = entity_encode(value);
    } else if (ieq(e, "quote") || ieq(e, "quotes")) {
      replace_all(value, "\"", "\\\"");
    } else if (ieq(e, "off") || ieq(e, "none")) {
      // as it is
    } else if (ieq(e, "url")) {
      value = foswiki_url_encode(value);
    } else {
      value = encode_as(value, "safe");
    }
    i = c + 1;
  }
  return value;
}

std::string urlparam_value(const std::string* value, const std::string* newline,
                           const std::string& encode, const std::string* def) {
  std::string v;
  if (value) {
    v = urlparam_encode(*value, encode);
    if (newline) {
      std::string out;
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\r' && i + 1 < v.size() && v[i + 1] == '\n') {
          out += *newline;
          ++i;
        } else if (v[i] == '\n') {
          out += *newline;
        } else {
          out += v[i];
        }
      }
      v.swap(out);
    }
  } else {
    v = def ? *def : "";
  }
  replace_all(v, "%URLPARAM{", "%<nop>URLPARAM{");
  return v;
}

std::string urlparam_macro(Session& s, const Attrs& a) {
  std::string name = first_true({a.default_value()}, "");
  const std::string* newline = a.get("newline");
  std::string encode = first_true({a.get("encode")}, "safe");
  const std::string* multiple = a.get("multiple");
  const std::string* sep = a.get("separator");
  std::string separator = sep ? *sep : "\n";
  const std::string* def = a.get("default");
  if (foswiki_is_true(multiple)) {
    std::vector<std::string> values = s.params.all(name);
    if (values.empty()) return def ? *def : "";
    bool on = ieq(*multiple, "on");
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) {
      std::string item = values[i];
      if (!on) {
        std::string formatted = *multiple;
        if (formatted.find("$item") != std::string::npos) replace_all(formatted, "$item", item);
        else formatted += item;
        item = expand_standard_escapes(formatted);
      }
      if (i) out += separator;
      out += urlparam_value(&item, newline, encode, def);
    }
    return out;
  }
  return urlparam_value(s.params.get(name), newline, encode, def);
}

std::string queryparams_macro(Session& s, const Attrs& a) {
  std::string format = a.has("format") ? *a.get("format") : "$name=$value";
  replace_all(format, "$name", std::string("$\x01"));
  replace_all(format, "$value", std::string("$\x02"));
  std::string separator = a.has("separator") ? *a.get("separator") : "\n";
  std::string encoding = first_true({a.get("encoding")}, "safe");
  format = expand_standard_escapes(format);
  separator = expand_standard_escapes(separator);

  // The values of each name, names in the order they first came.
  std::vector<std::pair<std::string, std::vector<const std::string*>>> groups;
  std::unordered_map<std::string, size_t> index;
  for (const auto& [n, v] : s.params.items()) {
    auto [it, fresh] = index.emplace(n, groups.size());
    if (fresh) groups.push_back({n, {}});
    groups[it->second].second.push_back(&v);
  }
  std::string out;
  bool first = true;
  for (const auto& [original, values] : groups) {
    std::string name = original;
    for (const std::string* value_p : values) {
      const std::string& value = *value_p;
      name = encode_as(name, encoding);  // again for each value, as Foswiki does
      std::string v = encode_as(value, encoding);
      std::string entry = format;
      replace_all(entry, std::string("$\x01"), name);
      size_t at = entry.find(std::string("$\x02"));
      if (at != std::string::npos) entry.replace(at, 2, v);
      if (!first) out += separator;
      out += entry;
      first = false;
    }
  }
  return out;
}

// A request header, by a name in any case with '_' or '-'.
const std::string* header(const Session& s, std::string_view name) {
  if (!s.request) return nullptr;
  std::string lower;
  for (char c : name) lower.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return s.request->header(lower);
}

// Foswiki's Request::http: a header the configuration lets pages see.
std::string http_header(const Session& s, std::string name) {
  if (name.size() > 5 && ieq(name.substr(0, 4), "http") && (name[4] == '_' || name[4] == '-'))
    name = name.substr(5);
  else if (name.size() > 6 && ieq(name.substr(0, 5), "https") && (name[5] == '_' || name[5] == '-'))
    name = name.substr(6);
  auto norm = [](std::string_view n) {
    std::string out;
    for (char c : n) out.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
  };
  std::string wanted = norm(name);
  bool allowed = false;
  for (const auto& h : s.cfg.accessible_headers)
    if (norm(h) == wanted) allowed = true;
  if (!allowed) return "";
  const std::string* v = header(s, wanted);
  return v ? *v : "";
}

std::string env_macro(Session& s, const Attrs& a) {
  const std::string* key_p = a.default_value();
  if (!perl_true(key_p) || s.cfg.accessible_env.empty()) return "";
  const std::string& key = *key_p;
  try {
    Regex re(s.cfg.accessible_env);
    if (!is_valid_utf8(key) || !re.search(key)) return "";
  } catch (const std::exception&) {
    return "";
  }
  std::optional<std::string> val;
  auto starts = [&](std::string_view p) { return key.compare(0, p.size(), p) == 0; };
  if ((starts("HTTP_") || starts("HTTPS_")) && key.size() > (starts("HTTPS_") ? 6u : 5u)) {
    std::string rest = key.substr(starts("HTTPS_") ? 6 : 5);
    size_t end = 0;
    while (end < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[end])) || rest[end] == '_')) ++end;
    if (const std::string* h = header(s, rest.substr(0, end))) val = *h;
  } else if (key == "REQUEST_METHOD") {
    if (s.request) val = s.request->method;
  } else if (key == "REMOTE_USER") {
    if (s.request && !s.request->remote_user.empty()) val = s.request->remote_user;
  } else if (key == "REMOTE_ADDR") {
    if (!s.remote_addr.empty()) val = s.remote_addr;
  } else if (key == "PATH_INFO") {
    if (s.request) {
      std::string p = "/" + s.base.web + "/" + s.base.topic;
      size_t q = p.find_first_of("'\"");
      val = q == std::string::npos ? p : p.substr(0, q);
    }
  } else if (key == "REQUEST_URI") {
    if (s.request) val = s.request->path + (s.request->query.empty() ? "" : "?" + s.request->query);
  } else if (key == "FOSWIKI_ACTION") {
    val = s.action;
  } else if (key == "SERVER_NAME" || key == "SERVER_PORT") {
    if (s.request) {
      std::string hostport = s.url_host.substr(s.url_host.find("://") == std::string::npos ? 0 : s.url_host.find("://") + 3);
      size_t colon = hostport.rfind(':');
      if (key == "SERVER_NAME") val = colon == std::string::npos ? hostport : hostport.substr(0, colon);
      else val = colon == std::string::npos ? (s.secure ? "443" : "80") : hostport.substr(colon + 1);
    }
  }
  // Other variables of a CGI environment do not exist inside the server.
  return val ? *val : "not set";
}

}  // namespace

namespace core_detail {

void register_setting_macros() {
  register_macro("SET", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    const std::string* name = perl_true(a.default_value()) ? a.default_value() : a.get("name");
    if (!name || name->empty()) return std::string();
    s.prefs.set_session(*name, a.get_or("value", ""));
    return std::string();
  });
  register_macro("VAR", [](Session& s, const Attrs& a, const TopicRef& t) -> std::optional<std::string> {
    return var_macro(s, a, t);
  });
  register_macro("NOP", [](Session&, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    const auto& raw = a.raw();
    return perl_true(raw ? &*raw : nullptr) ? *raw : std::string("<nop>");
  });
  register_macro("SHOWPREFERENCE", [](Session& s, const Attrs& a, const TopicRef& t) -> std::optional<std::string> {
    const std::string* names = a.default_value();
    if (!perl_true(names)) return stringify_prefs(s, t, {});
    std::string out;
    size_t i = 0;
    while (i < names->size()) {
      size_t j = names->find_first_of(", ", i);
      if (j == std::string::npos) j = names->size();
      if (j > i) out += stringify_prefs(s, t, {names->substr(i, j - i)});
      i = j + 1;
    }
    return out;
  });
  register_macro("ALLVARIABLES", [](Session& s, const Attrs&, const TopicRef& t) -> std::optional<std::string> {
    return stringify_prefs(s, t, {});
  });
}

void register_request_macros() {
  register_macro("URLPARAM", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return urlparam_macro(s, a);
  });
  register_macro("QUERYPARAMS", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return queryparams_macro(s, a);
  });
  constant("QUERYSTRING", [](Session& s) {
    std::string out;
    for (char c : s.query_string) {
      if (c == '\'') out += "%27";
      else if (c == '/') out += "%2f";
      else out += c;
    }
    return out;
  });
  register_macro("ENV", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return env_macro(s, a);
  });
  register_macro("HTTP", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    const std::string* name = a.default_value();
    return perl_true(name) ? http_header(s, *name) : std::string();
  });
  register_macro("HTTPS", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    const std::string* name = a.default_value();
    if (!perl_true(name) || ieq(*name, "https")) return std::string(s.secure ? "1" : "");
    return http_header(s, *name);
  });
  constant("HTTP_HOST", [](Session& s) {
    const std::string* h = header(s, "host");
    return h ? *h : std::string();
  });
  constant("REMOTE_ADDR", [](Session& s) { return s.remote_addr; });
  constant("REMOTE_PORT", [](Session&) { return std::string(); });
  constant("REMOTE_USER", [](Session& s) {
    return s.request ? s.request->remote_user : std::string();
  });
}

}  // namespace core_detail

void register_core_macros() {
  using namespace core_detail;
  register_setting_macros();
  register_url_macros();
  register_request_macros();
  register_encoding_macros();
  register_date_macros();
  register_zone_macros();

  // Constants from the configuration (a preference of the same name wins).
  constant("HOMETOPIC", [](Session& s) { return s.cfg.default_topic; });
  constant("WEBPREFSTOPIC", [](Session& s) { return s.cfg.web_prefs_topic; });
  constant("WIKIPREFSTOPIC", [](Session& s) { return s.cfg.site_prefs_topic; });
  constant("WIKIUSERSTOPIC", [](Session& s) { return s.cfg.users_topic; });
  constant("NOTIFYTOPIC", [](Session& s) { return s.cfg.notify_topic; });
  constant("STATISTICSTOPIC", [](Session& s) { return s.cfg.stats_topic; });
  constant("SYSTEMWEB", [](Session& s) { return s.cfg.system_web; });
  constant("TWIKIWEB", [](Session& s) { return s.cfg.system_web; });  // TWikiCompatibilityPlugin
  constant("TRASHWEB", [](Session& s) { return s.cfg.trash_web; });
  constant("SANDBOXWEB", [](Session& s) { return s.cfg.sandbox_web; });
  constant("USERSWEB", [](Session& s) { return s.cfg.users_web; });
  constant("HOMEWEB", [](Session& s) { return s.cfg.default_web; });  // {HomeWebName}
  constant("MAINWEB", [](Session& s) { return s.cfg.users_web; });  // DefaultPreferences sets it too
  constant("DEFAULTURLHOST", [](Session& s) { return s.cfg.default_url_host; });
  constant("SCRIPTSUFFIX", [](Session& s) { return s.cfg.script_suffix; });
  constant("LOCALSITEPREFS", [](Session& s) { return s.cfg.site_prefs; });
  constant("NOFOLLOW", [](Session& s) {
    return s.cfg.no_follow.empty() || s.cfg.no_follow == "0" ? std::string() : "rel=" + s.cfg.no_follow;
  });
  constant("AUTHREALM", [](Session& s) { return s.cfg.auth_realm; });
  constant("ALLOWLOGINNAME", [](Session& s) { return std::string(s.cfg.allow_login_name ? "1" : "0"); });
  constant("WIKIADMINLOGIN", [](Session& s) { return s.cfg.admin_login; });
  constant("WIKIWEBMASTER", [](Session& s) { return s.cfg.web_master_email; });
  constant("WIKIWEBMASTERNAME", [](Session& s) { return s.cfg.web_master_name; });
  constant("WIKIAGENTEMAIL", [](Session& s) {
    return s.cfg.wiki_agent_email.empty() ? s.cfg.web_master_email : s.cfg.wiki_agent_email;
  });
  constant("WIKIAGENTNAME", [](Session& s) {
    return s.cfg.wiki_agent_name.empty() ? s.cfg.web_master_name : s.cfg.wiki_agent_name;
  });
  constant("CHARSET", [](Session&) { return std::string("utf-8"); });
  constant("LANG", [](Session& s) {
    // {Site}{Locale} "de_AT.utf-8" gives "de-AT"
    const std::string& loc = s.cfg.site_locale;
    size_t i = 0;
    while (i < loc.size() && std::isalpha(static_cast<unsigned char>(loc[i]))) ++i;
    if (i == 0) return std::string("en");
    std::string lang = loc.substr(0, i);
    if (i < loc.size() && loc[i] == '_') {
      size_t j = i + 1;
      while (j < loc.size() && std::isalpha(static_cast<unsigned char>(loc[j]))) ++j;
      if (j > i + 1) lang += "-" + loc.substr(i + 1, j - i - 1);
    }
    return lang;
  });
  constant("WIKIVERSION", [](Session&) { return std::string(kWikiVersion); });
  constant("WIKIRELEASE", [](Session&) { return std::string(kWikiRelease); });
  register_macro("PLUGINVERSION", [](Session&, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    // No plugins are loaded: a plugin's version is empty.
    return perl_true(a.default_value()) ? std::string() : std::string(kPluginsApiVersion);
  });
  constant("FOSWIKI_BROADCAST", [](Session& s) { return s.cfg.system_message; });
}

}  // namespace cwiki

#include "macros/session.h"

#include "util/chars.h"

namespace cwiki {

StringKeyMap<MacroDef>& macro_registry() {
  static StringKeyMap<MacroDef> r;
  return r;
}

void register_macro(const std::string& name, MacroFn fn, bool friendly_syntax) {
  macro_registry()[name] = MacroDef{std::move(fn), friendly_syntax};
}

Session::Session(const Config& c, const Store& st, const Params& p, Log& l)
    : cfg(c), store(st), params(p), log(l) {}

std::shared_ptr<const PrefsLevel> Session::prefs_of(std::string_view web, std::string_view topic) {
  std::string key;
  key.reserve(web.size() + topic.size() + 1);
  key.append(web).append(".").append(topic);
  if (auto it = level_cache_.find(key); it != level_cache_.end()) return it->second;
  auto level = PrefsLevel::of(store.read(web, topic));
  level_cache_.emplace(std::move(key), level);
  return level;
}

void Session::init_prefs() {
  prefs.push(prefs_of(cfg.system_web, "DefaultPreferences"));
  prefs.set_internal("BASEWEB", base.web);
  prefs.set_internal("BASETOPIC", base.topic);
  prefs.set_internal("INCLUDINGWEB", base.web);
  prefs.set_internal("INCLUDINGTOPIC", base.topic);
  size_t dot = cfg.site_prefs.rfind('.');
  if (dot != std::string::npos)
    prefs.push(prefs_of(cfg.site_prefs.substr(0, dot), cfg.site_prefs.substr(dot + 1)));
  prefs.push(prefs_of(cfg.users_web, wikiname));
  push_topic_context(base);
}

void Session::push_topic_context(const TopicRef& t) {
  Context c;
  c.stack_size = prefs.size();
  c.saved_internals = prefs.internals();
  contexts_.push_back(std::move(c));
  std::string path;
  std::string_view w = t.web;
  size_t i = 0;
  while (i <= w.size()) {
    size_t j = find_any(w, "/.", i);
    if (j == std::string_view::npos) j = w.size();
    if (j > i) {
      if (!path.empty()) path += '/';
      path += w.substr(i, j - i);
      prefs.push(prefs_of(path, "WebPreferences"));
    }
    i = j + 1;
  }
  prefs.push(prefs_of(t.web, t.topic));
  prefs.push_session_level();
}

void Session::pop_topic_context() {
  if (contexts_.empty()) return;
  Context c = std::move(contexts_.back());
  contexts_.pop_back();
  prefs.restore(c.stack_size);
  prefs.set_internals(std::move(c.saved_internals));
}

}  // namespace cwiki

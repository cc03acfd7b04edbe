// Session: the state of one request while macros are expanded: who asks,
// for which topic, with which parameters, and the preference stack.
// One per request, used by one thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/message.h"
#include "macros/attrs.h"
#include "prefs/stack.h"
#include "site/config.h"
#include "site/log.h"
#include "store/store.h"

namespace cwiki {

struct TopicRef {
  std::string web;
  std::string topic;
};

class Session;
class Templates;  // tmpl/templates.h
class Users;  // auth/users.h

// A macro: returns its expansion, or nullopt to leave the call as written.
using MacroFn = std::function<std::optional<std::string>(Session&, const Attrs&, const TopicRef&)>;

struct MacroDef {
  MacroFn fn;
  bool friendly_syntax = false;  // parameters in Foswiki's "context-free" syntax (IF)
};

// The registry of macros, filled once at start-up by register_*_macros().
StringKeyMap<MacroDef>& macro_registry();
void register_macro(const std::string& name, MacroFn fn, bool friendly_syntax = false);

class Session {
 public:
  Session(const Config& cfg, const Store& store, const Params& params, Log& log);

  const Config& cfg;
  const Store& store;
  const Params& params;
  Log& log;

  // The user (until login exists: the guest).
  std::string cuid = "BaseUserMapping_666";
  std::string login = "guest";
  std::string wikiname = "WikiGuest";

  TopicRef base;               // the topic of the request
  std::string action = "view";  // the script
  std::string url_host = "http://localhost";  // scheme://host[:port] of the request
  bool absolute_urls = false;   // all generated URLs absolute (no request)
  std::string query_string;     // the request's, raw
  std::set<std::string> contexts;  // Foswiki's context flags: view, ...
  // The HTTP request (nullptr without one): its headers, method and the user
  // the server authenticated, for ENV, HTTP, HTTPS, HTTP_HOST, REMOTE_USER.
  const Request* request = nullptr;
  std::string remote_addr;  // the client's address (REMOTE_ADDR)
  bool secure = false;      // the request came over HTTPS

  PrefsStack prefs;

  // Sets up the preference stack for `base`: DefaultPreferences, site
  // preferences, the user's topic, then the topic context of `base`.
  void init_prefs();
  // Pushes the preferences of web.topic over the current ones (as Foswiki's
  // pushTopicContext does for an included topic); pop returns to before.
  void push_topic_context(const TopicRef& t);
  void pop_topic_context();

  // The preferences of one topic, read once per session.
  std::shared_ptr<const PrefsLevel> prefs_of(std::string_view web, std::string_view topic);

  // A preference's value, or "".
  std::string pref(std::string_view name) const { return prefs.get(name).value_or(""); }

  // Zones (ADDTOZONE / RENDERZONE): id -> (requires, text), per zone.
  struct ZoneItem {
    std::string id;
    std::vector<std::string> requires_ids;
    std::string text;
    TopicRef topic;
  };
  std::map<std::string, std::vector<ZoneItem>> zones;

  // Per-request storage for macros that keep state (TOC instances, ...).
  std::unordered_map<std::string, std::string> scratch;

  // Per-request objects a macro builds once and uses again (the icon
  // table, ...), by a key unique to their type: see memo().
  template <typename T>
  T& memo(std::string_view key) {
    auto it = memos_.find(key);
    if (it == memos_.end()) it = memos_.emplace(std::string(key), std::make_shared<T>()).first;
    return *static_cast<T*>(it->second.get());
  }

  // The users and groups directory (auth/users.h) of this request, created
  // on first use (see users_of() in macros/data_util.h).
  std::shared_ptr<Users> users;

  // The request's skin template definitions (tmpl/templates.h: templates_of()).
  std::shared_ptr<Templates> templates;

  // Expansion limits.
  int include_depth = 0;
  size_t expanded_bytes = 0;

 private:
  struct Context {
    size_t stack_size;
    PrefsStack::Internals saved_internals;
  };
  std::vector<Context> contexts_;
  StringKeyMap<std::shared_ptr<void>> memos_;
  std::unordered_map<std::string, std::shared_ptr<const PrefsLevel>> level_cache_;
};

}  // namespace cwiki

#include "query/session_host.h"

#include <unordered_map>
#include <vector>

#include "auth/users.h"
#include "macros/data_util.h"
#include "macros/expand.h"
#include "prefs/stack.h"
#include "store/names.h"

namespace cwiki::query {
SessionHost::SessionHost(Session& s) : Host(s.store), s_(s) {}
SessionHost::~SessionHost() = default;

std::shared_ptr<const TopicObject> SessionHost::load(std::string_view web, std::string_view topic) {
  // A request sees each topic as it first read it (skins ask about the same
  // few topics in every IF).
  auto& loaded = s_.memo<StringKeyMap<std::shared_ptr<const TopicObject>>>("query:loaded");
  std::string key;
  key.reserve(web.size() + topic.size() + 1);
  key.append(web).append("\n").append(topic);
  if (auto it = loaded.find(key); it != loaded.end()) return it->second;
  std::shared_ptr<const TopicObject> t = Host::load(web, topic);
  if (t->snap && !may_access(s_, "VIEW", t->web, t->topic, t->snap)) {
    auto hidden = std::make_shared<TopicObject>(*t);
    hidden->snap = nullptr;
    t = std::move(hidden);
  }
  loaded.emplace(std::move(key), t);
  return t;
}

std::string SessionHost::base_web() { return s_.base.web; }
std::string SessionHost::users_web() { return s_.cfg.users_web; }
std::string SessionHost::system_web() { return s_.cfg.system_web; }
std::string SessionHost::home_topic() { return s_.cfg.default_topic; }

Value SessionHost::config(std::string_view key) {
  // Foswiki's {AccessibleCFG}: the items a query may read; others are ''.
  static const std::string_view kAccessible[] = {
      "{AccessControlACL}{EnableDeprecatedEmptyDeny}", "{AccessibleCFG}", "{AdminUserLogin}",
      "{AdminUserWikiName}", "{AntiSpam}{EmailPadding}", "{AntiSpam}{EntityEncode}",
      "{AntiSpam}{HideUserDetails}", "{AntiSpam}{RobotsAreWelcome}", "{AttachmentNameFilter}",
      "{AuthRealm}", "{AuthScripts}", "{Cache}{Enabled}", "{DefaultDateFormat}",
      "{DefaultUrlHost}", "{DenyDotDotInclude}", "{DisplayTimeValues}", "{EnableEmail}",
      "{EnableHierarchicalWebs}", "{FormTypes}", "{HomeTopicName}", "{LeaseLength}",
      "{LeaseLengthLessForceful}", "{LinkProtocolPattern}", "{LocalSitePreferences}",
      "{LoginNameFilterIn}", "{MaxRevisionsInADiff}", "{MinPasswordLength}", "{NameFilter}",
      "{NotifyTopicName}", "{NumberOfRevisions}", "{PluginsOrder}", "{Plugins}{WebSearchPath}",
      "{PluralToSingular}", "{Register}{AllowLoginName}", "{Register}{Approvers}",
      "{Register}{DisablePasswordConfirmation}", "{Register}{EnableNewUserRegistration}",
      "{Register}{NeedApproval}", "{Register}{NeedVerification}",
      "{Register}{RegistrationAgentWikiName}", "{ReplaceIfEditedAgainWithin}", "{SandboxWebName}",
      "{ScriptSuffix}", "{ScriptUrlPath}", "{Site}{Locale}", "{SitePrefsTopicName}",
      "{Stats}{TopContrib}", "{Stats}{TopicName}", "{Stats}{TopViews}", "{SuperAdminGroup}",
      "{SystemWebName}", "{TemplateLogin}{AllowLoginUsingEmailAddress}", "{TemplatePath}",
      "{TrashWebName}", "{UploadFilter}", "{UseLocale}", "{UserInterfaceInternationalisation}",
      "{UsersTopicName}", "{UsersWebName}", "{Validation}{Method}", "{WebMasterEmail}",
      "{WebMasterName}", "{WebPrefsTopicName}",
  };
  bool accessible = false;
  for (std::string_view k : kAccessible)
    if (k == key) accessible = true;
  if (!accessible) return Value::str("");
  const Config& c = s_.cfg;
  if (key == "{AccessibleCFG}") {
    Array a;
    for (std::string_view k : kAccessible) a.push_back(Value::str(std::string(k)));
    return Value::array(std::move(a));
  }
  if (key == "{ScriptSuffix}") return Value::str(c.script_suffix);
  if (key == "{ScriptUrlPath}") return Value::str(c.script_url_path);
  if (key == "{HomeTopicName}") return Value::str(c.default_topic);
  if (key == "{SystemWebName}") return Value::str(c.system_web);
  if (key == "{UsersWebName}") return Value::str(c.users_web);
  if (key == "{SandboxWebName}") return Value::str(c.sandbox_web);
  if (key == "{TrashWebName}") return Value::str(c.trash_web);
  if (key == "{LocalSitePreferences}") return Value::str(c.site_prefs);
  if (key == "{DefaultUrlHost}") return Value::str(c.default_url_host);
  if (key == "{WebPrefsTopicName}") return Value::str("WebPreferences");
  if (key == "{SitePrefsTopicName}") return Value::str("SitePreferences");
  if (key == "{UsersTopicName}") return Value::str("WikiUsers");
  if (key == "{NotifyTopicName}") return Value::str("WebNotify");
  if (key == "{AdminUserLogin}") return Value::str(c.admin_login);
  if (key == "{AdminUserWikiName}") return Value::str("AdminUser");
  if (key == "{SuperAdminGroup}") return Value::str(std::string(kAdminGroup));
  if (key == "{Register}{RegistrationAgentWikiName}") return Value::str("RegistrationAgent");
  if (key == "{EnableHierarchicalWebs}") return Value::integer(1);
  if (key == "{DefaultDateFormat}") return Value::str("$day $month $year");
  if (key == "{DisplayTimeValues}") return Value::str("gmtime");
  if (key == "{NameFilter}") return Value::str("[\\\\\\s*?~^$@%`\"'&|<:;>\\[\\]#\\x00-\\x1f]");
  return {};
}

const std::string* SessionHost::url_param(std::string_view name) { return s_.params.get(name); }

std::optional<std::string> SessionHost::preference(std::string_view name, const TopicObject& tom) {
  if (auto v = s_.prefs.get(name)) return v;
  if (!tom.topic.empty()) {
    auto level = s_.prefs_of(tom.web, tom.topic);
    std::string key(name);
    if (auto it = level->set.find(key); it != level->set.end()) return it->second;
    if (auto it = level->local.find(key); it != level->local.end()) return it->second;
  }
  return std::nullopt;
}

std::optional<std::string> SessionHost::session_preference(std::string_view name) {
  return s_.prefs.get(name);
}

bool SessionHost::macro_exists(std::string_view name) {
  if (name == kTocHook) return false;
  return macro_registry().count(name) > 0;
}

std::string SessionHost::context(std::string_view name) {
  return s_.contexts.count(std::string(name)) ? "1" : "";
}

std::string SessionHost::expand(std::string_view text, const TopicObject& tom) {
  TopicRef t{tom.web.empty() ? s_.base.web : tom.web, tom.topic.empty() ? s_.base.topic : tom.topic};
  return expand_inner(s_, text, t);
}

bool SessionHost::allows(std::string_view mode, std::string_view web, std::string_view topic) {
  return may_access(s_, mode, web, topic);
}

std::string SessionHost::canonical_user(std::string_view identifier) {
  return users_of(s_).cuid_of(identifier).value_or("");
}

bool SessionHost::is_in_group(std::string_view cuid, std::string_view group) {
  return users_of(s_).is_in_group(cuid, group);
}

std::shared_ptr<const TopicObject> SessionHost::topic(const TopicRef& t) {
  return load(t.web.empty() ? s_.base.web : t.web, t.topic.empty() ? s_.base.topic : t.topic);
}

}  // namespace cwiki::query

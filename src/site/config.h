// The site's configuration: where the Foswiki tree is and which URLs the
// wiki answers.  Filled by the adapter from Apache directives, checked once at
// start-up, immutable afterwards.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cwiki {

struct Config {
  std::string root;          // the Foswiki root (holds data/, pub/, templates/)
  std::string data_dir;      // empty: <root>/data
  std::string pub_dir;       // empty: <root>/pub
  std::string template_dir;  // empty: <root>/templates
  // The project's own skin templates (share/templates), searched after the
  // site's template directory; empty: none.
  std::string skin_dir;

  std::string script_url_path = "/foswiki/bin";  // {ScriptUrlPath}
  std::string pub_url_path = "/foswiki/pub";     // {PubUrlPath}
  std::string view_url_path = "/foswiki";        // short view URLs; "" turns them off

  std::string default_web = "Main";       // {HomeWebName}: the web of /foswiki/
  std::string default_topic = "WebHome";  // {HomeTopicName}
  std::string system_web = "System";      // {SystemWebName}
  std::string users_web = "Main";         // {UsersWebName}
  std::string site_prefs = "Main.SitePreferences";  // {LocalSitePreferences}
  std::string site_name = "mod_cwiki";   // shown until WIKITOOLNAME is expanded
  std::string sandbox_web = "Sandbox";   // {SandboxWebName}
  std::string trash_web = "Trash";       // {TrashWebName}
  std::string default_url_host = "http://localhost";  // {DefaultUrlHost}, when a request has no Host
  std::string script_suffix;             // {ScriptSuffix}
  // {ScriptUrlPaths}{script}: a script's own URL path, overriding
  // <script_url_path>/<script><suffix> (the short view path goes here too).
  std::map<std::string, std::string> script_url_paths;

  // Users (auth/users.h).
  std::string admin_login = "admin";  // {AdminUserLogin}: login of the built-in admin
  std::string htpasswd_file;          // {Htpasswd}{FileName}; empty: <data>/.htpasswd
  bool hide_user_details = true;      // {AntiSpam}{HideUserDetails}: USERINFO hides others' details

  // The core macros (macros/core.h): Foswiki's settings of the same names.
  std::string web_master_email;                       // {WebMasterEmail}
  std::string web_master_name = "Wiki Administrator";  // {WebMasterName}
  std::string wiki_agent_email, wiki_agent_name;      // {Email}{WikiAgentEmail}, {...}{WikiAgentName}
  std::string auth_realm =                            // {AuthRealm}
      "Enter your WikiName. (First name and last name, no space, no dots, capitalized, e.g. "
      "JohnSmith). Cancel to register if you do not have one.";
  bool allow_login_name = false;                      // {Register}{AllowLoginName}
  std::string no_follow = "nofollow";                 // {NoFollow}
  std::string notify_topic = "WebNotify";             // {NotifyTopicName}
  std::string stats_topic = "WebStatistics";          // {Stats}{TopicName}
  std::string web_prefs_topic = "WebPreferences";     // {WebPrefsTopicName}
  std::string site_prefs_topic = "DefaultPreferences";  // {SitePrefsTopicName}
  std::string users_topic = "WikiUsers";              // {UsersTopicName}
  std::string default_date_format = "$day $month $year";  // {DefaultDateFormat}
  std::string display_time_values = "gmtime";         // {DisplayTimeValues}: gmtime or servertime
  std::string site_locale;                            // {Site}{Locale} when {UseLocale}; else empty
  std::vector<std::string> languages;                 // {Languages}{xx}{Enabled}: UI languages besides en
  // {AccessibleENV}: the variables %ENV% shows (a PCRE pattern).
  std::string accessible_env =
      R"(^(HTTP_\w+|REMOTE_\w+|SERVER_\w+|REQUEST_\w+|MOD_PERL|FOSWIKI_ACTION|PATH_INFO)$)";
  std::vector<std::string> accessible_headers = {"Accept-Language", "User-Agent"};  // {AccessibleHeaders}
  std::string system_message;                         // shown by %FOSWIKI_BROADCAST%

  size_t max_body_bytes = 51200000;  // a request body larger than this gets 413
  size_t cache_bytes = 64u << 20;    // worker memory for parsed topics

  // The directories actually used (the overrides, or the defaults under root).
  std::string data() const;
  std::string pub() const;
  std::string templates() const;
};

// Checks a URL path directive value: absolute, no trailing '/', no '..',
// no query or fragment, printable ASCII.  Returns an error message or "".
std::string check_url_path(std::string_view value, bool allow_empty);

// Checks a web or topic name directive value against Foswiki's naming rules.
std::string check_default_web(std::string_view value);
std::string check_default_topic(std::string_view value);

// Checks that the directories exist and can be read; returns a message that
// names the offending setting and path, or "".  `root_directive` and
// `data_directive` are the directive names to quote in the message.
std::string check_dirs(const Config& c, std::string_view root_directive,
                       std::string_view data_directive);

}  // namespace cwiki

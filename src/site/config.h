// The site's configuration: where the Foswiki tree is and which URLs the
// wiki answers.  Filled by the adapter from Apache directives, checked once at
// start-up, immutable afterwards.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace cwiki {

struct Config {
  std::string root;          // the Foswiki root (holds data/, pub/, templates/)
  std::string data_dir;      // empty: <root>/data
  std::string pub_dir;       // empty: <root>/pub
  std::string template_dir;  // empty: <root>/templates

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

#include "auth/access.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "prefs/prefs.h"
#include "prefs/stack.h"

namespace cwiki {
namespace {

enum class Match { no, yes, unknown };

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool has_content(const std::optional<std::string>& v) {
  return v && !trim(*v).empty();
}

// Does the guest match one entry of an access list?
Match guest_matches(std::string_view entry, const Config& cfg) {
  if (entry == "*") return Match::yes;
  const std::string users = cfg.users_web + ".";
  for (std::string_view prefix :
       {std::string_view("%USERSWEB%."), std::string_view("%MAINWEB%."), std::string_view(users)}) {
    if (entry.starts_with(prefix)) {
      entry.remove_prefix(prefix.size());
      break;
    }
  }
  if (entry == "WikiGuest" || entry == "guest") return Match::yes;
  if (entry.find('%') != std::string_view::npos || entry.ends_with("Group")) return Match::unknown;
  return Match::no;
}

// Is the guest in a comma- or space-separated list?  Unknown entries (groups,
// macros) count as `unknown_means`.
bool guest_in_list(std::string_view list, const Config& cfg, bool unknown_means) {
  size_t i = 0;
  while (i < list.size()) {
    size_t j = list.find_first_of(", \t\n\r", i);
    if (j == std::string_view::npos) j = list.size();
    std::string_view entry = list.substr(i, j - i);
    i = j + 1;
    if (entry.empty()) continue;
    Match m = guest_matches(entry, cfg);
    if (m == Match::yes) return true;
    if (m == Match::unknown && unknown_means) return true;
  }
  return false;
}

// Values of the web-level preferences after the cascade, with finalisation:
// a level's value counts unless a level below it made the name final.
class WebPrefs {
 public:
  void push(const TopicPtr& topic) {
    if (topic) levels_.push_back(PrefsLevel::of(topic));
  }
  std::optional<std::string> get(const std::string& name) const {
    std::optional<std::string> value;
    for (const auto& level : levels_) {
      for (const auto& [n, v] : level->web_access)
        if (n == name) value = v;
      if (std::find(level->final_names.begin(), level->final_names.end(), name) !=
          level->final_names.end())
        break;
    }
    return value;
  }

 private:
  std::vector<std::shared_ptr<const PrefsLevel>> levels_;
};

std::pair<std::string, std::string> split_web_topic(std::string_view s) {
  size_t dot = s.rfind('.');
  if (dot == std::string_view::npos) return {"", std::string(s)};
  return {std::string(s.substr(0, dot)), std::string(s.substr(dot + 1))};
}

}  // namespace

TopicAcl topic_acl(const TopicDoc& doc, std::string_view mode) {
  TopicAcl acl;
  const std::string deny = "DENYTOPIC" + std::string(mode);
  const std::string allow = "ALLOWTOPIC" + std::string(mode);
  for (auto& s : parse_prefs(doc)) {  // the topic's own settings, Set and Local alike
    if (s.name == deny) acl.deny = s.value;
    if (s.name == allow) acl.allow = s.value;
  }
  return acl;
}

TopicAcl topic_acl(const TopicPtr& snap, std::string_view mode) {
  TopicAcl acl;
  if (!snap) return acl;
  for (const auto& [name, value] : PrefsLevel::of(snap)->topic_access) {
    std::string_view n = name;
    if (n.starts_with("DENYTOPIC") && n.substr(9) == mode) acl.deny = value;
    if (n.starts_with("ALLOWTOPIC") && n.substr(10) == mode) acl.allow = value;
  }
  return acl;
}

namespace {

AccessDecision decide(const Store& store, const Config& cfg, std::string_view mode,
                      std::string_view web, const TopicAcl& acl) {
  const std::string m(mode);
  if (acl.deny && !trim(*acl.deny).empty() && guest_in_list(*acl.deny, cfg, true))
    return {false, "DENYTOPIC" + m + " of this topic excludes guests"};
  if (has_content(acl.allow)) {
    if (guest_in_list(*acl.allow, cfg, false)) return {};
    return {false, "ALLOWTOPIC" + m + " of this topic does not include guests"};
  }

  WebPrefs prefs;
  prefs.push(store.read(cfg.system_web, "DefaultPreferences"));
  auto [sweb, stopic] = split_web_topic(cfg.site_prefs);
  if (!sweb.empty()) prefs.push(store.read(sweb, stopic));
  std::string path;
  for (size_t i = 0; i <= web.size(); ++i) {
    if (i == web.size() || web[i] == '/') {
      path = std::string(web.substr(0, i));
      prefs.push(store.read(path, "WebPreferences"));
    }
  }
  if (!acl.deny) {  // a DENYTOPIC, even an empty one, overrides DENYWEB
    auto deny_web = prefs.get("DENYWEB" + m);
    if (has_content(deny_web) && guest_in_list(*deny_web, cfg, true))
      return {false, "DENYWEB" + m + " of web " + std::string(web) + " excludes guests"};
  }
  auto allow_web = prefs.get("ALLOWWEB" + m);
  if (has_content(allow_web) && !guest_in_list(*allow_web, cfg, false))
    return {false, "ALLOWWEB" + m + " of web " + std::string(web) + " does not include guests"};
  return {};
}

}  // namespace

AccessDecision guest_access(const Store& store, const Config& cfg, std::string_view mode,
                            std::string_view web, const TopicDoc& topic) {
  return decide(store, cfg, mode, web, topic_acl(topic, mode));
}

AccessDecision guest_access(const Store& store, const Config& cfg, std::string_view mode,
                            std::string_view web, const TopicPtr& topic) {
  return decide(store, cfg, mode, web, topic_acl(topic, mode));
}

}  // namespace cwiki

// Users and groups, read only, as Foswiki 2 sees them with its default
// mappings (Foswiki::Users over BaseUserMapping and TopicUserMapping).
//
// Two mappings answer together:
//   * the base mapping: five built-in users with cUIDs BaseUserMapping_111
//     (ProjectContributor), _222 (RegistrationAgent), _333 (the admin,
//     login Config::admin_login, AdminUser, e-mail Config::web_master_email
//     or "email not set"), _666 (guest, WikiGuest) and
//     _999 (unknown, UnknownUser), and two groups: AdminGroup {_333} and
//     BaseGroup {_333, _666, _999, _111, _222};
//   * the topic mapping: registered users listed in <users web>.WikiUsers
//     ("   * WikiName - login - date", the login being optional), whose cUID
//     is the login with every byte outside [A-Za-z0-9] written _xx; logins
//     found only in the password file (Config::htpasswd_file) exist too;
//     groups are the <users web> topics whose name ends in "Group", their
//     members the GROUP setting of that topic (wiki names, logins or other
//     groups, "Main." prefixes allowed), nested groups expanded with a
//     guard against cycles.
// E-mail addresses come from the password file ("login:hash:mail;mail")
// when it exists, as with Foswiki's HtPasswdUser; otherwise from the user
// topic's Email form field or its "   * Email: ..." line.
//
// Everything is read lazily through the Store and kept for the life of the
// object: create one per request (it is not thread-safe) so that edits to
// WikiUsers or a group topic are seen by the next request.  No function
// here checks access rights: callers decide what the current user may see.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "site/config.h"
#include "store/store.h"

namespace cwiki {

inline constexpr std::string_view kGuestCuid = "BaseUserMapping_666";
inline constexpr std::string_view kAdminCuid = "BaseUserMapping_333";
inline constexpr std::string_view kUnknownCuid = "BaseUserMapping_999";
inline constexpr std::string_view kAdminGroup = "AdminGroup";  // {SuperAdminGroup}
inline constexpr std::string_view kBaseGroup = "BaseGroup";

// Limits against hostile or broken group topics.
inline constexpr int kMaxGroupDepth = 32;          // nesting of groups in groups
inline constexpr size_t kMaxGroupMembers = 100000;  // members of one expanded group

class Users {
 public:
  // `store` and `cfg` must outlive the object.
  Users(const Store& store, const Config& cfg);
  ~Users();
  Users(const Users&) = delete;
  Users& operator=(const Users&) = delete;

  // ---- identities (Foswiki::Users) ----

  // getCanonicalUserID: the cUID of the user who logs in as `id`, or else
  // has the wiki name `id` (a "<users web>." prefix is allowed); nullopt
  // for unknown names.  As in Foswiki, the base groups (AdminGroup,
  // BaseGroup) come back as themselves, topic groups as nullopt.
  std::optional<std::string> cuid_of(std::string_view id);
  // getLoginName: the login of a cUID, nullopt when the cUID is unknown.
  std::optional<std::string> login_of(std::string_view cuid);
  // getWikiName: the wiki name of a cUID, without web; an unknown cUID is
  // returned as it is (Foswiki's behaviour with RenderLoggedInButUnknownUsers off).
  std::string wikiname_of(std::string_view cuid);
  // webDotWikiName: "<users web>.<wikiname_of(cuid)>".
  std::string web_dot_wikiname(std::string_view cuid);
  // findUserByWikiName: the cUIDs with this wiki name (a group name gives
  // itself, unexpanded).
  std::vector<std::string> find_by_wikiname(std::string_view wikiname);
  // The cUID a request runs as: `cuid` when it names a known user, else the
  // user whose login (then wiki name) is `login`, else `cuid` unchanged.
  std::string resolve(std::string_view cuid, std::string_view login);
  // getEmails: the addresses of a user, or of every member of a group;
  // duplicates removed, in the order found.
  std::vector<std::string> emails(std::string_view name);

  // ---- groups ----

  // isGroup: AdminGroup, BaseGroup, or an existing <users web>.*Group topic.
  bool is_group(std::string_view name);
  // eachGroup: the base groups, then the group topics in name order.
  std::vector<std::string> groups();
  // eachGroupMember: the members of `group` as cUIDs.  With `expand`,
  // nested groups are replaced by their members (recursively, cycles cut);
  // without, nested group names are listed as they are.  Unknown names in
  // a GROUP setting are kept as written, as Foswiki does.  Duplicates are
  // removed; the order is that of the settings.
  std::vector<std::string> group_members(std::string_view group, bool expand = true);
  // isInGroup: is `cuid` a member of `group` (nested groups expanded when asked)?
  bool is_in_group(std::string_view cuid, std::string_view group, bool expand = true);
  // eachMembership: the groups `cuid` belongs to (nested memberships
  // included); empty for unknown cUIDs.
  std::vector<std::string> memberships(std::string_view cuid);
  // isAdmin: the admin user, or a member of AdminGroup.
  bool is_admin(std::string_view cuid);
  // isInUserList: is `cuid` named in `list` (comma/space separated wiki
  // names, logins and groups, with optional "<users web>.", "%USERSWEB%."
  // or "%MAINWEB%." prefixes; "*" is everybody)?  For access control lists.
  bool is_in_list(std::string_view cuid, std::string_view list);

  const Config& config() const { return cfg_; }

 private:
  struct BaseUser {
    std::string login, wikiname, email;
  };
  struct PasswordEntry {
    std::string pass;
    std::vector<std::string> emails;
  };

  // base mapping
  bool base_has_cuid(std::string_view cuid) const;
  const std::vector<std::string>* base_group(std::string_view name) const;
  bool base_handles(const std::string* cuid, const std::string* login,
                    const std::string* wikiname) const;
  std::optional<std::string> base_cuid_of_login(std::string_view login) const;
  std::optional<std::string> base_cuid_of_wikiname(std::string_view wikiname) const;

  // topic mapping
  void load_mapping();
  void load_passwords();
  bool login_exists(std::string_view login);
  bool topic_handles(const std::string* cuid, const std::string* login, const std::string* wikiname);
  std::optional<std::string> topic_login_of(std::string_view cuid);
  std::optional<std::string> topic_wikiname_of(std::string_view cuid);
  bool topic_is_group(std::string_view name);
  const std::vector<std::string>& topic_groups();
  std::vector<std::string> topic_members(std::string_view group, bool expand, int depth);
  std::vector<std::string> expand_list(std::string_view names, bool expand, int depth);
  std::vector<std::string> topic_emails(std::string_view name, std::set<std::string>& seen);
  std::vector<std::string> topic_user_emails(std::string_view cuid);
  bool topic_is_admin(std::string_view cuid);

  // true: the base mapping answers for this user (Foswiki's _getMapping)
  bool base_mapping_for(const std::string* cuid, const std::string* login,
                        const std::string* wikiname, bool fallback = true);
  std::string strip_users_web(std::string_view name) const;

  const Store& store_;
  const Config& cfg_;
  std::map<std::string, BaseUser, std::less<>> base_users_;  // by cUID
  std::vector<std::pair<std::string, std::vector<std::string>>> base_groups_;

  bool mapping_loaded_ = false;
  std::unordered_map<std::string, std::string> l2u_, u2w_, w2u_;
  bool passwords_loaded_ = false;
  bool have_password_file_ = false;
  std::unordered_map<std::string, PasswordEntry> passwords_;
  bool groups_loaded_ = false;
  std::vector<std::string> topic_groups_;
  std::set<std::string, std::less<>> topic_group_set_;
  std::map<std::string, std::vector<std::string>, std::less<>> expanded_cache_, single_cache_;
  std::set<std::string, std::less<>> expanding_;
};

// Foswiki::Users::mapLogin2cUID: every byte outside [A-Za-z0-9] becomes _xx.
std::string login_to_cuid(std::string_view login);

}  // namespace cwiki

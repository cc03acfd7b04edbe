// The users and groups macros: USERINFO, USERNAME, WIKINAME, WIKIUSERNAME,
// GROUPINFO and GROUPS, as Foswiki 2 has them.
#include <algorithm>
#include <cctype>

#include "macros/data_util.h"
#include "macros/expand.h"
#include "macros/registry.h"
#include "prefs/prefs.h"
#include "store/names.h"

namespace cwiki {

void register_data_user_macros();

namespace {

constexpr int kGroupsMemberLimit = 32;  // GROUPS lists this many members, then truncates

bool perl_true(const std::string* v) { return v && !v->empty() && *v != "0"; }

std::string or_default(const Attrs& a, std::string_view name, std::string_view fallback) {
  const std::string* v = a.get(name);
  return perl_true(v) ? *v : std::string(fallback);
}

// ---- USERINFO ----

std::string userinfo(Session& s, const Attrs& a, std::string format) {
  Users& u = users_of(s);
  std::string me = current_cuid(s);
  std::string user = me;
  bool cloak = false;
  if (const std::string* who = a.default_value(); perl_true(who)) {
    user = *who;
    if (auto c = u.cuid_of(user)) {
      user = *c;
    } else if (!u.is_group(user)) {
      return "";
    }
    if (user.empty()) return "";
    cloak = s.cfg.hide_user_details && !u.is_admin(me) && user != me;
  }
  if (user.empty()) return "";
  auto value = [&](std::string_view token) -> std::string {
    if (token == "username") {
      if (cloak) return "";
      return u.login_of(user).value_or("unknown");
    }
    if (token == "cUID") return cloak ? "" : user;
    if (token == "wikiname") return u.wikiname_of(user);
    if (token == "wikiusername") return u.web_dot_wikiname(user);
    if (token == "emails") {
      if (cloak) return "";
      std::string out;
      for (const auto& e : u.emails(user)) {
        if (!out.empty()) out += ", ";
        out += e;
      }
      return out;
    }
    if (token == "groups") {
      if (cloak) return "";
      std::string out;
      for (const auto& g : u.memberships(user)) {
        if (!out.empty()) out += ", ";
        out += g;
      }
      return out;
    }
    if (token == "admin" || token == "isadmin") return cloak ? "" : (u.is_admin(user) ? "true" : "false");
    if (token == "isgroup") return u.is_group(user) ? "true" : "false";
    return "";
  };
  static const char* const kTokens[] = {"username", "cUID",  "wikiname", "wikiusername", "emails",
                                        "groups",   "admin", "isadmin",  "isgroup"};
  std::string out;
  out.reserve(format.size());
  for (size_t i = 0; i < format.size();) {
    if (format[i] == '$') {
      bool done = false;
      for (const char* t : kTokens) {
        std::string_view tv(t);
        if (format.compare(i + 1, tv.size(), tv) == 0) {
          out += value(tv);
          i += 1 + tv.size();
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out.push_back(format[i++]);
  }
  return expand_standard_escapes(out);
}

std::optional<std::string> USERINFO(Session& s, const Attrs& a, const TopicRef&) {
  return userinfo(s, a, or_default(a, "format", "$username, $wikiusername, $emails"));
}

// USERNAME, WIKINAME and WIKIUSERNAME: USERINFO with a fixed format (or the
// value of the preference of the same name, as Foswiki has it).
MacroFn user_field(const char* pref, const char* format) {
  return [pref, format](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    auto v = s.prefs.get(pref);
    return userinfo(s, a, v && !v->empty() && *v != "0" ? *v : std::string(format));
  };
}

// ---- GROUPINFO / GROUPS ----

// groupAllowsView: may the request's user see the topic of this group (or user)?
bool group_allows_view(Session& s, const std::string& name) {
  Users& u = users_of(s);
  if (u.is_admin(current_cuid(s))) return true;
  // a group (or user) topic normalised elsewhere makes no sense: the users web it is
  std::string t = normalize_web_topic(s, s.cfg.users_web, name).second;
  const std::string& web = s.cfg.users_web;
  if (is_valid_topic_name(t) && s.store.topic_exists(web, t)) return may_access(s, "VIEW", web, t);
  return may_access(s, "VIEW", web, "");
}

// groupAllowsChange: may `cuid` change the group?  BaseGroup never, NobodyGroup never.
bool group_allows_change(Session& s, const std::string& group, const std::optional<std::string>& cuid) {
  if (group == "BaseGroup" || group == "RegistrationGroup") return false;
  std::string t = normalize_web_topic(s, s.cfg.users_web, group).second;
  if (t == "NobodyGroup") return false;
  Users& u = users_of(s);
  std::string who = cuid ? *cuid : current_cuid(s);
  if (u.is_admin(who)) return true;
  if (who != current_cuid(s)) {
    // access for another user than the request's: judged by the lists alone
    const std::string& web = s.cfg.users_web;
    std::string allow, deny;
    if (is_valid_topic_name(t)) {
      if (TopicPtr p = s.store.read(web, t)) {
        for (auto& pr : parse_prefs(p->doc)) {
          if (pr.name == "ALLOWTOPICCHANGE") allow = pr.value;
          if (pr.name == "DENYTOPICCHANGE") deny = pr.value;
        }
      }
    }
    if (!deny.empty() && u.is_in_list(who, deny)) return false;
    if (!allow.empty()) return u.is_in_list(who, allow);
    std::string wa = web_preference(s, web, "ALLOWWEBCHANGE");
    std::string wd = web_preference(s, web, "DENYWEBCHANGE");
    if (!wd.empty() && u.is_in_list(who, wd)) return false;
    if (!wa.empty() && !u.is_in_list(who, wa)) return false;
    return true;
  }
  const std::string& web = s.cfg.users_web;
  if (is_valid_topic_name(t) && s.store.topic_exists(web, t)) return may_access(s, "CHANGE", web, t);
  return may_access(s, "CHANGE", web, "");
}

// $allowschange(Name) and $allowschange
std::string allows_change_tokens(Session& s, std::string row, const std::string& group, bool change) {
  std::string out;
  for (size_t i = 0; i < row.size();) {
    if (row.compare(i, 14, "$allowschange(") == 0) {
      size_t close = row.find(')', i + 14);
      if (close != std::string::npos) {
        std::string who = row.substr(i + 14, close - i - 14);
        out += group_allows_change(s, group, users_of(s).cuid_of(who)) ? "1" : "0";
        i = close + 1;
        continue;
      }
    }
    if (row.compare(i, 13, "$allowschange") == 0) {
      out += change ? "1" : "0";
      i += 13;
      continue;
    }
    out.push_back(row[i++]);
  }
  return out;
}

// The argument of show="allowchange(Name)" / "denychange(Name)".
std::optional<std::string> show_arg(const std::string& show, std::string_view what) {
  size_t at = show.find(std::string(what) + "(");
  if (at == std::string::npos) return std::nullopt;
  size_t close = show.rfind(')');
  if (close == std::string::npos || close < at + what.size() + 1) return std::nullopt;
  return show.substr(at + what.size() + 1, close - at - what.size() - 1);
}

std::optional<std::string> GROUPINFO(Session& s, const Attrs& a, const TopicRef&) {
  Users& u = users_of(s);
  std::string group = or_default(a, "_DEFAULT", "");
  std::optional<std::string> format;
  if (const std::string* f = a.get("format")) format = *f;
  std::string sep = a.get_or("separator", ", ");
  long long limit = 0;
  {
    std::string l = or_default(a, "limit", "100000000");
    size_t i = 0;
    while (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i])) && limit < 1000000000LL)
      limit = limit * 10 + (l[i++] - '0');
    if (i == 0) limit = -1;  // not a number: no limit
  }
  std::string limited = a.get_or("limited", "");
  std::string header = a.get_or("header", "");
  std::string footer = a.get_or("footer", "");
  std::string show = a.get_or("show", "all");
  const std::string* zeroresults = a.get("zeroresults");
  bool expand = foswiki_is_true(a.has("expand") ? a.get("expand") : nullptr, true);

  std::vector<std::string> list;
  if (!group.empty()) {
    if (group.find_first_of("./") != std::string::npos) {
      auto [w, t] = normalize_web_topic(s, s.cfg.users_web, group);
      if (w != s.cfg.users_web) return std::string();
      group = t;
    }
    list = u.group_members(group, expand);
    if (!format) format = "$wikiusername";
  } else {
    list = u.groups();
    if (!format) format = "$name";
  }
  auto show_allow = show_arg(show, "allowchange");
  auto show_deny = show_arg(show, "denychange");
  std::vector<std::string> rows;
  for (const std::string& cuid : list) {
    if (!group_allows_view(s, cuid)) continue;
    bool change = group_allows_change(s, cuid, std::nullopt);
    if (show == "allowchange" && !change) continue;
    if (show == "denychange" && change) continue;
    const std::string& subject = group.empty() ? cuid : group;
    if (show_allow && !group_allows_change(s, subject, u.cuid_of(*show_allow))) continue;
    if (show_deny && group_allows_change(s, subject, u.cuid_of(*show_deny))) continue;
    std::string row = *format;
    if (!group.empty()) {
      std::string wname = u.wikiname_of(cuid);
      std::string uname = u.login_of(cuid).value_or("");
      if (uname.empty()) uname = wname;
      row = replace_token(row, "wikiname", wname);
      row = replace_token(row, "username", uname);
      row = replace_token(row, "wikiusername", u.web_dot_wikiname(cuid));
      row = replace_token(row, "name", group);
      row = allows_change_tokens(s, row, group, change);
    } else {
      row = replace_token(row, "name", cuid);
      row = allows_change_tokens(s, row, cuid, change);
    }
    rows.push_back(std::move(row));
    if (--limit == 0) break;
  }
  if (limit == 0) footer = limited + footer;
  std::string result;
  if (zeroresults && rows.empty()) {
    result = *zeroresults;
  } else {
    result = header;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i) result += sep;
      result += rows[i];
    }
    result += footer;
  }
  return expand_standard_escapes(result);
}

std::optional<std::string> GROUPS(Session& s, const Attrs&, const TopicRef&) {
  Users& u = users_of(s);
  const std::string& web = s.cfg.users_web;
  std::vector<std::string> table;
  for (const std::string& group : u.groups()) {
    if (!group_allows_view(s, group)) continue;
    std::string link = "<nop>" + group;
    if (is_valid_topic_name(group) && s.store.topic_exists(web, group))
      link = "[[" + web + "." + group + "][" + group + "]]";
    std::string descr = "| " + link + " |";
    int left = kGroupsMemberLimit;
    for (const std::string& user : u.group_members(group)) {
      if (!group_allows_view(s, user)) continue;
      descr += " [[" + u.web_dot_wikiname(user) + "][" + u.wikiname_of(user) + "]]";
      if (left == 0) {
        descr += "<div>%MAKETEXT{\"user list truncated\"}%</div>";
        break;
      }
      --left;
    }
    table.push_back(descr + " |");
  }
  std::sort(table.begin(), table.end());
  std::string out = "| *Group* | *Members* |\n";
  for (size_t i = 0; i < table.size(); ++i) {
    if (i) out += "\n";
    out += table[i];
  }
  return out;
}

}  // namespace

void register_data_user_macros() {
  register_macro("USERINFO", USERINFO);
  register_macro("USERNAME", user_field("USERNAME", "$username"));
  register_macro("WIKINAME", user_field("WIKINAME", "$wikiname"));
  register_macro("WIKIUSERNAME", user_field("WIKIUSERNAME", "$wikiusername"));
  register_macro("GROUPINFO", GROUPINFO);
  register_macro("GROUPS", GROUPS);
}

}  // namespace cwiki

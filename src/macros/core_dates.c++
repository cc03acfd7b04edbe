// Dates and revisions: DATE, GMTIME, SERVERTIME, DISPLAYTIME, REVINFO,
// REVTITLE, REVARG and Foswiki's renderRevisionInfo.
#include <ctime>

#include "auth/users.h"
#include "macros/core.h"
#include "macros/core_internal.h"
#include "macros/data_util.h"
#include "macros/expand.h"
#include "util/time.h"

namespace cwiki {
namespace {

using core_detail::first_true;
using core_detail::perl_true;

long long now() { return static_cast<long long>(std::time(nullptr)); }

// Does `s` hold "$" followed by one of `names` (case-sensitive)?
bool has_token(std::string_view s, std::initializer_list<std::string_view> names) {
  for (size_t i = s.find('$'); i != std::string_view::npos; i = s.find('$', i + 1)) {
    std::string_view rest = s.substr(i + 1);
    if (rest.empty()) break;
    for (std::string_view n : names)
      if (n[0] == rest[0] && rest.starts_with(n)) return true;
  }
  return false;
}

// Replaces "$name" (case-sensitive, anywhere) by what `fn` gives.
template <typename Fn>
void subst(std::string& s, std::string_view name, Fn fn) {
  std::string out;
  size_t done = 0;
  for (size_t i = s.find('$'); i != std::string::npos; i = s.find('$', i + 1)) {
    if (s.compare(i + 1, name.size(), name) != 0) continue;
    out.append(s, done, i - done);
    out += fn();
    done = i + 1 + name.size();
    i = done - 1;
  }
  if (done == 0) return;
  out.append(s, done);
  s.swap(out);
}

// What the cUID of a revision's author is called: login, wiki name and
// Web.WikiName, as Foswiki's renderRevisionInfo works them out.
struct AuthorNames {
  std::string login, wikiname, wikiusername;
};

AuthorNames author_names_uncached(Session& s, const std::string& author);

// Per request: a page shows the same few authors several times.
const AuthorNames& author_names(Session& s, const std::string& author) {
  auto& memo = s.memo<StringKeyMap<AuthorNames>>("revinfo:author-names");
  if (auto it = memo.find(author); it != memo.end()) return it->second;
  return memo.emplace(author, author_names_uncached(s, author)).first->second;
}

AuthorNames author_names_uncached(Session& s, const std::string& author) {
  AuthorNames n;
  if (author.empty()) return n;
  Users& users = users_of(s);
  std::optional<std::string> cuid = users.cuid_of(author);
  if (author == kUnknownCuid) cuid = author;
  if (!cuid) {
    auto login = users.login_of(author);
    if (login && *login != "unknown") cuid = author;
  }
  if (cuid) {
    n.wikiusername = users.web_dot_wikiname(*cuid);
    n.wikiname = users.wikiname_of(*cuid);
    n.login = users.login_of(*cuid).value_or("");
  }
  if (n.wikiusername.empty() || n.wikiname.empty() || n.login.empty()) {
    // Whatever the store recorded, without a mapping's prefix and with the
    // _xx escapes of a cUID decoded.
    std::string user = author;
    size_t p = user.find("Mapping_");
    if (p != std::string::npos && p > 0 && std::isupper(static_cast<unsigned char>(user[0]))) {
      bool ok = true;
      for (size_t k = 1; k < p; ++k)
        if (!std::isalpha(static_cast<unsigned char>(user[k]))) ok = false;
      if (ok) user = user.substr(p + 8);
    }
    std::string decoded;
    for (size_t k = 0; k < user.size(); ++k) {
      auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
      if (user[k] == '_' && k + 2 < user.size() && hex(user[k + 1]) && hex(user[k + 2])) {
        decoded.push_back(static_cast<char>(std::stoi(user.substr(k + 1, 2), nullptr, 16)));
        k += 2;
      } else {
        decoded.push_back(user[k]);
      }
    }
    if (n.wikiusername.empty()) n.wikiusername = decoded;
    if (n.wikiname.empty()) n.wikiname = decoded;
    if (n.login.empty()) n.login = decoded;
  }
  return n;
}

// Foswiki::Render::breakName on whole characters.
std::string break_topic_name(std::string_view text, std::string_view args) {
  return break_name(text, args);
}

std::string revinfo_macro(Session& s, const Attrs& a, const TopicRef& t) {
  std::string format = first_true({a.default_value(), a.get("format")}, "");
  std::string web = first_true({a.get("web")}, t.web);
  std::string topic = first_true({a.get("topic")}, t.topic);
  const std::string* cgi = s.params.get("rev");
  std::string rev_text = first_true({a.get("rev"), cgi}, "");
  int rev = clean_up_rev_id(rev_text);
  std::tie(web, topic) = core_detail::normalize_web_topic(s.cfg, web, topic);
  auto snap = s.store.read(web, topic);
  if (!may_access(s, "VIEW", web, topic, snap))
    return core_detail::alert("access_denied", {web, topic});
  return expand_standard_escapes(render_revision_info(s, TopicRef{web, topic}, rev, format));
}

std::string rev_param(Session& s) {
  const std::string* v = s.params.get("rev");
  int rev = v ? clean_up_rev_id(*v) : 0;
  return rev ? std::to_string(rev) : "";
}

}  // namespace

std::string render_revision_info(Session& s, const TopicRef& t, int rev, std::string_view format) {
  std::string value = (!format.empty() && format != "0")
                          ? std::string(format)
                          : std::string("r$rev - $date - $time - $wikiusername");
  if (!has_token(value, {"year", "ye", "wikiusername", "wikiname", "week", "web", "wday", "username",
                         "tz", "topic", "time", "seconds", "sec", "rev", "rcs", "month", "mo",
                         "minutes", "min", "longdate", "isotz", "iso", "http", "hours", "hou",
                         "epoch", "email", "dow", "day", "date"}))
    return value;

  RevInfo info;
  bool found = false;
  if (rev > 0) {
    if (auto r = s.store.read_rev(t.web, t.topic, rev)) {
      info = r->info;
      found = true;
    }
  } else if (auto snap = s.store.read(t.web, t.topic)) {
    info = snap->info;
    found = true;
  }
  if (!found) {  // a topic that does not exist: Foswiki's defaults
    info.version = 1;
    info.date = now();
    info.author = current_cuid(s);
  }
  const AuthorNames& names = author_names(s, info.author);
  TimeZone zone = parse_time_zone(s.cfg.display_time_values);
  const std::string& date_format = s.cfg.default_date_format;

  subst(value, "web", [&] { return t.web; });
  // $topic(args): the name broken into pieces
  if (value.find("$topic(") != std::string::npos) {
    std::string out;
    size_t i = 0;
    while (i < value.size()) {
      if (value.compare(i, 7, "$topic(") == 0) {
        size_t close = value.find(')', i + 7);
        if (close != std::string::npos) {
          out += break_topic_name(t.topic, std::string_view(value).substr(i + 7, close - i - 7));
          i = close + 1;
          continue;
        }
      }
      out.push_back(value[i++]);
    }
    value.swap(out);
  }
  subst(value, "topic", [&] { return t.topic; });
  subst(value, "rev", [&] { return std::to_string(info.version); });
  subst(value, "time", [&] { return format_time(info.date, "$hour:$min:$sec", zone, date_format); });
  subst(value, "date", [&] { return format_time(info.date, date_format, zone, date_format); });
  // the composite date tokens, each on its own
  {
    std::string out;
    size_t done = 0;
    for (size_t i = value.find('$'); i != std::string::npos; i = value.find('$', i + 1)) {
      for (std::string_view tok : {"rcs", "longdate", "isotz", "iso", "http", "email"}) {
        if (value.compare(i + 1, tok.size(), tok) == 0) {
          out.append(value, done, i - done);
          out += format_time(info.date, "$" + std::string(tok), zone, date_format);
          done = i + 1 + tok.size();
          i = done - 1;
          break;
        }
      }
    }
    if (done > 0) {
      out.append(value, done);
      value.swap(out);
    }
  }
  if (has_token(value, {"year", "ye", "week", "web", "wday", "username", "tz", "seconds", "sec",
                        "rcs", "month", "mo", "minutes", "min", "longdate", "hours", "hou", "epoch",
                        "dow", "day"}))
    value = format_time(info.date, value, zone, date_format);
  subst(value, "username", [&] { return names.login; });
  subst(value, "wikiname", [&] { return names.wikiname; });
  subst(value, "wikiusername", [&] { return names.wikiusername; });
  return value;
}

namespace core_detail {

bool can_view(Session& s, std::string_view web, std::string_view topic, const TopicDoc& doc) {
  return may_access(s, "VIEW", web, topic, &doc);
}

void register_date_macros() {
  register_macro("DATE", [](Session& s, const Attrs&, const TopicRef&) -> std::optional<std::string> {
    return format_time(now(), s.cfg.default_date_format, parse_time_zone(s.cfg.display_time_values),
                       s.cfg.default_date_format);
  });
  register_macro("GMTIME", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return format_time(now(), first_true({a.default_value()}, ""), TimeZone::gmtime,
                       s.cfg.default_date_format);
  });
  register_macro("SERVERTIME", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return format_time(now(), first_true({a.default_value()}, ""), TimeZone::servertime,
                       s.cfg.default_date_format);
  });
  register_macro("DISPLAYTIME", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return format_time(now(), first_true({a.default_value()}, ""),
                       parse_time_zone(s.cfg.display_time_values), s.cfg.default_date_format);
  });
  register_macro("REVINFO", [](Session& s, const Attrs& a, const TopicRef& t) -> std::optional<std::string> {
    return revinfo_macro(s, a, t);
  });
  register_macro("REVTITLE", [](Session& s, const Attrs&, const TopicRef&) -> std::optional<std::string> {
    std::string r = rev_param(s);
    return r.empty() ? r : "(r" + r + ")";
  });
  register_macro("REVARG", [](Session& s, const Attrs&, const TopicRef&) -> std::optional<std::string> {
    std::string r = rev_param(s);
    return r.empty() ? r : "&rev=" + r;
  });
}

}  // namespace core_detail
}  // namespace cwiki

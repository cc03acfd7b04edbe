#include "macros/data_util.h"

#include <cctype>
#include <ctime>
#include <functional>
#include <unordered_map>

#include "auth/access.h"
#include "macros/data_regex.h"
#include "prefs/prefs.h"
#include "util/chars.h"

namespace cwiki {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Does text[i..] start with `word`, ignoring ASCII case?
bool starts_ci(std::string_view text, size_t i, std::string_view word) {
  if (i + word.size() > text.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (lower(text[i + k]) != lower(word[k])) return false;
  return true;
}

// Length of "$<base><tail...>" at text[i] where each character of `tail`
// may follow in turn (Perl's \$seco?n?d?s?), case-insensitive; 0 if none.
size_t time_token(std::string_view text, size_t i, std::string_view base, std::string_view tail) {
  if (text[i] != '$' || !starts_ci(text, i + 1, base)) return 0;
  size_t j = i + 1 + base.size();
  for (char t : tail)
    if (j < text.size() && lower(text[j]) == t) ++j;
  return j - i;
}

std::string two(int v) {
  char b[16];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

int days_in_year(int y) {
  if (y % 400 == 0) return 366;
  if (y % 100 == 0) return 365;
  if (y % 4 == 0) return 366;
  return 365;
}

int week_number(int wday, int yday, int year) {
  int dow = (wday + 6) % 7;
  int thu = yday - dow + 3;
  int days = days_in_year(year);
  if (thu < 0) thu += days_in_year(year - 1);
  if (thu >= days) thu -= days;
  return thu / 7 + 1;
}


}  // namespace

std::pair<std::string, std::string> normalize_web_topic(const Session& s, std::string_view default_web,
                                                        std::string_view name) {
  std::string web(default_web), topic(name);
  size_t sep = rfind_any(name, "./");
  if (sep != std::string_view::npos) {
    web = std::string(name.substr(0, sep));
    topic = std::string(name.substr(sep + 1));
  }
  if (web.empty()) web = s.cfg.users_web;
  if (topic.empty()) topic = s.cfg.default_topic;
  // %USERSWEB% and friends in the web part
  for (int guard = 0; guard < 16 && web.find('%') != std::string::npos; ++guard) {
    bool changed = false;
    for (auto [macro, value] :
         {std::pair<std::string_view, const std::string*>{"%USERSWEB%", &s.cfg.users_web},
          {"%MAINWEB%", &s.cfg.users_web},
          {"%SYSTEMWEB%", &s.cfg.system_web},
          {"%TWIKIWEB%", &s.cfg.system_web},
          {"%DOCWEB%", &s.cfg.system_web}}) {
      size_t at = web.find(macro);
      if (at != std::string::npos) {
        web.replace(at, macro.size(), *value);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (char& c : web)
    if (c == '.') c = '/';
  return {web, topic};
}

Users& users_of(Session& s) {
  if (!s.users) s.users = std::make_shared<Users>(s.store, s.cfg);
  return *s.users;
}

std::string current_cuid(Session& s) {
  struct Resolved {
    bool done = false;
    std::string cuid, login, result;
  };
  auto& r = s.memo<Resolved>("data:cuid");
  if (!r.done || r.cuid != s.cuid || r.login != s.login) {
    r.result = users_of(s).resolve(s.cuid, s.login);
    r.cuid = s.cuid;
    r.login = s.login;
    r.done = true;
  }
  return r.result;
}

namespace {

// The decision for the request's user, given the topic's own settings.
bool decide_access(Session& s, const std::string& cuid, std::string_view mode,
                   std::string_view web, bool has_topic, const TopicAcl& acl,
                   const std::function<AccessDecision()>& guest) {
  Users& u = users_of(s);
  if (u.is_admin(cuid)) return true;
  const std::string m(mode);
  std::optional<std::string> deny_topic, allow_topic;
  if (has_topic) {
    deny_topic = acl.deny;
    allow_topic = acl.allow;
  }
  // Without topic settings the web decides: remember its answer for the request.
  std::string key;
  if (!deny_topic && !allow_topic) {
    key = "#data:acl\n" + cuid + "\n" + m + "\n" + std::string(web);
    if (auto it = s.scratch.find(key); it != s.scratch.end()) return it->second == "1";
  }
  bool ok;
  if (cuid == kGuestCuid) {
    ok = guest().allowed;
  } else {
    // a registered user: the same rules, with groups resolved
    ok = true;
    if (deny_topic && !trim(*deny_topic).empty() && u.is_in_list(cuid, *deny_topic)) {
      ok = false;
    } else if (allow_topic && !trim(*allow_topic).empty()) {
      ok = u.is_in_list(cuid, *allow_topic);
    } else {
      if (!deny_topic) {
        const std::string* deny = web_setting(s, web, "DENYWEB" + m);
        if (deny && !trim(*deny).empty() && u.is_in_list(cuid, *deny)) ok = false;
      }
      const std::string* allow = web_setting(s, web, "ALLOWWEB" + m);
      if (ok && allow && !trim(*allow).empty() && !u.is_in_list(cuid, *allow)) ok = false;
    }
  }
  if (!key.empty()) s.scratch[key] = ok ? "1" : "0";
  return ok;
}

}  // namespace

bool may_access(Session& s, std::string_view mode, std::string_view web, std::string_view topic,
                const TopicDoc* doc) {
  if (!doc)
    return may_access(s, mode, web, topic, topic.empty() ? nullptr : s.store.read(web, topic));
  TopicAcl acl = topic.empty() ? TopicAcl{} : topic_acl(*doc, mode);
  return decide_access(s, current_cuid(s), mode, web, !topic.empty(), acl,
                       [&] { return guest_access(s.store, s.cfg, mode, web, *doc); });
}

bool may_access(Session& s, std::string_view mode, std::string_view web, std::string_view topic,
                const TopicPtr& snap) {
  // Asked again and again for the same topics (IF, INCLUDE, links): the
  // answer is kept for the request, with the snapshot it was given for.
  struct Answer {
    TopicPtr snap;
    bool ok;
  };
  auto& answers = s.memo<std::unordered_map<std::string, Answer>>("data:access");
  const std::string cuid = current_cuid(s);
  std::string key;
  key.reserve(cuid.size() + mode.size() + web.size() + topic.size() + 3);
  key += cuid;
  for (std::string_view part : {mode, web, topic}) {
    key += '\n';
    key.append(part);
  }
  auto it = answers.find(key);
  if (it != answers.end() && it->second.snap == snap) return it->second.ok;
  TopicAcl acl = topic.empty() ? TopicAcl{} : topic_acl(snap, mode);
  bool ok = decide_access(s, cuid, mode, web, !topic.empty(), acl, [&] {
    return guest_access(s.store, s.cfg, mode, web, topic.empty() ? TopicPtr() : snap);
  });
  answers[key] = Answer{snap, ok};
  return ok;
}

const std::string* web_setting(Session& s, std::string_view web, std::string_view name,
                               bool site_levels) {
  const std::string* value = nullptr;
  bool final = false;
  auto apply = [&](const std::shared_ptr<const PrefsLevel>& level) {
    if (!level || final) return;
    if (auto it = level->set.find(name); it != level->set.end()) value = &it->second;
    for (const auto& f : level->final_names)
      if (f == name) final = true;
  };
  if (site_levels) {
    apply(s.prefs_of(s.cfg.system_web, "DefaultPreferences"));
    size_t dot = s.cfg.site_prefs.rfind('.');
    if (dot != std::string::npos)
      apply(s.prefs_of(s.cfg.site_prefs.substr(0, dot), s.cfg.site_prefs.substr(dot + 1)));
  }
  for (size_t i = 0; i <= web.size(); ++i)
    if (i == web.size() || web[i] == '/')
      apply(s.prefs_of(web.substr(0, i), s.cfg.web_prefs_topic));
  return value;
}

std::string web_preference(Session& s, std::string_view web, std::string_view name) {
  const std::string* v = web_setting(s, web, name);
  return v ? *v : std::string();
}

std::string inline_alert(std::string_view message) {
  std::string out = "<span class='foswikiAlert'>\n";
  out += message;
  out += "\n</span>";
  return out;
}

std::string format_time(long long epoch, std::string_view format_in) {
  static const char* const kWeekday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonth[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) {
    t = 0;
    gmtime_r(&t, &tm);
  }
  std::string f(format_in.empty() ? std::string_view("$longdate") : format_in);

  auto lit = [](std::string_view word) {
    return [word](std::string_view text, size_t i) -> size_t {
      return text[i] == '$' && starts_ci(text, i + 1, word) ? word.size() + 1 : 0;
    };
  };
  f = replace_tokens(f, lit("rcs"), "$year/$mo/$day $hour:$min:$sec");
  f = replace_tokens(f, lit("http"), "$wday, $day $month $year $hour:$min:$sec $tz");
  f = replace_tokens(f, lit("email"), "$wday, $day $month $year $hour:$min:$sec $tz");
  {
    std::string l;
    for (char c : f) l.push_back(lower(c));
    if (l == "iso") f = "$year-$mo-$dayT$hour:$min:$sec$isotz";
  }
  f = replace_tokens(
      f,
      [](std::string_view text, size_t i) -> size_t {
        if (!(text[i] == '$' && starts_ci(text, i + 1, "iso"))) return 0;
        size_t j = i + 4;  // \b: no word character may follow
        if (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
          return 0;
        return 4;
      },
      "$year-$mo-$dayT$hour:$min:$sec$isotz");
  f = replace_tokens(f, lit("longdate"), "$day $month $year - $hour:$min");

  auto tok = [](std::string_view base, std::string_view tail) {
    return [base, tail](std::string_view text, size_t i) { return time_token(text, i, base, tail); };
  };
  int year = tm.tm_year + 1900;
  f = replace_tokens(f, tok("sec", "onds"), two(tm.tm_sec));
  f = replace_tokens(f, tok("min", "utes"), two(tm.tm_min));
  f = replace_tokens(f, tok("hou", "rs"), two(tm.tm_hour));
  f = replace_tokens(f, lit("day"), two(tm.tm_mday));
  f = replace_tokens(f, lit("wday"), kWeekday[tm.tm_wday]);
  f = replace_tokens(f, lit("dow"), std::to_string(tm.tm_wday));
  int wk = week_number(tm.tm_wday, tm.tm_yday, year);
  f = replace_tokens(f, lit("week"), std::to_string(wk));
  f = replace_tokens(f, lit("we"), two(wk));
  f = replace_tokens(f, tok("mon", "th"), kMonth[tm.tm_mon]);
  f = replace_tokens(f, lit("mo"), two(tm.tm_mon + 1));
  char yb[16];
  std::snprintf(yb, sizeof yb, "%04d", year);
  f = replace_tokens(f, tok("yea", "r"), yb);
  f = replace_tokens(f, lit("ye"), two(year % 100));
  f = replace_tokens(f, lit("epoch"), std::to_string(epoch));
  f = replace_tokens(f, lit("tz"), "GMT");
  f = replace_tokens(f, lit("isotz"), "Z");
  return f;
}

std::string nop_bang_wikiwords(std::string_view text) {
  if (text.find('!') == std::string_view::npos) return std::string(text);
  static const CaptureRegex re("!([[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*)");
  return replace_all_matches(re, text, [&](const CaptureRegex::Match& m) {
    return "<nop>" + std::string(m.group(text, 1));
  });
}

std::string break_name(std::string_view text, std::string_view args) {
  if (args.empty()) return std::string(text);  // Perl's split gives no field
  // split(/[\,\s]+/, $args, 2)
  size_t i = 0;
  while (i < args.size() && args[i] != ',' && !is_space(args[i])) ++i;
  std::string_view first = args.substr(0, i);
  std::optional<std::string_view> second;
  if (i < args.size()) {
    size_t j = i;
    while (j < args.size() && (args[j] == ',' || is_space(args[j]))) ++j;
    second = args.substr(j);
  }
  // Perl's numeric value of the first field
  long len = 0;
  {
    size_t k = 0;
    while (k < first.size() && is_space(first[k])) ++k;
    bool neg = k < first.size() && first[k] == '-';
    if (k < first.size() && (first[k] == '-' || first[k] == '+')) ++k;
    while (k < first.size() && std::isdigit(static_cast<unsigned char>(first[k])) && len < 1000000)
      len = len * 10 + (first[k++] - '0');
    if (neg) len = -len;
  }
  if (len < 1) len = 1;
  std::string sep = second ? std::string(*second) : std::string("- ");
  // positions of the character boundaries
  std::vector<size_t> starts;
  for (size_t k = 0; k < text.size(); ++k)
    if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) starts.push_back(k);
  size_t nchars = starts.size();
  auto at = [&](size_t c) { return c < nchars ? starts[c] : text.size(); };
  if (sep.rfind("...", 0) == 0) {
    if (nchars > static_cast<size_t>(len)) return std::string(text.substr(0, at(len))) + "...";
    return std::string(text);
  }
  std::string out;
  size_t c = 0;
  while (c + static_cast<size_t>(len) <= nchars) {
    out.append(text.substr(at(c), at(c + len) - at(c)));
    out += sep;
    c += len;
  }
  out.append(text.substr(at(c)));
  if (!sep.empty() && out.size() >= sep.size() && out.compare(out.size() - sep.size(), sep.size(), sep) == 0)
    out.erase(out.size() - sep.size());
  return out;
}

size_t token_at(std::string_view text, size_t i, std::string_view name, bool allow_parens) {
  if (i >= text.size() || text[i] != '$' || text.compare(i + 1, name.size(), name) != 0) return 0;
  size_t n = 1 + name.size();
  if (allow_parens && text.compare(i + n, 2, "()") == 0) n += 2;
  return n;
}

std::string replace_token(std::string_view text, std::string_view name, std::string_view value,
                          bool allow_parens) {
  return replace_tokens(
      text, [&](std::string_view t, size_t i) { return token_at(t, i, name, allow_parens); },
      value);
}

std::vector<std::string> split_comma_list(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    size_t c = s.find(',', i);
    if (c == std::string_view::npos) {
      out.emplace_back(s.substr(i));
      break;
    }
    out.emplace_back(s.substr(i, c - i));
    i = c + 1;
    while (i < s.size() && is_space(s[i])) ++i;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace cwiki

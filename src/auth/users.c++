#include "auth/users.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "prefs/prefs.h"
#include "store/names.h"
#include "util/chars.h"

namespace cwiki {
namespace {

constexpr size_t kMaxPasswordFileBytes = 64u << 20;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Foswiki's default {NameFilter}: these characters are removed from a login
// to make a wiki name of it.
bool name_filtered(unsigned char c) {
  if (c < 0x20) return true;
  return std::string_view("\\ \t\n\r\f\v*?~^$@%`\"'&|<:;>[]#").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

// Splits a list of names at commas and white space.
std::vector<std::string_view> split_names(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ',' || is_space(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ',' && !is_space(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

void add_unique(std::vector<std::string>& out, std::unordered_set<std::string>& seen,
                const std::string& v) {
  if (seen.insert(v).second) out.push_back(v);
}

bool is_alnum_ascii(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// One line of WikiUsers: "   * [Web.]WikiName [- login] - anything".
// Fills wikiname and login (empty when absent); false when the line is no entry.
bool parse_users_line(std::string_view line, std::string& wikiname, std::string& login) {
  size_t i = 0;
  while (i < line.size() && is_space(line[i])) ++i;
  if (line.substr(i, 2) != "* ") return false;
  i += 2;
  size_t start = i;
  while (i < line.size() && (is_alnum_ascii(line[i]) || line[i] == '.' || line[i] == '/' ||
                             line[i] == '_' || static_cast<unsigned char>(line[i]) >= 0x80))
    ++i;
  std::string_view token = line.substr(start, i - start);
  size_t dot = token.find_last_of('.');
  std::string_view word = dot == std::string_view::npos ? token : token.substr(dot + 1);
  if (dot != std::string_view::npos && !is_valid_web_name(token.substr(0, dot), false)) return false;
  if (!is_wikiword(word)) return false;
  while (i < line.size() && is_space(line[i])) ++i;
  if (i >= line.size() || line[i] != '-') return false;
  ++i;
  while (i < line.size() && is_space(line[i])) ++i;
  size_t s = i;
  while (i < line.size() && !is_space(line[i])) ++i;
  std::string_view run = line.substr(s, i - s);
  size_t k = i;
  while (k < line.size() && is_space(line[k])) ++k;
  login.clear();
  if (!run.empty() && k < line.size() && line[k] == '-') {
    login = std::string(run);
  } else if (run.size() > 1) {
    // the login may end where a '-' inside the run starts (the regex backtracks)
    size_t dash = run.find_last_of('-');
    if (dash != std::string_view::npos && dash > 0) login = std::string(run.substr(0, dash));
  }
  wikiname = std::string(word);
  return true;
}

}  // namespace

std::string login_to_cuid(std::string_view login) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(login.size());
  for (unsigned char c : login) {
    if (is_alnum_ascii(static_cast<char>(c))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('_');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

Users::Users(const Store& store, const Config& cfg) : store_(store), cfg_(cfg) {
  base_users_.emplace("BaseUserMapping_111", BaseUser{"ProjectContributor", "ProjectContributor", ""});
  base_users_.emplace("BaseUserMapping_222", BaseUser{"RegistrationAgent", "RegistrationAgent", ""});
  base_users_.emplace(std::string(kAdminCuid),
                      BaseUser{cfg.admin_login.empty() ? "admin" : cfg.admin_login, "AdminUser",
                               cfg.web_master_email.empty() ? "email not set" : cfg.web_master_email});
  base_users_.emplace(std::string(kGuestCuid), BaseUser{"guest", "WikiGuest", ""});
  base_users_.emplace(std::string(kUnknownCuid), BaseUser{"unknown", "UnknownUser", ""});
  base_groups_.push_back({std::string(kAdminGroup), {std::string(kAdminCuid)}});
  base_groups_.push_back({std::string(kBaseGroup),
                          {std::string(kAdminCuid), std::string(kGuestCuid), std::string(kUnknownCuid),
                           "BaseUserMapping_111", "BaseUserMapping_222"}});
}

Users::~Users() = default;

// ---- base mapping ----

bool Users::base_has_cuid(std::string_view cuid) const { return base_users_.find(cuid) != base_users_.end(); }

const std::vector<std::string>* Users::base_group(std::string_view name) const {
  for (const auto& [g, members] : base_groups_)
    if (g == name) return &members;
  return nullptr;
}

std::optional<std::string> Users::base_cuid_of_login(std::string_view login) const {
  for (const auto& [cuid, u] : base_users_)
    if (u.login == login) return cuid;
  return std::nullopt;
}

std::optional<std::string> Users::base_cuid_of_wikiname(std::string_view wikiname) const {
  for (const auto& [cuid, u] : base_users_)
    if (u.wikiname == wikiname) return cuid;
  return std::nullopt;
}

bool Users::base_handles(const std::string* cuid, const std::string* login,
                         const std::string* wikiname) const {
  if (cuid && base_has_cuid(*cuid)) return true;
  if (login && base_cuid_of_login(*login)) return true;
  if (wikiname && base_cuid_of_wikiname(*wikiname)) return true;
  return false;
}

// ---- topic mapping ----

void Users::load_mapping() {
  if (mapping_loaded_) return;
  mapping_loaded_ = true;
  TopicPtr t = store_.read(cfg_.users_web, "WikiUsers");
  if (!t) return;
  std::string_view text = t->doc.text;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::string wikiname, login;
    if (!parse_users_line(line, wikiname, login)) continue;
    if (login.empty()) login = wikiname;
    // users of the base mapping are never taken over
    if (base_handles(nullptr, &login, &wikiname)) continue;
    std::string cuid = login_to_cuid(login);
    u2w_[cuid] = wikiname;
    l2u_[login] = cuid;
    w2u_[wikiname] = cuid;
  }
}

void Users::load_passwords() {
  if (passwords_loaded_) return;
  passwords_loaded_ = true;
  std::string path = cfg_.htpasswd_file.empty() ? cfg_.data() + "/.htpasswd" : cfg_.htpasswd_file;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<size_t>(st.st_size) > kMaxPasswordFileBytes)
    return;
  std::ifstream in(path, std::ios::binary);
  if (!in) return;
  have_password_file_ = true;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t c1 = line.find(':');
    if (c1 == std::string::npos || c1 == 0) continue;
    std::string login = line.substr(0, c1);
    std::vector<std::string_view> fields;
    std::string_view rest = std::string_view(line).substr(c1 + 1);
    size_t i = 0;
    while (true) {
      size_t j = rest.find(':', i);
      fields.push_back(rest.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
      if (j == std::string_view::npos) break;
      i = j + 1;
    }
    PasswordEntry e;
    e.pass = std::string(fields[0]);
    std::string_view mails;
    // htdigest lines are login:realm:hash[:mails]; the others login:hash[:mails]
    auto is_digest = [](std::string_view h) {
      return h.size() == 32 && std::all_of(h.begin(), h.end(), [](char c) { return hex_value(c) >= 0; });
    };
    if (fields.size() >= 2 && is_digest(fields[1]) && !is_digest(fields[0])) {
      e.pass = std::string(fields[1]);
      if (fields.size() >= 3) mails = fields[2];
    } else if (fields.size() >= 2) {
      mails = fields[1];
    }
    size_t k = 0;
    while (k <= mails.size()) {
      size_t j = mails.find(';', k);
      if (j == std::string_view::npos) j = mails.size();
      std::string_view m = trim(mails.substr(k, j - k));
      if (!m.empty()) e.emails.emplace_back(m);
      k = j + 1;
    }
    passwords_[login] = std::move(e);
  }
}

bool Users::login_exists(std::string_view login) {
  load_mapping();
  if (l2u_.count(std::string(login))) return true;
  load_passwords();
  auto it = passwords_.find(std::string(login));
  return it != passwords_.end() && it->second.pass != "0";
}

bool Users::topic_handles(const std::string* cuid, const std::string* login,
                          const std::string* wikiname) {
  if (cuid) return true;  // the topic mapping answers for every cUID
  if (login && !login->empty() && login_exists(*login)) return true;
  if (wikiname && !wikiname->empty()) {
    load_mapping();
    return w2u_.count(*wikiname) > 0;
  }
  return false;
}

bool Users::base_mapping_for(const std::string* cuid, const std::string* login,
                             const std::string* wikiname, bool fallback) {
  std::string wn;
  const std::string* wp = nullptr;
  if (wikiname) {
    wn = strip_users_web(*wikiname);
    wp = &wn;
  }
  if (base_handles(cuid, login, wp)) return true;
  if (topic_handles(cuid, login, wp)) return false;
  return fallback;
}

std::optional<std::string> Users::topic_login_of(std::string_view cuid) {
  std::string login;
  login.reserve(cuid.size());
  for (size_t i = 0; i < cuid.size(); ++i) {
    if (cuid[i] == '_' && i + 2 < cuid.size() && hex_value(cuid[i + 1]) >= 0 &&
        hex_value(cuid[i + 2]) >= 0) {
      login.push_back(static_cast<char>(hex_value(cuid[i + 1]) * 16 + hex_value(cuid[i + 2])));
      i += 2;
    } else {
      login.push_back(cuid[i]);
    }
  }
  if (!login_exists(login)) return std::nullopt;
  if (login_to_cuid(login) != cuid) return std::nullopt;
  return login;
}

std::optional<std::string> Users::topic_wikiname_of(std::string_view cuid) {
  load_mapping();
  if (auto it = u2w_.find(std::string(cuid)); it != u2w_.end() && !it->second.empty())
    return it->second;
  auto login = topic_login_of(cuid);
  if (!login || login->empty()) return std::nullopt;
  std::string out;
  for (unsigned char c : *login)
    if (!name_filtered(c)) out.push_back(static_cast<char>(c));
  return out;
}

const std::vector<std::string>& Users::topic_groups() {
  if (!groups_loaded_) {
    groups_loaded_ = true;
    for (const auto& t : store_.topics(cfg_.users_web)) {
      if (t.size() > 5 && t.ends_with("Group")) {
        topic_groups_.push_back(t);
        topic_group_set_.insert(t);
      }
    }
  }
  return topic_groups_;
}

bool Users::topic_is_group(std::string_view name) {
  if (name == kAdminGroup) return true;
  if (!name.ends_with("Group")) return false;
  topic_groups();
  return topic_group_set_.count(name) > 0;
}

std::vector<std::string> Users::expand_list(std::string_view names, bool expand, int depth) {
  // HTML tags are removed first
  std::string clean;
  clean.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == '<') {
      size_t gt = names.find('>', i + 1);
      if (gt != std::string_view::npos) {
        i = gt;
        continue;
      }
    }
    clean.push_back(names[i]);
  }
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (std::string_view raw : split_names(clean)) {
    if (out.size() >= kMaxGroupMembers) break;
    std::string ident = strip_users_web(raw);
    if (ident.empty()) continue;
    if (topic_is_group(ident)) {
      if (!expand) {
        add_unique(out, seen, ident);
      } else {
        for (auto& m : topic_members(ident, true, depth + 1)) add_unique(out, seen, m);
      }
      continue;
    }
    std::vector<std::string> found = find_by_wikiname(ident);
    if (found.empty()) {
      auto c = cuid_of(ident);
      found.push_back(c ? *c : ident);
    }
    for (auto& f : found) add_unique(out, seen, f);
  }
  return out;
}

std::vector<std::string> Users::topic_members(std::string_view group, bool expand, int depth) {
  auto& cache = expand ? expanded_cache_ : single_cache_;
  if (auto it = cache.find(group); it != cache.end()) return it->second;
  if (depth > kMaxGroupDepth || expanding_.count(group)) return {};
  TopicPtr t = store_.read(cfg_.users_web, group);
  if (!t) return {};
  std::string members;
  for (auto& s : parse_prefs(t->doc))
    if (!s.local && s.name == "GROUP") members = s.value;
  std::string key(group);
  expanding_.insert(key);
  std::vector<std::string> out = expand_list(members, expand, depth);
  expanding_.erase(key);
  cache[key] = out;
  return out;
}

std::string Users::strip_users_web(std::string_view name) const {
  for (std::string_view p : {std::string_view("%USERSWEB%."), std::string_view("%MAINWEB%.")})
    if (name.starts_with(p)) return std::string(name.substr(p.size()));
  if (name.size() > cfg_.users_web.size() && name.starts_with(cfg_.users_web) &&
      name[cfg_.users_web.size()] == '.')
    return std::string(name.substr(cfg_.users_web.size() + 1));
  return std::string(name);
}

// ---- public: identities ----

std::vector<std::string> Users::find_by_wikiname(std::string_view wikiname) {
  std::string wn = strip_users_web(wikiname);
  if (wn.empty()) return {};
  if (base_mapping_for(nullptr, nullptr, &wn)) {
    if (base_group(wn)) return {wn};
    if (auto c = base_cuid_of_wikiname(wn)) return {*c};
    if (auto c = base_cuid_of_login(wn)) return {*c};
    return {};
  }
  if (topic_is_group(wn)) return {wn};
  load_mapping();
  if (auto it = w2u_.find(wn); it != w2u_.end()) return {it->second};
  if (login_exists(wn)) return {login_to_cuid(wn)};
  return {};
}

std::optional<std::string> Users::cuid_of(std::string_view id_in) {
  std::string id(id_in);
  if (id.empty()) return std::nullopt;
  if (auto c = base_cuid_of_login(id)) return c;
  if (login_exists(id)) return login_to_cuid(id);
  // a wiki name, maybe with the users web in front
  std::string name = id;
  size_t sep = rfind_any(name, "./");
  if (sep != std::string::npos) {
    std::string web = normalize_web(name.substr(0, sep));
    if (web == cfg_.users_web) name = name.substr(sep + 1);
  }
  auto found = find_by_wikiname(name);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::optional<std::string> Users::login_of(std::string_view cuid) {
  if (cuid.empty()) return std::nullopt;
  if (auto it = base_users_.find(cuid); it != base_users_.end()) return it->second.login;
  return topic_login_of(cuid);
}

std::string Users::wikiname_of(std::string_view cuid) {
  if (cuid.empty()) return "UnknownUser";
  std::optional<std::string> wn;
  if (auto it = base_users_.find(cuid); it != base_users_.end()) {
    wn = it->second.wikiname.empty() ? it->second.login : it->second.wikiname;
  } else {
    wn = topic_wikiname_of(cuid);
  }
  if (!wn) return std::string(cuid);
  return strip_users_web(*wn);
}

std::string Users::web_dot_wikiname(std::string_view cuid) {
  return cfg_.users_web + "." + wikiname_of(cuid);
}

std::string Users::resolve(std::string_view cuid, std::string_view login) {
  if (!cuid.empty() && (base_has_cuid(cuid) || topic_login_of(cuid))) return std::string(cuid);
  if (!login.empty())
    if (auto c = cuid_of(login)) return *c;
  if (!cuid.empty())
    if (auto c = cuid_of(cuid)) return *c;
  return std::string(cuid);
}

std::vector<std::string> Users::topic_user_emails(std::string_view cuid) {
  std::vector<std::string> out;
  load_passwords();
  if (have_password_file_) {
    auto login = topic_login_of(cuid);
    if (!login) return out;
    if (auto it = passwords_.find(*login); it != passwords_.end()) out = it->second.emails;
    return out;
  }
  // no password file: the user topic keeps the addresses
  TopicPtr t = store_.read(cfg_.users_web, wikiname_of(cuid));
  if (!t) return out;
  auto split_into = [&](std::string_view v) {
    size_t k = 0;
    while (k <= v.size()) {
      size_t j = v.find(';', k);
      if (j == std::string_view::npos) j = v.size();
      std::string_view m = v.substr(k, j - k);
      if (!m.empty()) out.emplace_back(m);
      k = j + 1;
    }
  };
  if (const MetaItem* f = t->doc.find_named("FIELD", "Email")) {
    if (const std::string* v = f->get("value")) split_into(*v);
    return out;
  }
  std::string_view text = t->doc.text;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    // ^\s+\*\s+E-?mail:\s*(.*)$, case-insensitive
    size_t i = 0;
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == 0 || i >= line.size() || line[i] != '*') continue;
    size_t j = i + 1;
    while (j < line.size() && is_space(line[j])) ++j;
    if (j == i + 1) continue;
    std::string word;
    while (j < line.size() && line[j] != ':' && word.size() < 8)
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(line[j++]))));
    if ((word != "email" && word != "e-mail") || j >= line.size() || line[j] != ':') continue;
    ++j;
    while (j < line.size() && is_space(line[j])) ++j;
    std::string_view v = line.substr(j);
    if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
    split_into(v);
  }
  return out;
}

std::vector<std::string> Users::topic_emails(std::string_view name, std::set<std::string>& seen) {
  std::vector<std::string> out;
  if (!seen.insert(std::string(name)).second) return out;
  if (topic_is_group(name)) {
    for (const auto& m : topic_members(name, true, 0))
      for (auto& e : topic_emails(m, seen)) out.push_back(e);
    return out;
  }
  return topic_user_emails(name);
}

std::vector<std::string> Users::emails(std::string_view name) {
  std::vector<std::string> raw;
  if (name.empty()) return raw;
  if (topic_is_group(name)) {
    std::set<std::string> seen;
    raw = topic_emails(name, seen);
  } else {
    std::string n(name);
    if (base_mapping_for(&n, nullptr, nullptr)) {
      auto it = base_users_.find(name);
      if (it != base_users_.end() && !it->second.email.empty()) raw.push_back(it->second.email);
    } else {
      raw = topic_user_emails(name);
    }
  }
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (auto& e : raw) add_unique(out, seen, e);
  return out;
}

// ---- public: groups ----

bool Users::is_group(std::string_view name) {
  return base_group(name) != nullptr || topic_is_group(name);
}

std::vector<std::string> Users::groups() {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (const auto& [g, m] : base_groups_) add_unique(out, seen, g);
  for (const auto& g : topic_groups()) add_unique(out, seen, g);
  return out;
}

std::vector<std::string> Users::group_members(std::string_view group, bool expand) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  if (const auto* b = base_group(group))
    for (const auto& m : *b) add_unique(out, seen, m);
  if (is_valid_topic_name(group) && topic_is_group(group))
    for (const auto& m : topic_members(group, expand, 0)) add_unique(out, seen, m);
  return out;
}

bool Users::is_in_group(std::string_view cuid, std::string_view group, bool expand) {
  if (cuid.empty()) return false;
  if (const auto* b = base_group(group))
    if (std::find(b->begin(), b->end(), cuid) != b->end()) return true;
  if (!is_valid_topic_name(group) || !topic_is_group(group)) return false;
  auto m = topic_members(group, expand, 0);
  return std::find(m.begin(), m.end(), cuid) != m.end();
}

std::vector<std::string> Users::memberships(std::string_view cuid) {
  std::vector<std::string> out;
  if (cuid.empty()) return out;
  std::string c(cuid);
  bool base = base_mapping_for(&c, nullptr, nullptr);
  // a user the mapping cannot name belongs nowhere
  if (base ? !base_has_cuid(cuid) : !topic_wikiname_of(cuid)) return out;
  std::vector<std::string> from_base, from_topics;
  for (const auto& [g, members] : base_groups_)
    if (std::find(members.begin(), members.end(), cuid) != members.end()) from_base.push_back(g);
  for (const auto& g : topic_groups()) {
    auto m = topic_members(g, true, 0);
    if (std::find(m.begin(), m.end(), cuid) != m.end()) from_topics.push_back(g);
  }
  std::unordered_set<std::string> seen;
  for (auto& g : base ? from_base : from_topics) add_unique(out, seen, g);
  for (auto& g : base ? from_topics : from_base) add_unique(out, seen, g);
  return out;
}

bool Users::topic_is_admin(std::string_view cuid) {
  if (cuid == kAdminGroup) return true;
  auto m = topic_members(kAdminGroup, true, 0);
  return std::find(m.begin(), m.end(), cuid) != m.end();
}

bool Users::is_admin(std::string_view cuid) {
  if (cuid.empty()) return false;
  const auto* admins = base_group(kAdminGroup);
  if (admins && std::find(admins->begin(), admins->end(), cuid) != admins->end()) return true;
  return topic_is_admin(cuid);
}

bool Users::is_in_list(std::string_view cuid, std::string_view list) {
  if (cuid.empty()) return false;
  for (std::string_view raw : split_names(list)) {
    if (raw == "*") return true;
    std::string ident = strip_users_web(raw);
    if (ident.empty()) continue;
    if (auto c = cuid_of(ident); c && *c == cuid) return true;
    if (is_group(ident) && is_in_group(cuid, ident)) return true;
  }
  return false;
}

}  // namespace cwiki

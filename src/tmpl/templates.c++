#include "tmpl/templates.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "macros/data_util.h"
#include "macros/expand.h"
#include "store/cache.h"
#include "store/fs.h"
#include "store/names.h"
#include "util/chars.h"

namespace cwiki {
namespace {

constexpr std::string_view kTmpl = "%TMPL:";
constexpr std::string_view kCallOpen = "%TMPL:P{";
constexpr std::string_view kIncludeOpen = "%TMPL:INCLUDE{";

// Foswiki's default {TemplatePath}, with {TemplateDir} and {SystemWebName}
// left as placeholders.
constexpr std::string_view kTemplatePath[] = {
    "$TemplateDir/$web/$name.$skin.tmpl", "$TemplateDir/$name.$skin.tmpl",
    "$web.$skinSkin$nameTemplate",        "$SystemWeb.$skinSkin$nameTemplate",
    "$TemplateDir/$web/$name.tmpl",       "$TemplateDir/$name.tmpl",
    "$web.$nameTemplate",                 "$SystemWeb.$nameTemplate",
};

// Perl's idea of truth for a string: neither empty nor "0".
bool perl_true(std::string_view s) { return !s.empty() && s != "0"; }
bool perl_true(const std::string* s) { return s && perl_true(*s); }

// Perl's \s (ASCII).
bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty() || s.find(from) == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  for (size_t j; (j = s.find(from, i)) != std::string::npos; i = j + from.size()) {
    out.append(s, i, j - i);
    out.append(to);
  }
  out.append(s, i, std::string::npos);
  s = std::move(out);
}

// Removes %{ ... }% comments together with the white space on both sides.
std::string decomment(std::string_view text) {
  size_t open = text.find("%{");
  if (open == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t done = 0;  // text[0, done) has been dealt with
  while (open != std::string_view::npos) {
    size_t close = text.find("}%", open + 2);
    if (close == std::string_view::npos) break;  // no later comment can close either
    size_t start = open;
    while (start > done && is_ws(text[start - 1])) --start;
    size_t end = close + 2;
    while (end < text.size() && is_ws(text[end])) ++end;
    out.append(text.substr(done, start - done));
    done = end;
    open = text.find("%{", done);
  }
  out.append(text.substr(done));
  return out;
}

// Foswiki's legacy clean-up: each run of three leading spaces on a line
// becomes a tab.
std::string leading_spaces_to_tabs(std::string s) {
  bool any = s.starts_with("   ") || s.find("\n   ") != std::string::npos;
  if (!any) return s;
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t n = 0;
    while (i + n < s.size() && s[i + n] == ' ') ++n;
    size_t tabs = n / 3;
    out.append(tabs, '\t');
    i += tabs * 3;
    size_t eol = s.find('\n', i);
    size_t stop = eol == std::string::npos ? s.size() : eol + 1;
    out.append(s, i, stop - i);
    i = stop;
  }
  return out;
}

// Foswiki's {NameFilter}: characters removed from a template name.
bool name_filtered(unsigned char c) {
  if (c < 0x20 || is_ws(static_cast<char>(c))) return true;
  switch (c) {
    case '\\': case '*': case '?': case '~': case '^': case '$': case '@': case '%':
    case '`': case '"': case '\'': case '&': case '|': case '<': case ':': case ';':
    case '>': case '[': case ']': case '#':
      return true;
    default:
      return false;
  }
}

// Perl's split with a separator that matches `sep_len(s, i)` characters at
// i (0: no separator there): leading empty fields kept, trailing ones dropped.
template <typename SepLen>
std::vector<std::string> perl_split(std::string_view s, SepLen sep_len) {
  std::vector<std::string> out;
  size_t field = 0;
  for (size_t i = 0; i < s.size();) {
    size_t n = sep_len(s, i);
    if (n == 0) {
      ++i;
      continue;
    }
    out.emplace_back(s.substr(field, i - field));
    i += n;
    field = i;
  }
  out.emplace_back(s.substr(field));
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// split /,\s*/
std::vector<std::string> split_comma(std::string_view s) {
  return perl_split(s, [](std::string_view t, size_t i) -> size_t {
    if (t[i] != ',') return 0;
    size_t j = i + 1;
    while (j < t.size() && is_ws(t[j])) ++j;
    return j - i;
  });
}

// split /[,\s]+/
std::vector<std::string> split_commas_and_spaces(std::string_view s) {
  return perl_split(s, [](std::string_view t, size_t i) -> size_t {
    size_t j = i;
    while (j < t.size() && (t[j] == ',' || is_ws(t[j]))) ++j;
    return j - i;
  });
}

// split /SEP/ for a literal separator.
std::vector<std::string> split_on(std::string_view s, std::string_view sep) {
  std::vector<std::string> out;
  size_t field = 0;
  for (size_t at = s.find(sep); at != std::string_view::npos; at = s.find(sep, field)) {
    out.emplace_back(s.substr(field, at - field));
    field = at + sep.size();
  }
  out.emplace_back(s.substr(field));
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.append(sep);
    out.append(v[i]);
  }
  return out;
}

// The first run of letters, digits, '.', ',' and white space in `s` (the
// untainting match of Foswiki's getSkin), or nullopt.
std::optional<std::string> skin_chars(std::string_view s) {
  auto ok = [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == ',' || is_ws(static_cast<char>(c)) || c >= 0x80;
  };
  size_t i = 0;
  while (i < s.size() && !ok(static_cast<unsigned char>(s[i]))) ++i;
  if (i == s.size()) return std::nullopt;
  size_t j = i;
  while (j < s.size() && ok(static_cast<unsigned char>(s[j]))) ++j;
  return std::string(s.substr(i, j - i));
}

// A path must not climb out of its directory.
bool has_parent_segment(std::string_view path) {
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (path.substr(i, j - i) == "..") return true;
    i = j + 1;
  }
  return false;
}

// The process-wide cache of template files (decommented text), by path.
StatCache<std::string>& file_cache() {
  static StatCache<std::string> cache(16u << 20);
  return cache;
}

enum class FileState { missing, unreadable, ok };

// A template file's decommented text, from the cache when it is current.
// `st` receives the file's stat.
FileState load_file(const std::string& path, Log& log, std::shared_ptr<const std::string>& out,
                    FileStat& st) {
  const Fs& fs = posix_fs();
  st = fs.stat(path);
  if (!st.is_file) return FileState::missing;
  if (auto hit = file_cache().get(path, st)) {
    out = std::move(hit);
    return FileState::ok;
  }
  std::string err;
  FileStat read_st;
  auto data = fs.read(path, kMaxTemplateBytes, &err, &read_st);
  if (!data) {
    log.write(LogLevel::warning, 401, "template " + path + ": " + err);
    return FileState::unreadable;
  }
  auto text = std::make_shared<const std::string>(decomment(*data));
  file_cache().put(path, read_st, text, text->size() + path.size() + 64);
  st = read_st;
  out = std::move(text);
  return FileState::ok;
}

struct Candidate {
  int primary, secondary, tertiary;
  std::string file;  // a path, or a Web.Topic name
  bool topic;
};

// Foswiki's normalizeWebTopicName for a "Web.Topic" (or "Web/Topic") name.
void split_web_topic(const Config& cfg, std::string_view web, std::string_view name,
                     std::string& out_web, std::string& out_topic) {
  size_t cut = rfind_any(name, "./");
  if (cut == std::string_view::npos) {
    out_web = std::string(web);
    out_topic = std::string(name);
  } else {
    out_web = std::string(name.substr(0, cut));
    out_topic = std::string(name.substr(cut + 1));
  }
  if (out_web.empty()) out_web = cfg.users_web;
  if (out_topic.empty()) out_topic = cfg.default_topic;
  std::replace(out_web.begin(), out_web.end(), '.', '/');
}

// The text of `params` between "%TMPL:P{" and "}%" at text[i]: the first
// "}%" on the same line.  Returns the end of the call, or npos.
size_t call_end(std::string_view text, size_t i, size_t open_len) {
  size_t body = i + open_len;
  size_t close = text.find("}%", body);
  if (close == std::string_view::npos) return std::string_view::npos;
  if (text.substr(body, close - body).find('\n') != std::string_view::npos)
    return std::string_view::npos;
  return close + 2;
}

}  // namespace

// What a parse depends on: the files it read, and the directories in which
// it looked for files or topics that were not there (a directory whose stat
// is unchanged has the same entries).  Each directory is stat()ed before it
// is searched, so that a file added meanwhile shows as a change.
struct Templates::Deps {
  std::vector<std::pair<std::string, FileStat>> files;  // read
  std::vector<std::pair<std::string, FileStat>> dirs;   // searched
  bool cacheable = true;  // false once a topic served as a template
};

// What a template brings: its definitions, in order (a block's text, or one
// default parameter of a block), and its text outside them.
struct Templates::Parsed {
  struct Op {
    std::string name;
    std::string param;  // "": the block's text is `value`; else a default
    std::string value;
  };
  std::vector<Op> ops;
  std::string text;
  bool has_markers = false;  // "%TMPL:" somewhere (else `text` is final)
  bool shared = false;       // kept for later requests (in parse_cache())
  Deps deps;
  size_t bytes() const {
    size_t n = text.size() + 128;
    for (const Op& o : ops) n += o.name.size() + o.param.size() + o.value.size() + 96;
    for (const auto& [path, st] : deps.files) n += path.size() + sizeof(FileStat) + 32;
    for (const auto& [path, st] : deps.dirs) n += path.size() + sizeof(FileStat) + 32;
    return n;
  }
};

struct Templates::CachedRead {
  std::string text;
  std::shared_ptr<const Defs> defs;  // the definitions after the read
  Deps deps;
  size_t produced = 0;
};

StatCache<Templates::CachedRead>& Templates::read_cache() {
  static StatCache<CachedRead> cache(16u << 20);
  return cache;
}

StatCache<Templates::Parsed>& Templates::parse_cache() {
  static StatCache<Parsed> cache(16u << 20);
  return cache;
}

// The definitions a cached first read leaves, with those of one more
// template added (data macros define "icons" on every page): the same for
// every request that reads the same way, so kept.  The weak pointers tell
// the entry from one for objects that are gone and whose addresses were
// reused.
struct Templates::MergedDefs {
  std::weak_ptr<const Defs> base;
  std::weak_ptr<const Parsed> added;
  std::shared_ptr<const Defs> defs;
};

StatCache<Templates::MergedDefs>& Templates::merge_cache() {
  static StatCache<MergedDefs> cache(16u << 20);
  return cache;
}

std::shared_ptr<const Templates::Defs> Templates::fold_definitions() {
  Defs all;
  if (base_) all = *base_;
  for (auto& [k, ch] : vars_.chains) all.chains[k] = std::move(ch);
  for (auto& [k, pr] : vars_.params) all.params[k] = std::move(pr);
  vars_ = Defs();
  base_ = std::make_shared<const Defs>(std::move(all));
  return base_;
}

std::vector<std::string> template_dirs(const Config& cfg) {
  std::vector<std::string> dirs{cfg.templates()};
  if (!cfg.skin_dir.empty() && cfg.skin_dir != dirs.front()) dirs.push_back(cfg.skin_dir);
  return dirs;
}

Templates::Templates(Session& s) : s_(s) { store_def("sep", " | "); }

namespace {

// "name:_PREV:_PREV" -> ("name", 2)
std::pair<std::string_view, size_t> split_prev(std::string_view full) {
  constexpr std::string_view kPrev = ":_PREV";
  size_t depth = 0;
  while (full.ends_with(kPrev)) {
    full.remove_suffix(kPrev.size());
    ++depth;
  }
  return {full, depth};
}

}  // namespace

const std::optional<std::string>* Templates::find_text(const std::string& name,
                                                       bool* exists) const {
  auto [base, depth] = split_prev(name);
  std::string key(base);
  const Chain* c = nullptr;
  if (auto it = vars_.chains.find(key); it != vars_.chains.end()) c = &it->second;
  else if (base_)
    if (auto it = base_->chains.find(key); it != base_->chains.end()) c = &it->second;
  if (!c || depth >= c->defs.size()) {
    if (exists) *exists = false;
    return nullptr;
  }
  if (exists) *exists = true;
  return &c->defs[c->defs.size() - 1 - depth];
}

const Templates::Params* Templates::find_params(const std::string& name) const {
  if (auto it = vars_.params.find(name); it != vars_.params.end()) return &it->second;
  if (base_)
    if (auto it = base_->params.find(name); it != base_->params.end()) return &it->second;
  return nullptr;
}

bool Templates::have(std::string_view name) const {
  bool exists = false;
  find_text(std::string(name), &exists);
  return exists || find_params(std::string(name)) != nullptr;
}

Templates::Chain& Templates::chain_for_write(const std::string& base) {
  if (auto it = vars_.chains.find(base); it != vars_.chains.end()) return it->second;
  Chain c;
  if (base_)
    if (auto it = base_->chains.find(base); it != base_->chains.end()) c = it->second;
  return vars_.chains.emplace(base, std::move(c)).first->second;
}

// Records `value` as the definition of `name`; the definition it replaces
// becomes name:_PREV, that one name:_PREV:_PREV, and so on down to the first
// unset or empty one, which is dropped (Foswiki's rule).
void Templates::store_def(const std::string& name, std::string value) {
  ++generation_;
  auto [base, depth] = split_prev(name);
  if (depth > kMaxPrevChain) return;  // deeper than any chain is kept
  Chain& c = chain_for_write(std::string(base));
  auto& q = c.defs;
  if (depth == 0 && c.falsy == 0) {
    // Every place is set: all of them move one down.
    if (!perl_true(value)) ++c.falsy;
    q.push_back(std::move(value));
  } else {
    while (q.size() <= depth) q.insert(q.begin(), std::nullopt);
    std::optional<std::string> cur = std::move(value);
    for (size_t d = depth;; ++d) {
      if (d == q.size()) {
        q.insert(q.begin(), std::move(cur));
        break;
      }
      std::optional<std::string> prev = std::exchange(q[q.size() - 1 - d], std::move(cur));
      if (!prev || !perl_true(*prev)) break;
      cur = std::move(prev);
    }
    c.falsy = 0;
    for (const auto& d : q)
      if (!d || !perl_true(*d)) ++c.falsy;
  }
  while (q.size() > kMaxPrevChain + 1) {
    if (!q.front() || !perl_true(*q.front())) --c.falsy;
    q.erase(q.begin());
  }
}

void Templates::set_param(const std::string& name, const std::string& p, const std::string& v) {
  ++generation_;
  auto it = vars_.params.find(name);
  if (it == vars_.params.end()) {
    Params copy;
    if (const Params* b = base_ ? find_params(name) : nullptr) copy = *b;
    it = vars_.params.emplace(name, std::move(copy)).first;
  }
  Params& params = it->second;
  auto hit = std::find_if(params.begin(), params.end(), [&](const auto& kv) { return kv.first == p; });
  if (hit != params.end()) hit->second = v;
  else params.emplace_back(p, v);
}

void Templates::note_dir(std::string_view path) {
  if (!deps_ || path.empty()) return;
  for (const auto& [d, st] : deps_->dirs)
    if (d == path) return;
  deps_->dirs.emplace_back(std::string(path), posix_fs().stat(std::string(path)));
}

// Store::topic_exists, noted for the caches.
bool Templates::topic_exists(const std::string& web, const std::string& topic) {
  if (deps_) note_dir(s_.store.web_dir(web));
  bool exists = s_.store.topic_exists(web, topic);
  if (deps_ && exists) deps_->cacheable = false;
  return exists;
}

// A template file's text (load_file), noted for the caches.
Templates::Found Templates::load(const std::string& path,
                                 std::shared_ptr<const std::string>& text) {
  if (deps_) {
    size_t slash = path.rfind('/');
    note_dir(slash == std::string::npos ? std::string_view(".")
                                        : std::string_view(path).substr(0, slash));
  }
  FileStat st;
  FileState state = load_file(path, s_.log, text, st);
  if (deps_ && state != FileState::missing) deps_->files.emplace_back(path, st);
  return state == FileState::missing      ? Found::missing
         : state == FileState::unreadable ? Found::unreadable
                                          : Found::ok;
}

bool Templates::still_valid(const Deps& d) const {
  for (const auto& [path, st] : d.dirs)
    if (!posix_fs().stat(path).same_as(st)) return false;
  for (const auto& [path, st] : d.files)
    if (!posix_fs().stat(path).same_as(st)) return false;
  return true;
}

void Templates::fail(const char* what, const std::string& param) {
  if (error_.empty()) {
    error_ = what;
    error_param_ = param;
  }
}

// A topic used as a template: its text without comments, or nullopt when it
// is missing, already read by this read() (`mark`), or not viewable.
std::optional<std::string> Templates::read_topic_template(const std::string& web,
                                                          const std::string& topic, bool mark) {
  if (!topic_exists(web, topic)) return std::nullopt;
  if (mark) {
    std::string key = "topic:" + web + "." + topic;
    if (files_.count(key)) return std::nullopt;
    files_.insert(key);
  }
  TopicPtr snap = s_.store.read(web, topic);
  if (!snap) return std::nullopt;
  if (!may_access(s_, "VIEW", web, topic, snap)) return std::nullopt;
  return decomment(snap->doc.text);
}

// Foswiki's _readTemplateFile: the raw (decommented) text of one template.
std::optional<std::string> Templates::read_file(std::string name, std::string_view skins,
                                                std::string_view web) {
  std::erase_if(name, [](char c) { return name_filtered(static_cast<unsigned char>(c)); });
  if (name.size() > 1000) return std::nullopt;
  const std::vector<std::string> dirs = template_dirs(s_.cfg);
  std::shared_ptr<const std::string> text;

  // "something.tmpl": that file of the template directory, nothing else.
  if (name.ends_with(".tmpl")) {
    if (has_parent_segment(name)) return std::nullopt;
    for (const auto& dir : dirs) {
      Found st = load(dir + "/" + name, text);
      if (st == Found::ok) return *text;
      if (st == Found::unreadable) return std::nullopt;
    }
    return std::nullopt;
  }

  // The last '.' with something on both sides of it.
  size_t dot = std::string::npos;
  for (size_t i = name.size() >= 2 ? name.size() - 1 : 0; i-- > 1;)
    if (name[i] == '.') {
      dot = i;
      break;
    }
  std::string user_web(web), user_name = name;
  if (dot != std::string::npos) {
    // "Web.Topic": that topic when it exists.
    user_web = ucfirst(name.substr(0, dot));
    user_name = ucfirst(name.substr(dot + 1));
    std::string tweb = normalize_web(user_web);
    if (topic_exists(tweb, user_name)) {
      TopicPtr snap = s_.store.read(tweb, user_name);
      if (snap) {
        if (!may_access(s_, "VIEW", tweb, user_name, snap))
          return "<span class='foswikiAlert'>\nNo permission to view " + user_web + "." +
                 user_name + "\n</span>";
        return decomment(snap->doc.text);
      }
    }
  } else {
    user_web = ucfirst(web);
    user_name = ucfirst(name);
  }

  std::vector<std::string> skin_list = split_comma(skins);
  if (skin_list.empty()) skin_list.emplace_back();

  std::vector<Candidate> candidates;
  int tertiary = 0;
  for (std::string_view pattern : kTemplatePath) {
    bool is_file = pattern.ends_with(".tmpl");
    bool skinned = pattern.find("$skin") != std::string_view::npos;
    for (size_t idx = 0; idx < skin_list.size(); ++idx) {
      std::string skin = is_file ? skin_list[idx] : ucfirst(skin_list[idx]);
      std::string f(pattern);
      replace_all(f, "$SystemWeb", s_.cfg.system_web);
      replace_all(f, "$skin", skin);
      replace_all(f, "$web", is_file ? std::string(web) : user_web);
      replace_all(f, "$name", is_file ? name : user_name);
      if (is_file) {
        if (has_parent_segment(f)) continue;
        for (const auto& dir : dirs) {
          std::string path = f;
          replace_all(path, "$TemplateDir", dir);
          candidates.push_back({skinned ? 0 : 1, static_cast<int>(idx), tertiary, path, false});
        }
      } else {
        candidates.push_back({skinned ? 0 : 1, static_cast<int>(idx), tertiary, f, true});
      }
    }
    ++tertiary;
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.primary != b.primary) return a.primary < b.primary;
    if (a.secondary != b.secondary) return a.secondary < b.secondary;
    return a.tertiary < b.tertiary;
  });

  for (const Candidate& c : candidates) {
    if (c.topic) {
      std::string tweb, ttopic;
      split_web_topic(s_.cfg, web, c.file, tweb, ttopic);
      if (auto t = read_topic_template(tweb, ttopic, true)) return t;
      continue;
    }
    if (files_.count(c.file)) continue;
    Found st = load(c.file, text);
    if (st == Found::missing) continue;
    files_.insert(c.file);
    if (st == Found::unreadable) return std::nullopt;
    return *text;
  }
  return std::nullopt;
}

namespace {

// Whether a parse's dependencies may be cached: not when a file or
// directory changed so recently that a further change might not show in its
// stat().
bool settled(const std::vector<std::pair<std::string, FileStat>>& files,
             const std::vector<std::pair<std::string, FileStat>>& dirs) {
  long long now = now_ns();
  for (const auto* list : {&files, &dirs})
    for (const auto& [path, st] : *list)
      if (st.exists && now - st.mtime_ns < kStatGraceNs) return false;
  return true;
}

}  // namespace

// What decides the outcome of a parse: the name, the skins, the web and
// where templates and topics are found.
std::string Templates::parse_key(std::string_view name, const std::string& skin_str,
                                 const std::string& web_str) const {
  const Config& c = s_.cfg;
  std::string key;
  const std::string tdir = c.templates(), ddir = c.data();
  for (std::string_view part : {std::string_view(name), std::string_view(skin_str),
                                std::string_view(web_str), std::string_view(tdir),
                                std::string_view(c.skin_dir), std::string_view(ddir),
                                std::string_view(c.system_web), std::string_view(c.users_web),
                                std::string_view(c.default_topic)}) {
    key.append(part);
    key += '\0';
  }
  return key;
}

bool Templates::define(std::string_view name, std::string_view skins) {
  std::string skin_str = skins.empty() ? skin_path(s_) : std::string(skins);
  const std::string& web_str = s_.base.web;
  auto parsed = parse(name, skin_str, web_str, parse_key(name, skin_str, web_str));
  if (!parsed) return false;
  pristine_ = false;
  if (!base_ || !vars_.chains.empty() || !vars_.params.empty() || !parsed->has_markers ||
      !parsed->shared) {
    apply(*parsed, false);
    return true;
  }
  // Nothing defined since a cached first read: base_ plus this template's
  // definitions is what an earlier request with the same two made.
  char key[64];
  std::snprintf(key, sizeof key, "%p+%p", static_cast<const void*>(base_.get()),
                static_cast<const void*>(parsed.get()));
  if (auto hit = merge_cache().get(key, FileStat{})) {
    if (hit->base.lock() == base_ && hit->added.lock() == parsed) {
      base_ = hit->defs;
      ++generation_;
      return true;
    }
    merge_cache().erase(key);
  }
  auto entry = std::make_shared<MergedDefs>();
  entry->base = base_;
  entry->added = parsed;
  apply(*parsed, false);
  entry->defs = fold_definitions();
  size_t bytes = 256;
  for (const auto& [n, chain] : base_->chains) {
    bytes += n.size() + 96;
    for (const auto& v : chain.defs) bytes += (v ? v->size() : 0) + 40;
  }
  for (const auto& [n, params] : base_->params) {
    bytes += n.size() + 96;
    for (const auto& [k, v] : params) bytes += k.size() + v.size() + 64;
  }
  merge_cache().put(key, FileStat{}, entry, bytes);
  return true;
}

std::optional<std::string> Templates::read(std::string_view name, std::string_view skins,
                                           std::string_view web) {
  std::string skin_str = skins.empty() ? skin_path(s_) : std::string(skins);
  std::string web_str = web.empty() ? s_.base.web : std::string(web);
  const std::string key = parse_key(name, skin_str, web_str);

  // The first read of a request: its outcome also depends on the contexts.
  std::string first_key;
  if (pristine_ && error_.empty()) {
    first_key = key;
    for (const std::string& ctx : s_.contexts) {
      first_key.append(ctx);
      first_key += '\x1f';
    }
    if (auto hit = read_cache().get(first_key, FileStat{})) {
      if (still_valid(hit->deps)) {
        base_ = hit->defs;
        vars_ = Defs();
        ++generation_;
        pristine_ = false;
        produced_ += hit->produced;
        return hit->text;
      }
      read_cache().erase(first_key);
    }
  }

  std::shared_ptr<const Parsed> parsed = parse(name, skin_str, web_str, key);
  if (!parsed) return std::nullopt;
  bool was_pristine = pristine_;
  pristine_ = false;
  size_t produced_before = produced_;
  std::string out = apply(*parsed);

  if (was_pristine && !first_key.empty() && error_.empty() && parsed->deps.cacheable &&
      settled(parsed->deps.files, parsed->deps.dirs)) {
    auto entry = std::make_shared<CachedRead>();
    entry->text = out;
    entry->defs = fold_definitions();
    entry->deps = parsed->deps;
    entry->produced = produced_ - produced_before;
    size_t bytes = first_key.size() + parsed->bytes() + entry->text.size();
    read_cache().put(first_key, FileStat{}, entry, bytes);
  }
  return out;
}

// The parse of a template: this request's, a cached one that is still
// valid, or a new one.  nullptr when the template does not exist.
std::shared_ptr<const Templates::Parsed> Templates::parse(std::string_view name,
                                                          const std::string& skin_str,
                                                          const std::string& web_str,
                                                          const std::string& key) {
  if (auto it = parsed_.find(key); it != parsed_.end()) return it->second;
  if (auto hit = parse_cache().get(key, FileStat{})) {
    if (still_valid(hit->deps)) {
      parsed_.emplace(key, hit);
      return hit;
    }
    parse_cache().erase(key);
  }

  auto p = std::make_shared<Parsed>();
  files_.clear();
  deps_ = &p->deps;
  std::optional<std::string> first = read_file(std::string(name), skin_str, web_str);
  if (!first) {
    deps_ = nullptr;
    return nullptr;
  }
  std::string text = std::move(*first);

  // TMPL:INCLUDE, breadth first: each round replaces the includes of the
  // text as it stands; what they bring in is looked at in the next round.
  for (int pass = 0; text.find(kIncludeOpen) != std::string::npos; ++pass) {
    bool give_up = pass >= kMaxIncludePasses || text.size() > kMaxTemplateBytes;
    std::string out;
    size_t i = 0, found_any = 0;
    for (size_t at; (at = text.find(kIncludeOpen, i)) != std::string::npos;) {
      size_t body = at + kIncludeOpen.size();
      size_t close = text.find("}%", body);
      if (close == std::string::npos) break;
      size_t a = body, b = close;
      while (a < b && (is_ws(text[a]) || text[a] == '"')) ++a;
      while (b > a && (is_ws(text[b - 1]) || text[b - 1] == '"')) --b;
      out.append(text, i, at - i);
      if (out.size() > kMaxTemplateBytes) give_up = true;
      if (!give_up) {
        if (auto inc = read_file(text.substr(a, b - a), skin_str, web_str)) out.append(*inc);
      }
      i = close + 2;
      ++found_any;
    }
    out.append(text, i, std::string::npos);
    text = std::move(out);
    if (!found_any || give_up) break;
  }
  deps_ = nullptr;

  if (text.find(kTmpl) == std::string::npos) {
    p->text = leading_spaces_to_tabs(std::move(text));
  } else {
    // TMPL:DEF ... TMPL:END, in the pieces between the "%TMPL:" markers.
    p->has_markers = true;
    std::string& result = p->text;
    std::string key_name, val;
    auto close_def = [&] {
      if (perl_true(key_name)) p->ops.push_back({key_name, "", std::move(val)});
      val.clear();
    };
    bool after_marker = false;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t next = text.find(kTmpl, pos);
      std::string_view piece = std::string_view(text).substr(
          pos, (next == std::string::npos ? text.size() : next) - pos);
      std::string_view delim = after_marker ? kTmpl : std::string_view();
      bool handled = false;
      if (piece.starts_with("DEF{")) {
        size_t close = piece.find("}%", 4);
        if (close != std::string_view::npos && perl_true(piece.substr(4, close - 4))) {
          close_def();
          Attrs attrs(piece.substr(4, close - 4));
          const std::string* k = attrs.default_value();
          key_name = k ? *k : std::string();
          for (const auto& [pn, pv] : attrs.values())
            if (pn != "_DEFAULT") p->ops.push_back({key_name, pn, pv});
          val = std::string(piece.substr(close + 2));
          handled = true;
        }
      } else if (piece.starts_with("END%")) {
        close_def();
        key_name.clear();
        size_t j = 4;
        while (j < piece.size() && is_ws(piece[j])) ++j;
        result.append(piece.substr(j));
        handled = true;
      }
      if (!handled) {
        std::string& dest = perl_true(key_name) ? val : result;
        dest.append(delim);
        dest.append(piece);
      }
      if (next == std::string::npos) break;
      pos = next + kTmpl.size();
      after_marker = true;
    }
  }

  if (p->deps.cacheable && settled(p->deps.files, p->deps.dirs)) {
    p->shared = true;
    parse_cache().put(key, FileStat{}, p, p->bytes());
  }
  parsed_.emplace(key, p);
  return p;
}

// Records a parsed template's definitions, then expands the TMPL:P calls of
// its text that need no context.
std::string Templates::apply(const Parsed& p, bool expand_text) {
  if (!p.has_markers) return expand_text ? p.text : std::string();
  for (const Parsed::Op& op : p.ops) {
    if (op.param.empty()) store_def(op.name, op.value);
    else set_param(op.name, op.param, op.value);
  }
  if (!expand_text) return {};
  return leading_spaces_to_tabs(expand_calls(p.text, true));
}

// Replaces each %TMPL:P{...}% of `text` by its expansion; with
// `only_trivial`, the calls with a context="..." are left as they are.
std::string Templates::expand_calls(std::string_view text, bool only_trivial) {
  size_t at = text.find(kCallOpen);
  if (at == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t done = 0;
  for (; at != std::string_view::npos; at = text.find(kCallOpen, at + 1)) {
    if (at < done) continue;
    size_t end = call_end(text, at, kCallOpen.size());
    if (end == std::string_view::npos) continue;
    std::string_view params = text.substr(at + kCallOpen.size(), end - 2 - at - kCallOpen.size());
    std::shared_ptr<const Attrs> attrs = Attrs::cached(params);
    out.append(text.substr(done, at - done));
    if (only_trivial && perl_true(attrs->get("context"))) out.append(text.substr(at, end - at));
    else out.append(tmpl_p(*attrs));
    done = end;
    at = end - 1;
  }
  out.append(text.substr(done));
  return out;
}

std::string Templates::expand(std::string_view params) { return tmpl_p(*Attrs::cached(params)); }

std::string Templates::tmpl_p(const Attrs& in) {
  if (!error_.empty()) return "";
  Attrs params = in;
  const std::string* dflt = params.default_value();
  std::string name = perl_true(dflt) ? *dflt : std::string();
  std::optional<std::string> context, then_name, else_name;
  if (auto* v = params.get("context")) context = *v;
  if (auto* v = params.get("then")) then_name = *v;
  if (auto* v = params.get("else")) else_name = *v;
  for (const char* k : {"_DEFAULT", "context", "then", "else"}) params.remove(k);

  if (context && perl_true(*context)) {
    if (then_name) name = *then_name;
    for (const std::string& id : split_comma(*context)) {
      if (!s_.contexts.count(id)) {
        name = else_name && perl_true(*else_name) ? *else_name : std::string();
        break;
      }
    }
  }
  if (!perl_true(name)) return "";

  int& count = recursions_[name];
  if (count >= kMaxTemplateRecursion || depth_ >= kMaxTemplateRecursion) {
    fail("template_recursion", name);
    return "";
  }
  bool exists = false;
  const std::optional<std::string>* text = find_text(name, &exists);
  const Params* defaults_of = find_params(name);
  if (!exists && !defaults_of) return "";

  ++count;
  ++depth_;
  std::string val = text && *text ? **text : std::string();
  for (const auto& [p, v] : params.values()) replace_all(val, "%" + p + "%", v);
  // Defaults: a default may name the call's parameters as %p%.
  Params defaults = defaults_of ? *defaults_of : Params();
  for (auto& [p, dv] : defaults) {
    std::string pvalue;
    size_t i = 0;
    while (i < dv.size()) {
      size_t a = dv.find('%', i);
      if (a == std::string::npos) break;
      size_t b = dv.find('%', a + 1);
      if (b == std::string::npos) break;
      std::string_view inner = std::string_view(dv).substr(a + 1, b - a - 1);
      if (inner.find('\n') != std::string_view::npos) {
        pvalue.append(dv, i, b - i);
        i = b;
        continue;
      }
      pvalue.append(dv, i, a - i);
      if (const std::string* pv = params.get(inner)) pvalue.append(*pv);
      i = b + 1;
    }
    if (i < dv.size()) pvalue.append(dv, i, std::string::npos);
    replace_all(val, "%" + p + "%", pvalue);
  }
  replace_all(val, "%TMPL:PREV%", "%TMPL:P{\"" + name + ":_PREV\"}%");
  val = expand_calls(val, false);
  --depth_;
  --recursions_[name];
  if (!error_.empty()) return "";  // Foswiki abandons the whole expansion

  produced_ += val.size();
  if (produced_ > kMaxTemplateOutput) {
    fail("template_too_large", name);
    return "";
  }
  return val;
}

Templates& templates_of(Session& s) {
  if (!s.templates) s.templates = std::make_shared<Templates>(s);
  return *s.templates;
}

std::string skin_path(Session& s) {
  // Asked for by every template read and ICON: kept while COVER and SKIN
  // keep their values (the URL's cover= and skin= do not change).
  struct Memo {
    bool valid = false;
    std::optional<std::string> cover, skin;
    std::string path;
  };
  Memo& m = s.memo<Memo>("tmpl:skin-path");
  std::optional<std::string> cover_pref = s.prefs.get("COVER"), skin_pref = s.prefs.get("SKIN");
  if (m.valid && m.cover == cover_pref && m.skin == skin_pref) return m.path;
  std::vector<std::string> path;
  if (const std::string* cover = s.params.get("cover")) {
    if (auto v = skin_chars(*cover)) path.push_back(*v);
  }
  if (cover_pref) {
    if (auto v = skin_chars(*cover_pref))
      for (auto& p : split_commas_and_spaces(*v)) path.push_back(std::move(p));
  }
  std::string skins;
  if (const std::string* skin = s.params.get("skin"); perl_true(skin)) skins = *skin;
  else skins = skin_pref.value_or("");
  if (auto v = skin_chars(skins))
    for (auto& p : split_commas_and_spaces(*v)) path.push_back(std::move(p));
  m.valid = true;
  m.cover = std::move(cover_pref);
  m.skin = std::move(skin_pref);
  m.path = join(path, ",");
  return m.path;
}

std::optional<std::string> read_template(Session& s, std::string_view name,
                                         std::string_view skins) {
  return templates_of(s).read(name, skins);
}

std::string expand_template(Session& s, std::string_view params) {
  return templates_of(s).expand(params);
}

std::string view_template_name(const Session& s, bool topic_exists, std::string_view raw) {
  if (!topic_exists) return "TopicDoesNotExistView";  // a missing topic has no raw view
  if (raw == "debug" || raw == "all" || raw == "on") return "view";
  if (const std::string* t = s.params.get("template"); perl_true(t)) return *t;
  if (std::string v = s.pref("VIEW_TEMPLATE"); perl_true(v)) return v;
  return "view";
}

std::optional<std::string> read_view_template(Session& s, bool topic_exists,
                                              std::string_view raw) {
  std::string name = view_template_name(s, topic_exists, raw);
  if (auto t = read_template(s, name)) return t;
  if (name == "view") return std::nullopt;
  return read_template(s, "view");
}

void substitute_view_tokens(std::string& tmpl, std::string_view rev_title,
                            std::string_view rev_arg, bool indexable,
                            const std::string* revisions) {
  // One pass for the three tokens (the template is long, with many a '%').
  std::string out;
  size_t done = 0;
  for (size_t at = tmpl.find("%RE"); at != std::string::npos; at = tmpl.find("%RE", at + 1)) {
    std::string_view rest = std::string_view(tmpl).substr(at);
    std::string_view token, value;
    if (rest.starts_with("%REVTITLE%")) token = "%REVTITLE%", value = rev_title;
    else if (rest.starts_with("%REVARG%")) token = "%REVARG%", value = rev_arg;
    else if (revisions && rest.starts_with("%REVISIONS%"))
      token = "%REVISIONS%", value = *revisions;
    else continue;
    if (out.empty()) out.reserve(tmpl.size());
    out.append(tmpl, done, at - done).append(value);
    done = at + token.size();
    at = done - 1;
  }
  if (done > 0) {
    out.append(tmpl, done, std::string::npos);
    tmpl = std::move(out);
    out.clear();
  }
  if (!indexable) return;
  constexpr std::string_view kTag = "<meta name=\"robots\"";
  auto lower = ascii_lower;
  size_t i = 0;
  for (size_t at = tmpl.find('<'); at != std::string::npos && at + kTag.size() <= tmpl.size();
       at = tmpl.find('<', at + 1)) {
    bool match = true;
    for (size_t k = 0; k < kTag.size() && match; ++k) match = lower(tmpl[at + k]) == kTag[k];
    if (!match) continue;
    size_t close = tmpl.find('>', at + kTag.size());
    if (close == std::string::npos) break;
    out.append(tmpl, i, at - i);
    i = close + 1;
    at = close;
  }
  if (i == 0) return;
  out.append(tmpl, i, std::string::npos);
  tmpl = std::move(out);
}

ViewParts split_view_template(std::string_view tmpl, std::string_view text) {
  constexpr std::string_view kText = "%TEXT%";
  ViewParts parts;
  std::vector<std::string> starts;
  size_t at = tmpl.rfind(kText);
  std::string_view head = at == std::string_view::npos ? tmpl : tmpl.substr(0, at);
  starts = split_on(head, "%STARTTEXT%");
  if (at == std::string_view::npos) {
    if (starts.size() > 1) {
      parts.header = std::move(starts[0]);
      parts.body = std::move(starts[1]);
    } else {
      parts.header = std::string(tmpl);
    }
    return parts;
  }
  parts.body = std::string(text);
  if (starts.size() > 1) {
    parts.header = std::move(starts[0]);
    parts.body.insert(0, starts[1]);
  } else {
    parts.header = std::string(head);
  }
  std::string_view foot = tmpl.substr(at + kText.size());
  std::vector<std::string> ends = split_on(foot, "%ENDTEXT%");
  if (ends.size() > 1) {
    parts.body += ends[0];
    parts.footer = std::move(ends[1]);
  } else {
    parts.footer = std::string(foot);
  }
  return parts;
}

std::string entity_encode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool enc = (c >= 0x01 && c <= 0x1f && c != '\n' && c != '\r') ||
               std::string_view("\"%&$'*<=>@[_|").find(static_cast<char>(c)) !=
                   std::string_view::npos;
    if (enc) out += "&#" + std::to_string(c) + ";";
    else out += static_cast<char>(c);
  }
  return out;
}

std::optional<std::string> oops_text(Session& s, std::string_view tmpl, std::string_view def,
                                     const std::vector<std::string>& params,
                                     const TopicRef& topic) {
  std::string name = tmpl.starts_with("oops") ? std::string(tmpl) : "oops" + std::string(tmpl);
  std::erase_if(name, [](char c) { return name_filtered(static_cast<unsigned char>(c)); });
  auto text = read_template(s, name);
  if (!text) return std::nullopt;
  if (!def.empty()) {
    if (size_t at = text->find("%INSTANTIATE%"); at != std::string::npos)
      text->replace(at, 13, expand_template(s, def));
  }
  std::string out = expand_macros(s, *text, topic);
  for (size_t n = 0; n < params.size(); ++n)
    replace_all(out, "%PARAM" + std::to_string(n + 1) + "%", entity_encode(params[n]));
  // What is left of %PARAMn% goes.
  std::string cleaned;
  size_t i = 0;
  for (size_t at; (at = out.find("%PARAM", i)) != std::string::npos;) {
    size_t j = at + 6;
    while (j < out.size() && std::isdigit(static_cast<unsigned char>(out[j]))) ++j;
    if (j > at + 6 && j < out.size() && out[j] == '%') {
      cleaned.append(out, i, at - i);
      i = j + 1;
    } else {
      cleaned.append(out, i, at + 1 - i);
      i = at + 1;
    }
  }
  cleaned.append(out, i, std::string::npos);
  return expand_macros(s, cleaned, topic);
}

}  // namespace cwiki

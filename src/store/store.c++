#include "store/store.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <unordered_map>

#include "store/changes.h"
#include "store/names.h"
#include "store/rcs.h"
#include "util/escape.h"

namespace cwiki {

namespace {

// What a reading request (a StatScope) has looked up, kept while the scope's
// answers hold: the topics read and the web listings, by the names asked; at
// most kMaxMemoEntries of each, so a request that reads a whole web does not
// hold every topic past the cache's budget.
constexpr size_t kMaxMemoEntries = 1024;

struct RequestMemo {
  unsigned long long generation = 0;
  std::unordered_map<std::string, TopicPtr> topics;
  std::unordered_map<std::string, std::shared_ptr<const void>> listings;
  // The listing asked for last (links mostly name topics of one web).
  std::string last_data_dir, last_web;
  std::shared_ptr<const void> last_listing;
};

// The calling thread's memo for this scope, or nullptr outside one (or for a
// store on another file system than the process's PosixFs).
RequestMemo* request_memo(const Fs& fs) {
  unsigned long long gen = stat_scope_generation();
  if (gen == 0 || &fs != &posix_fs()) return nullptr;
  thread_local RequestMemo memo;
  if (memo.generation != gen) {
    memo.topics.clear();
    memo.listings.clear();
    memo.last_data_dir.clear();
    memo.last_listing.reset();
    memo.generation = gen;
  }
  return &memo;
}

std::string memo_key(const std::string& data_dir, std::string_view web, std::string_view topic) {
  std::string key;
  key.reserve(data_dir.size() + web.size() + topic.size() + 2);
  key += data_dir;
  key += '\0';
  key.append(web);
  key += '\0';
  key.append(topic);
  return key;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

long long now_s() { return now_ns() / 1000000000LL; }

// What Foswiki does to a topic file before parsing it: carriage returns go,
// and bytes that are not UTF-8 become \xHH text.
TopicDoc parse_stored(std::string& raw) {
  if (raw.find('\r') != std::string::npos) std::erase(raw, '\r');
  repair_utf8(raw);
  return parse_topic(raw);
}

// "cUID\ncomment" (no final newline); the comment may span lines.
std::pair<std::string, std::string> split_meta_file(std::string_view s) {
  size_t nl = s.find('\n');
  if (nl == std::string_view::npos) return {std::string(s), ""};
  return {std::string(s.substr(0, nl)), std::string(s.substr(nl + 1))};
}

size_t snapshot_bytes(const TopicSnapshot& s) {
  size_t n = sizeof(TopicSnapshot) + s.doc.text.capacity() + s.info.author.size() +
             s.info.comment.size();
  for (const auto& m : s.doc.meta) {
    n += sizeof(MetaItem) + m.type.size() + m.raw.capacity();
    for (const auto& [k, v] : m.attrs) n += 64 + k.size() + v.size();
  }
  if (s.doc.layout) n += s.doc.layout->old_raw.capacity() + 8 * s.doc.layout->meta_lines.size();
  return n;
}

}  // namespace

Store::Store(StoreOptions opts, const Fs& fs)
    : opts_(std::move(opts)),
      fs_(fs),
      topic_cache_(opts_.cache_bytes),
      listing_cache_(std::max<size_t>(opts_.cache_bytes / 16, 1u << 20)) {
  for (std::string* d : {&opts_.data_dir, &opts_.pub_dir})
    while (d->size() > 1 && d->back() == '/') d->pop_back();
}

// ---- paths ----------------------------------------------------------------

namespace {

// dir + "/" + web (its '.'s as '/') + the pieces that follow, built in place.
std::string join_path(const std::string& dir, std::string_view web,
                      std::initializer_list<std::string_view> rest) {
  size_t n = dir.size() + 1 + web.size();
  for (std::string_view r : rest) n += r.size();
  std::string p;
  p.reserve(n);
  p += dir;
  p += '/';
  size_t from = p.size();
  p += web;
  for (size_t i = from; i < p.size(); ++i)
    if (p[i] == '.') p[i] = '/';
  for (std::string_view r : rest) p += r;
  return p;
}

}  // namespace

std::string Store::web_dir(std::string_view web) const {
  if (!is_valid_web_name(web)) return {};
  return join_path(opts_.data_dir, web, {});
}

std::string Store::topic_path(std::string_view web, std::string_view topic) const {
  if (!is_valid_topic_name(topic) || !is_valid_web_name(web)) return {};
  return join_path(opts_.data_dir, web, {"/", topic, ".txt"});
}

std::string Store::history_dir(std::string_view web, std::string_view topic) const {
  if (!is_valid_topic_name(topic) || !is_valid_web_name(web)) return {};
  return join_path(opts_.data_dir, web, {"/", topic, ",pfv"});
}

std::string Store::pub_path(std::string_view web, std::string_view topic,
                            std::string_view name) const {
  if (!is_valid_web_name(web) || !is_valid_topic_name(topic) || !is_valid_attachment_name(name))
    return {};
  return join_path(opts_.pub_dir, web, {"/", topic, "/", name});
}

// ---- webs -----------------------------------------------------------------

bool Store::web_exists(std::string_view web) const {
  std::string d = web_dir(web);
  return !d.empty() && fs_.stat(d + "/WebPreferences.txt").is_file;
}

std::vector<std::string> Store::webs(std::string_view parent, bool recursive, bool hidden) const {
  std::vector<std::string> out;
  std::string dir = opts_.data_dir;
  std::string prefix;
  if (!parent.empty()) {
    dir = web_dir(parent);
    if (dir.empty()) return out;
    prefix = normalize_web(parent) + "/";
  }
  collect_webs(dir, prefix, recursive, hidden, out);
  return out;
}

// The webs under directory `dir` (whose web path is `prefix`, with its
// trailing '/'), from the cached listings: one stat() per directory.
void Store::collect_webs(const std::string& dir, const std::string& prefix, bool recursive,
                         bool hidden, std::vector<std::string>& out) const {
  auto l = dir_listing(dir);
  if (!l) return;
  for (const auto& name : l->subdirs) {
    if (!hidden && name[0] == '_') continue;
    std::string sub = dir + "/" + name;
    auto sl = dir_listing(sub);
    if (!sl || !std::binary_search(sl->topics.begin(), sl->topics.end(), "WebPreferences"))
      continue;
    out.push_back(prefix + name);
    if (recursive) collect_webs(sub, out.back() + "/", true, hidden, out);
  }
}

std::shared_ptr<const Store::WebListing> Store::listing(std::string_view web) const {
  RequestMemo* memo = request_memo(fs_);
  std::string key;
  if (memo) {
    if (memo->last_listing && memo->last_web == web && memo->last_data_dir == opts_.data_dir)
      return std::static_pointer_cast<const WebListing>(memo->last_listing);
    key = memo_key(opts_.data_dir, web, {});
    if (auto it = memo->listings.find(key); it != memo->listings.end()) {
      memo->last_data_dir = opts_.data_dir;
      memo->last_web = web;
      memo->last_listing = it->second;
      return std::static_pointer_cast<const WebListing>(it->second);
    }
  }
  std::string dir = web_dir(web);
  if (dir.empty()) return nullptr;
  auto l = dir_listing(dir);
  if (memo && l && memo->listings.size() < kMaxMemoEntries) {
    memo->listings.emplace(std::move(key), l);
    memo->last_data_dir = opts_.data_dir;
    memo->last_web = web;
    memo->last_listing = l;
  }
  return l;
}

// A directory's topics and possible subwebs, cached and checked by the
// directory's stat(): adding, removing or renaming an entry changes it.
std::shared_ptr<const Store::WebListing> Store::dir_listing(const std::string& dir) const {
  FileStat st = fs_.stat(dir);
  if (!st.is_dir) return nullptr;
  if (auto cached = listing_cache_.get(dir, st)) return cached;
  auto l = std::make_shared<WebListing>();
  size_t bytes = sizeof(WebListing);
  for (auto& name : fs_.list(dir)) {
    if (name.size() > 4 && name.ends_with(".txt")) {
      name.resize(name.size() - 4);
      if (!is_valid_topic_name(name)) continue;
      bytes += name.size() + 32;
      l->topics.push_back(std::move(name));
    } else if (is_valid_web_component(name) && fs_.stat(dir + "/" + name).is_dir) {
      bytes += name.size() + 32;
      l->subdirs.push_back(std::move(name));
    }
  }
  std::sort(l->topics.begin(), l->topics.end());
  std::sort(l->subdirs.begin(), l->subdirs.end());
  listing_cache_.put(dir, st, l, bytes);
  return l;
}

std::vector<std::string> Store::topics(std::string_view web) const {
  auto l = listing(web);
  return l ? l->topics : std::vector<std::string>{};
}

bool Store::topic_exists(std::string_view web, std::string_view topic) const {
  if (!is_valid_topic_name(topic)) return false;
  auto l = listing(web);
  return l && std::binary_search(l->topics.begin(), l->topics.end(), topic);
}

// ---- revisions ------------------------------------------------------------

// Foswiki's numbering: 0 without the latest file; 1 without history files;
// otherwise the highest history number, plus one when the latest file is
// newer (in whole seconds) than that history file.
int Store::num_revisions(const std::string& latest, const std::string& hist_dir,
                         bool* implicit) const {
  *implicit = false;
  FileStat lst = fs_.stat(latest);
  if (!lst.is_file) return 0;
  int top = 0;
  for (const auto& name : fs_.list(hist_dir))
    if (all_digits(name)) top = std::max(top, std::atoi(name.c_str()));
  if (top == 0) {
    *implicit = true;
    return 1;
  }
  FileStat hst = fs_.stat(hist_dir + "/" + std::to_string(top));
  if (lst.mtime_ns / 1000000000LL > hst.mtime_ns / 1000000000LL) {
    *implicit = true;
    return top + 1;
  }
  return top;
}

RevInfo Store::rev_info(const std::string& latest, const std::string& hist_dir, int rev,
                        int latest_rev, bool implicit) const {
  RevInfo r;
  r.version = rev;
  bool is_latest = rev >= latest_rev;
  std::string hist_file = hist_dir + "/" + std::to_string(rev);
  if (!(is_latest && implicit)) {
    if (auto m = fs_.read(hist_file + ".m", 1 << 20)) std::tie(r.author, r.comment) = split_meta_file(*m);
    r.date = fs_.stat(is_latest ? latest : hist_file).mtime_ns / 1000000000LL;
  }
  if (r.author.empty()) r.author = std::string(kUnknownUser);
  if (r.date == 0) r.date = fs_.stat(latest).mtime_ns / 1000000000LL;
  return r;
}

namespace {

// Revision history kept by Foswiki's RCS stores (Topic.txt,v), read-only.
struct RcsView {
  RcsFile file;
  int head = 0;
};

std::optional<RcsView> load_rcs(const Fs& fs, const std::string& latest) {
  auto raw = fs.read(latest + ",v", 256u << 20);
  if (!raw) return std::nullopt;
  std::string err;
  auto parsed = parse_rcs(*raw, &err);
  if (!parsed) return std::nullopt;
  RcsView v{std::move(*parsed), 0};
  v.head = foswiki_revision_of(v.file.head);
  if (v.head <= 0) return std::nullopt;
  return v;
}

}  // namespace

TopicPtr Store::read(std::string_view web, std::string_view topic, std::string* error) const {
  RequestMemo* memo = request_memo(fs_);
  std::string key;
  if (memo) {
    key = memo_key(opts_.data_dir, web, topic);
    if (auto it = memo->topics.find(key); it != memo->topics.end()) return it->second;
  }
  TopicPtr snap = read_latest(web, topic, error);
  if (memo && snap && memo->topics.size() < kMaxMemoEntries)
    memo->topics.emplace(std::move(key), snap);
  return snap;
}

TopicPtr Store::read_latest(std::string_view web, std::string_view topic,
                            std::string* error) const {
  std::string path = topic_path(web, topic);
  if (path.empty()) {
    if (error) *error = "invalid web or topic name";
    return nullptr;
  }
  FileStat st = fs_.stat(path);
  if (!st.is_file) {
    if (error) *error = "no such topic";
    return nullptr;
  }
  if (auto cached = topic_cache_.get(path, st)) return cached;

  FileStat rst;
  auto raw = fs_.read(path, kMaxTopicBytes, error, &rst);
  if (!raw) return nullptr;
  auto snap = std::make_shared<TopicSnapshot>();
  snap->doc = parse_stored(*raw);
  std::string hist = history_dir(web, topic);
  bool implicit;
  int n = num_revisions(path, hist, &implicit);
  if (implicit && n == 1 && fs_.stat(path + ",v").is_file) {
    // A site migrated from Foswiki's RCS store: its history is in Topic.txt,v.
    if (auto rcs = load_rcs(fs_, path)) {
      const RcsDelta* d = rcs->file.find(rcs->file.head);
      n = rcs->head;
      snap->info.version = n;
      if (d) {
        snap->info.author = d->author;
        snap->info.date = d->date;
        snap->info.comment = d->log;
      }
      // A latest file more than a second newer than the ,v holds a revision
      // not checked in yet, as Foswiki's RCS stores see it.
      if (rst.mtime_ns / 1000000000LL > fs_.stat(path + ",v").mtime_ns / 1000000000LL + 1) {
        snap->info = RevInfo{n + 1, std::string(kUnknownUser), rst.mtime_ns / 1000000000LL, ""};
      }
    }
  }
  if (snap->info.version == 0) snap->info = rev_info(path, hist, n, n, implicit);
  if (snap->info.comment.empty())
    if (const MetaItem* ti = snap->doc.find("TOPICINFO"))
      if (const std::string* c = ti->get("comment")) snap->info.comment = *c;
  size_t bytes = snapshot_bytes(*snap);
  TopicPtr out = std::move(snap);
  topic_cache_.put(path, rst, out, bytes);
  return out;
}

std::optional<TopicSnapshot> Store::read_rev(std::string_view web, std::string_view topic, int rev,
                                             std::string* error) const {
  TopicPtr latest = read(web, topic, error);
  if (!latest) return std::nullopt;
  if (rev <= 0 || rev >= latest->info.version) return *latest;
  std::string path = topic_path(web, topic);
  std::string hist = history_dir(web, topic);
  std::string hist_file = hist + "/" + std::to_string(rev);
  if (fs_.stat(hist_file).is_file) {
    auto raw = fs_.read(hist_file, kMaxTopicBytes, error);
    if (!raw) return std::nullopt;
    TopicSnapshot s;
    s.doc = parse_stored(*raw);
    bool implicit;
    int n = num_revisions(path, hist, &implicit);
    s.info = rev_info(path, hist, rev, n, implicit);
    return s;
  }
  if (fs_.stat(path + ",v").is_file) {
    if (auto rcs = load_rcs(fs_, path)) {
      std::string id = rcs_revision_for(rev);
      std::string err;
      if (auto text = rcs_checkout(rcs->file, id, &err)) {
        TopicSnapshot s;
        s.doc = parse_stored(*text);
        s.info.version = rev;
        if (const RcsDelta* d = rcs->file.find(id)) {
          s.info.author = d->author;
          s.info.date = d->date;
          s.info.comment = d->log;
        }
        return s;
      }
      if (error) *error = "revision " + std::to_string(rev) + " cannot be read: " + err;
      return std::nullopt;
    }
  }
  return *latest;  // a gap in the history: Foswiki shows the latest
}

std::vector<RevInfo> Store::history(std::string_view web, std::string_view topic) const {
  std::vector<RevInfo> out;
  std::string path = topic_path(web, topic);
  if (path.empty() || !fs_.stat(path).is_file) return out;
  std::string hist = history_dir(web, topic);
  bool implicit;
  int n = num_revisions(path, hist, &implicit);
  if (implicit && n == 1 && fs_.stat(path + ",v").is_file) {
    if (auto rcs = load_rcs(fs_, path)) {
      TopicPtr latest = read(web, topic);
      if (latest && latest->info.version > rcs->head) out.push_back(latest->info);
      for (int v = rcs->head; v >= 1; --v) {
        RevInfo r;
        r.version = v;
        if (const RcsDelta* d = rcs->file.find(rcs_revision_for(v))) {
          r.author = d->author;
          r.date = d->date;
          r.comment = d->log;
        }
        out.push_back(std::move(r));
      }
      return out;
    }
  }
  for (int v = n; v >= 1; --v) out.push_back(rev_info(path, hist, v, n, implicit));
  return out;
}

// ---- writing --------------------------------------------------------------

// Records an out-of-band change (a latest file newer than its history, or a
// topic without history) as a revision of its own before anything else is
// written, as Foswiki does; the revision has no .m, so its author is unknown.
std::string Store::record_damage(const std::string& latest, const std::string& hist_dir) const {
  bool implicit;
  int n = num_revisions(latest, hist_dir, &implicit);
  if (n == 0 || !implicit) return "";
  if (auto e = fs_.make_dirs(hist_dir); !e.empty()) return e;
  std::string hf = hist_dir + "/" + std::to_string(n);
  if (auto e = fs_.copy_file(latest, hf); !e.empty()) return e;
  long long t = fs_.stat(latest).mtime_ns / 1000000000LL;
  return fs_.set_mtime(hf, std::max(t, fs_.stat(hf).mtime_ns / 1000000000LL));
}

std::string Store::append_change(std::string_view web, Change c) const {
  std::string file = web_dir(web) + "/.changes";
  std::string old;
  if (fs_.stat(file).is_file) {
    std::string err;
    auto raw = fs_.read(file, 64u << 20, &err);
    if (!raw) return "cannot read " + file + ": " + err;
    old = std::move(*raw);
  }
  return fs_.write_atomic(file,
                          append_change_json(old, web, c, c.time - opts_.remember_changes_s));
}

namespace {

// Foswiki's own lock file beside the topic ("cUID\nepoch"), honoured so
// that a Foswiki running on the same tree takes turns with us.
class FoswikiLock {
 public:
  FoswikiLock(const Fs& fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~FoswikiLock() {
    if (held_) fs_.remove(path_);
  }
  std::string acquire(const std::string& cuid, int timeout_ms, int break_after_s) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      auto raw = fs_.read(path_, 4096);
      if (!raw) break;  // no lock
      auto [owner, when] = split_meta_file(*raw);
      while (!owner.empty() && (owner.back() == ' ' || owner.back() == '\r')) owner.pop_back();
      long long t = std::atoll(when.c_str());
      if (owner == cuid || now_s() - t >= break_after_s) break;  // ours, or stale
      if (std::chrono::steady_clock::now() >= deadline)
        return "the topic is being saved by " + owner + "; try again in a moment";
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (auto e = fs_.write_atomic(path_, cuid + "\n" + std::to_string(now_s())); !e.empty())
      return e;
    held_ = true;
    return "";
  }

 private:
  const Fs& fs_;
  std::string path_;
  bool held_ = false;
};

}  // namespace

SaveResult Store::save(std::string_view web, std::string_view topic, TopicDoc doc,
                       const SaveOptions& opts) {
  SaveResult res;
  std::string latest = topic_path(web, topic);
  if (latest.empty()) {
    res.error = "invalid web or topic name";
    return res;
  }
  if (opts.author.empty() || opts.author.find_first_of("\n\r") != std::string::npos) {
    res.error = "invalid author";
    return res;
  }
  std::string wdir = web_dir(web);
  if (!web_exists(web)) {
    if (topic != "WebPreferences") {
      res.error = "the web " + std::string(web) + " does not exist";
      return res;
    }
    size_t slash = normalize_web(web).rfind('/');
    if (slash != std::string::npos && !web_exists(normalize_web(web).substr(0, slash))) {
      res.error = "the parent web of " + std::string(web) + " does not exist";
      return res;
    }
    if (auto e = fs_.make_dirs(wdir); !e.empty()) {
      res.error = e;
      return res;
    }
  }
  if (fs_.stat(latest + ",v").exists) {
    res.error = "the history of " + std::string(web) + "." + std::string(topic) +
                " is kept in RCS (" + std::string(topic) +
                ".txt,v), which this wiki reads but does not write; convert the site to "
                "Foswiki's plain-file store first";
    return res;
  }
  std::string lock_err;
  auto lock = fs_.lock_dir(wdir, opts_.lock_timeout_ms, &lock_err);
  if (!lock) {
    res.error = lock_err;
    return res;
  }
  FoswikiLock flock(fs_, wdir + "/" + std::string(topic) + ".lock");
  if (auto e = flock.acquire(opts.author, opts_.lock_timeout_ms, opts_.foswiki_lock_break_s);
      !e.empty()) {
    res.error = e;
    return res;
  }
  return save_locked(web, topic, std::move(doc), opts);
}

SaveResult Store::save_locked(std::string_view web, std::string_view topic, TopicDoc doc,
                              const SaveOptions& opts) {
  SaveResult res;
  std::string latest = topic_path(web, topic);
  std::string hist = history_dir(web, topic);
  if (auto e = record_damage(latest, hist); !e.empty()) {
    res.error = "cannot record the topic's earlier revision: " + e;
    return res;
  }
  bool implicit;
  int n = num_revisions(latest, hist, &implicit);
  long long now = now_s();
  bool rep = false;
  if (n > 0 && !opts.force_new_revision) {
    FileStat lst = fs_.stat(latest);
    long long age = now - lst.mtime_ns / 1000000000LL;
    if (age >= -opts_.replace_window_s && age <= opts_.replace_window_s) {
      auto m = fs_.read(hist + "/" + std::to_string(n) + ".m", 1 << 20);
      rep = m && split_meta_file(*m).first == opts.author;
    }
  }
  int rn = rep ? n : n + 1;
  long long date = opts.forcedate ? opts.forcedate : now;

  // TOPICINFO, first; the store's view of the revision.
  MetaItem ti;
  if (const MetaItem* old = doc.find("TOPICINFO")) ti = *old;
  ti.type = "TOPICINFO";
  ti.set("author", opts.author);
  ti.set("comment", opts.comment);
  ti.set("date", std::to_string(date));
  ti.set("format", "1.1");
  ti.set("version", std::to_string(rn));
  if (rep) {
    ti.set("reprev", std::to_string(rn));
  } else {
    std::erase_if(ti.attrs, [](const auto& kv) { return kv.first == "reprev"; });
    ti.raw.clear();
  }
  doc.remove("TOPICINFO");
  doc.meta.insert(doc.meta.begin(), std::move(ti));
  std::string data = serialize_canonical(doc);
  if (data.size() > kMaxTopicBytes) {
    res.error = "the topic is larger than " + std::to_string(kMaxTopicBytes) + " bytes";
    return res;
  }

  // The latest first: once it is written the save has happened (a crash
  // before the history is complete leaves a revision Foswiki and we still
  // see, by an unknown author).  Then the history file, its author, and
  // equal mtimes, so that the latest is never newer than its history.
  if (auto e = fs_.write_atomic(latest, data); !e.empty()) {
    res.error = e;
    return res;
  }
  res.revision = rn;
  res.replaced = rep;
  std::string hf = hist + "/" + std::to_string(rn);
  std::string warn;
  if (auto e = fs_.make_dirs(hist); !e.empty()) warn = e;
  if (warn.empty()) warn = fs_.write_atomic(hf, data);
  if (warn.empty()) warn = fs_.write_atomic(hf + ".m", opts.author + "\n" + opts.comment);
  if (warn.empty()) warn = fs_.set_mtime(hf, date);
  if (auto e = fs_.set_mtime(latest, date); warn.empty()) warn = e;
  if (!warn.empty()) res.warning = "saved, but the history was not fully written: " + warn;

  Change c;
  c.verb = rep || n > 0 ? "update" : "insert";
  c.cuid = opts.author;
  c.revision = rn;
  c.path = normalize_web(web) + "." + std::string(topic);
  c.minor = rep || opts.minor;
  if (rep) c.comment = "reprev";
  c.time = now;
  if (auto e = append_change(web, c); !e.empty())
    res.warning += (res.warning.empty() ? "" : "; ") + ("the change log was not updated: " + e);
  topic_cache_.erase(latest);
  return res;
}

// ---- attachments ----------------------------------------------------------

bool Store::attachment_exists(std::string_view web, std::string_view topic,
                              std::string_view name) const {
  std::string p = pub_path(web, topic, name);
  return !p.empty() && fs_.stat(p).is_file;
}

std::optional<std::string> Store::read_attachment(std::string_view web, std::string_view topic,
                                                  std::string_view name, int rev,
                                                  std::string* error) const {
  std::string p = pub_path(web, topic, name);
  if (p.empty()) {
    if (error) *error = "invalid attachment name";
    return std::nullopt;
  }
  std::string ahist = history_dir(web, topic) + "/ATTACHMENTS/" + std::string(name);
  bool implicit;
  int n = num_revisions(p, ahist, &implicit);
  if (n == 0) {
    if (error) *error = "no such attachment";
    return std::nullopt;
  }
  std::string file = p;
  if (rev > 0 && rev < n && fs_.stat(ahist + "/" + std::to_string(rev)).is_file)
    file = ahist + "/" + std::to_string(rev);
  return fs_.read(file, static_cast<size_t>(1) << 40, error);
}

std::vector<RevInfo> Store::attachment_history(std::string_view web, std::string_view topic,
                                               std::string_view name) const {
  std::vector<RevInfo> out;
  std::string p = pub_path(web, topic, name);
  if (p.empty()) return out;
  std::string ahist = history_dir(web, topic) + "/ATTACHMENTS/" + std::string(name);
  bool implicit;
  int n = num_revisions(p, ahist, &implicit);
  for (int v = n; v >= 1; --v) out.push_back(rev_info(p, ahist, v, n, implicit));
  return out;
}

SaveResult Store::attach(std::string_view web, std::string_view topic, std::string_view name,
                         std::string_view data, const SaveOptions& opts) {
  SaveResult res;
  std::string p = pub_path(web, topic, name);
  if (p.empty()) {
    res.error = "invalid web, topic or attachment name";
    return res;
  }
  std::string latest = topic_path(web, topic);
  std::string wdir = web_dir(web);
  std::string lock_err;
  auto lock = fs_.lock_dir(wdir, opts_.lock_timeout_ms, &lock_err);
  if (!lock) {
    res.error = lock_err.empty() ? "the web " + std::string(web) + " does not exist" : lock_err;
    return res;
  }
  std::string err;
  TopicPtr current = read(web, topic, &err);
  if (!current) {
    res.error = "cannot attach to " + std::string(web) + "." + std::string(topic) + ": " + err;
    return res;
  }
  FoswikiLock flock(fs_, wdir + "/" + std::string(topic) + ".lock");
  if (auto e = flock.acquire(opts.author, opts_.lock_timeout_ms, opts_.foswiki_lock_break_s);
      !e.empty()) {
    res.error = e;
    return res;
  }
  std::string ahist = history_dir(web, topic) + "/ATTACHMENTS/" + std::string(name);
  if (auto e = record_damage(p, ahist); !e.empty()) {
    res.error = "cannot record the attachment's earlier revision: " + e;
    return res;
  }
  bool implicit;
  int rn = num_revisions(p, ahist, &implicit) + 1;
  long long date = opts.forcedate ? opts.forcedate : now_s();
  std::string pdir = p.substr(0, p.rfind('/'));
  if (auto e = fs_.make_dirs(pdir); !e.empty()) {
    res.error = e;
    return res;
  }
  if (auto e = fs_.write_atomic(p, data); !e.empty()) {
    res.error = e;
    return res;
  }
  std::string hf = ahist + "/" + std::to_string(rn);
  std::string warn = fs_.make_dirs(ahist);
  if (warn.empty()) warn = fs_.write_atomic(hf, data);
  if (warn.empty()) warn = fs_.write_atomic(hf + ".m", opts.author + "\n" + opts.comment);
  if (warn.empty()) warn = fs_.set_mtime(hf, date);
  if (auto e = fs_.set_mtime(p, date); warn.empty()) warn = e;

  TopicDoc doc = current->doc;
  MetaItem fa;
  fa.type = "FILEATTACHMENT";
  if (const MetaItem* old = doc.find_named("FILEATTACHMENT", name)) fa = *old;
  fa.set("name", std::string(name));
  fa.set("attachment", std::string(name));
  if (!fa.get("attr")) fa.set("attr", "");
  fa.set("comment", opts.comment);
  fa.set("date", std::to_string(date));
  fa.set("path", std::string(name));
  fa.set("size", std::to_string(data.size()));
  fa.set("user", opts.author);
  fa.set("version", std::to_string(rn));
  doc.put(std::move(fa));

  Change c;
  c.verb = rn > 1 ? "update" : "insert";
  c.cuid = opts.author;
  c.revision = current->info.version;
  c.path = normalize_web(web) + "." + std::string(topic);
  c.attachment = std::string(name);
  c.comment = "add " + std::to_string(rn);
  c.time = now_s();
  std::string change_err = append_change(web, c);

  SaveOptions topic_opts = opts;
  topic_opts.forcedate = 0;
  res = save_locked(web, topic, std::move(doc), topic_opts);
  if (!res.ok()) return res;
  if (!warn.empty())
    res.warning += (res.warning.empty() ? "" : "; ") +
                   ("the attachment's history was not fully written: " + warn);
  if (!change_err.empty())
    res.warning += (res.warning.empty() ? "" : "; ") +
                   ("the change log was not updated: " + change_err);
  res.revision = rn;
  return res;
}

// ---- webs: creation -------------------------------------------------------

std::string Store::create_web(std::string_view web, std::string_view template_web,
                              const SaveOptions& opts) {
  if (!is_valid_web_name(web, false)) return "invalid web name " + std::string(web);
  if (web_exists(web)) return "the web " + std::string(web) + " exists already";
  if (!web_exists(template_web)) return "the template web " + std::string(template_web) + " does not exist";
  std::string tw = normalize_web(template_web);
  bool all = tw.substr(tw.rfind('/') == std::string::npos ? 0 : tw.rfind('/') + 1)[0] == '_';
  std::vector<std::string> names = topics(template_web);
  // WebPreferences first: saving it creates the web.
  std::stable_partition(names.begin(), names.end(),
                        [](const std::string& t) { return t == "WebPreferences"; });
  for (const auto& t : names) {
    if (!all && !t.starts_with("Web")) continue;
    std::string err;
    TopicPtr src = read(template_web, t, &err);
    if (!src) return "cannot read " + tw + "." + t + ": " + err;
    SaveOptions o = opts;
    o.force_new_revision = true;
    TopicDoc doc = src->doc;
    doc.layout.reset();
    SaveResult r = save(web, t, std::move(doc), o);
    if (!r.ok()) return "cannot create " + std::string(web) + "." + t + ": " + r.error;
    for (const MetaItem* fa : src->doc.find_all("FILEATTACHMENT")) {
      const std::string* an = fa->get("name");
      if (!an || !is_valid_attachment_name(*an)) continue;
      auto bytes = read_attachment(template_web, t, *an);
      if (!bytes) continue;  // listed but missing: nothing to copy
      std::string p = pub_path(web, t, *an);
      std::string ahist = history_dir(web, t) + "/ATTACHMENTS/" + *an;
      if (auto e = fs_.make_dirs(p.substr(0, p.rfind('/'))); !e.empty()) return e;
      if (auto e = fs_.write_atomic(p, *bytes); !e.empty()) return e;
      if (auto e = fs_.make_dirs(ahist); !e.empty()) return e;
      if (auto e = fs_.write_atomic(ahist + "/1", *bytes); !e.empty()) return e;
      if (auto e = fs_.write_atomic(ahist + "/1.m", opts.author + "\n"); !e.empty()) return e;
    }
  }
  if (!web_exists(web)) return "the template web " + tw + " has no WebPreferences";
  return "";
}

// ---- changes --------------------------------------------------------------

std::vector<Change> Store::changes(std::string_view web, long long since) const {
  std::string d = web_dir(web);
  if (d.empty()) return {};
  auto raw = fs_.read(d + "/.changes", 64u << 20);
  if (!raw) return {};
  std::vector<Change> all = parse_changes(*raw, normalize_web(web));
  std::vector<Change> out;
  for (auto it = all.rbegin(); it != all.rend(); ++it)
    if (it->time >= since) out.push_back(std::move(*it));
  return out;
}

Store::CacheStats Store::cache_stats() const {
  auto s = topic_cache_.stats();
  return {s.entries, s.bytes, s.budget, s.hits, s.misses};
}

}  // namespace cwiki

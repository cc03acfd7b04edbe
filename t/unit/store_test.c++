// The store: Foswiki's plain-file layout read and written, history, attachments,
// the change log, the worker cache, failures, and concurrent saves.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "forwarding_fs.h"
#include "store/changes.h"
#include "store/store.h"
#include "unit.h"  // last: cmocka's macros clash with standard headers

using namespace cwiki;

namespace {

std::string g_root;  // a fresh temporary site per test

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

void put(const std::string& rel, const std::string& content) {
  std::string path = g_root + "/" + rel;
  for (size_t i = g_root.size() + 1; i < path.size(); ++i)
    if (path[i] == '/') ::mkdir(path.substr(0, i).c_str(), 0755);
  std::ofstream(path, std::ios::binary) << content;
}

void age(const std::string& rel, long long seconds_ago) {
  posix_fs().set_mtime(g_root + "/" + rel, now_ns() / 1000000000LL - seconds_ago);
}

int setup(void**) {
  char tmpl[] = "/tmp/cwiki-store-XXXXXX";
  if (!::mkdtemp(tmpl)) return -1;
  g_root = tmpl;
  put("data/Sandbox/WebPreferences.txt", "   * Set X = 1\n");
  put("data/_default/WebPreferences.txt", "template prefs\n");
  put("data/_default/WebHome.txt", "Welcome to %WEB%\n");
  put("data/_default/OtherTopic.txt", "other\n");
  age("data/Sandbox/WebPreferences.txt", 7200);
  return 0;
}

int teardown(void**) {
  std::string cmd = "rm -rf '" + g_root + "'";
  return std::system(cmd.c_str()) == 0 ? 0 : -1;
}

StoreOptions opts() {
  StoreOptions o;
  o.data_dir = g_root + "/data";
  o.pub_dir = g_root + "/pub";
  return o;
}

SaveOptions by(const std::string& who, bool force = false, const std::string& comment = "") {
  SaveOptions s;
  s.author = who;
  s.force_new_revision = force;
  s.comment = comment;
  return s;
}

TopicDoc text_doc(const std::string& text) {
  TopicDoc d;
  d.text = text;
  return d;
}

std::string shared_dir() {
  const char* env = std::getenv("CWIKI_SHARED");
  return env ? env : "../shared";
}

}  // namespace

// The fixtures Foswiki itself wrote (PlainFileStore) and GNU RCS wrote.
static void reads_foswiki_and_rcs_history(void**) {
  // skip() jumps out: nothing that owns memory may be alive then (LeakSanitizer).
  if (!exists(shared_dir() + "/foswiki-history/data/Sandbox/HistoryFixture.txt")) skip();
  std::string h = shared_dir() + "/foswiki-history";
  // A copy, so that the test can rely on the fixture's mtimes being kept.
  std::string cmd = "cp -a '" + h + "/data' '" + h + "/pub' '" + g_root + "/'";
  assert_int_equal(std::system(cmd.c_str()), 0);
  Store s(opts());
  TopicPtr t = s.read("Sandbox", "HistoryFixture");
  assert_true(t != nullptr);
  assert_int_equal(t->info.version, 3);
  assert_str(t->info.author, "BaseUserMapping_333");
  assert_true(t->doc.text.find("HISTREV3") != std::string::npos);
  for (int r = 1; r <= 3; ++r) {
    auto rev = s.read_rev("Sandbox", "HistoryFixture", r);
    assert_true(rev.has_value());
    assert_int_equal(rev->info.version, r);
    std::string marker = "HISTREV" + std::to_string(r);
    if (rev->doc.text.find(marker) == std::string::npos) fail_msg("rev %d lacks %s", r, marker.c_str());
  }
  auto hist = s.history("Sandbox", "HistoryFixture");
  assert_int_equal(hist.size(), 3);
  assert_int_equal(hist[0].version, 3);
  assert_int_equal(hist[2].version, 1);
  // the attachment, uploaded twice
  auto att = s.read_attachment("Sandbox", "HistoryFixture", "fixture-note.txt");
  assert_true(att && att->find("version two") != std::string::npos);
  auto att1 = s.read_attachment("Sandbox", "HistoryFixture", "fixture-note.txt", 1);
  assert_true(att1 && att1->find("version two") == std::string::npos);
  auto ah = s.attachment_history("Sandbox", "HistoryFixture", "fixture-note.txt");
  assert_int_equal(ah.size(), 2);
  assert_str(ah[0].comment, "second upload");
  assert_str(ah[1].comment, "first upload");
  // RCS: every revision of the ,v file
  TopicPtr rcs = s.read("Sandbox", "RcsFixture");
  assert_true(rcs != nullptr);
  assert_int_equal(rcs->info.version, 3);
  assert_str(rcs->info.author, "RcsWriter");
  for (int r = 1; r <= 3; ++r) {
    auto rev = s.read_rev("Sandbox", "RcsFixture", r);
    assert_true(rev.has_value());
    std::string marker = "RCSREV" + std::to_string(r);
    if (rev->doc.text.find(marker) == std::string::npos) fail_msg("RCS rev %d lacks %s", r, marker.c_str());
  }
  assert_int_equal(s.history("Sandbox", "RcsFixture").size(), 3);
  // the store refuses to write where RCS keeps the history
  SaveResult r = s.save("Sandbox", "RcsFixture", text_doc("x\n"), by("someone"));
  assert_false(r.ok());
  assert_true(r.error.find("RCS") != std::string::npos);
}

static void saves_revisions_as_foswiki_does(void**) {
  Store s(opts());
  SaveResult r = s.save("Sandbox", "NewTopic", text_doc("first\n"), by("alice", false, "hello"));
  assert_true(r.ok());
  assert_int_equal(r.revision, 1);
  std::string d = g_root + "/data/Sandbox/";
  assert_true(exists(d + "NewTopic.txt"));
  assert_str(slurp(d + "NewTopic,pfv/1"), slurp(d + "NewTopic.txt"));  // the latest has history too
  assert_str(slurp(d + "NewTopic,pfv/1.m"), "alice\nhello");
  assert_false(exists(d + "NewTopic.lock"));

  // the same author again, soon: the revision is replaced
  r = s.save("Sandbox", "NewTopic", text_doc("first, fixed\n"), by("alice"));
  assert_true(r.ok());
  assert_true(r.replaced);
  assert_int_equal(r.revision, 1);
  TopicPtr t = s.read("Sandbox", "NewTopic");
  assert_str(t->doc.text, "first, fixed\n");
  assert_str(*t->doc.find("TOPICINFO")->get("reprev"), "1");

  // another author: a new revision
  r = s.save("Sandbox", "NewTopic", text_doc("second\n"), by("bob", false, "bob's"));
  assert_int_equal(r.revision, 2);
  assert_false(r.replaced);
  // forced: a new revision even for the same author
  r = s.save("Sandbox", "NewTopic", text_doc("third\n"), by("bob", true));
  assert_int_equal(r.revision, 3);

  t = s.read("Sandbox", "NewTopic");
  assert_int_equal(t->info.version, 3);
  assert_str(t->info.author, "bob");
  assert_str(*t->doc.find("TOPICINFO")->get("version"), "3");
  assert_str(*t->doc.find("TOPICINFO")->get("author"), "bob");
  auto h = s.history("Sandbox", "NewTopic");
  assert_int_equal(h.size(), 3);
  assert_str(h[1].author, "bob");
  assert_str(h[1].comment, "bob's");
  assert_str(h[2].author, "alice");
  assert_str(s.read_rev("Sandbox", "NewTopic", 2)->doc.text, "second\n");
  assert_str(s.read_rev("Sandbox", "NewTopic", 1)->doc.text, "first, fixed\n");
  assert_str(s.read_rev("Sandbox", "NewTopic", 99)->doc.text, "third\n");

  // the change log, newest first
  auto ch = s.changes("Sandbox");
  assert_int_equal(ch.size(), 4);
  assert_str(ch[0].path, "Sandbox.NewTopic");
  assert_int_equal(ch[0].revision, 3);
  assert_str(ch[3].verb, "insert");
  assert_str(ch[2].comment, "reprev");
  assert_true(ch[2].minor);
  std::string raw = slurp(d + ".changes");
  assert_true(raw.front() == '[' && raw.back() == ']');
  assert_true(raw.find('\n') == std::string::npos);
}

static void records_out_of_band_changes(void**) {
  Store s(opts());
  // A topic written by hand, without history: revision 1, author unknown.
  put("data/Sandbox/ByHand.txt", "written by hand\n");
  age("data/Sandbox/ByHand.txt", 5000);
  TopicPtr t = s.read("Sandbox", "ByHand");
  assert_int_equal(t->info.version, 1);
  assert_str(t->info.author, "BaseUserMapping_999");
  SaveResult r = s.save("Sandbox", "ByHand", text_doc("edited\n"), by("carol"));
  assert_int_equal(r.revision, 2);
  std::string d = g_root + "/data/Sandbox/";
  assert_str(slurp(d + "ByHand,pfv/1"), "written by hand\n");  // kept as it was
  assert_false(exists(d + "ByHand,pfv/1.m"));
  // Changed by hand again after that save: an implicit revision 3.
  put("data/Sandbox/ByHand.txt", "hand again\n");
  posix_fs().set_mtime(d + "ByHand,pfv/2", now_ns() / 1000000000LL - 100);
  posix_fs().set_mtime(d + "ByHand.txt", now_ns() / 1000000000LL - 50);
  t = s.read("Sandbox", "ByHand");
  assert_int_equal(t->info.version, 3);
  assert_str(t->info.author, "BaseUserMapping_999");
  assert_str(t->doc.text, "hand again\n");
  r = s.save("Sandbox", "ByHand", text_doc("carol again\n"), by("carol"));
  assert_int_equal(r.revision, 4);
  assert_str(s.read_rev("Sandbox", "ByHand", 3)->doc.text, "hand again\n");
}

static void cache_sees_changes_and_stays_bounded(void**) {
  Store s(opts());
  put("data/Sandbox/Cached.txt", "one\n");
  age("data/Sandbox/Cached.txt", 10);
  TopicPtr a = s.read("Sandbox", "Cached");
  TopicPtr b = s.read("Sandbox", "Cached");
  assert_ptr_equal(a.get(), b.get());  // the same snapshot, shared
  // a change by another process (same size, by hand, in place)
  {
    std::fstream f(g_root + "/data/Sandbox/Cached.txt", std::ios::in | std::ios::out | std::ios::binary);
    f.write("two\n", 4);
  }
  age("data/Sandbox/Cached.txt", 5);
  TopicPtr c = s.read("Sandbox", "Cached");
  assert_str(c->doc.text, "two\n");
  assert_str(a->doc.text, "one\n");  // the old snapshot is untouched for its holders

  StoreOptions small = opts();
  small.cache_bytes = 16 * 1024;
  Store t(small);
  for (int i = 0; i < 50; ++i) {
    std::string name = "Many" + std::string(1, static_cast<char>('A' + i % 26)) + std::to_string(i);
    put("data/Sandbox/" + name + ".txt", std::string(2000, 'x') + "\n");
    age("data/Sandbox/" + name + ".txt", 10);
    assert_true(t.read("Sandbox", name) != nullptr);
  }
  auto st = t.cache_stats();
  assert_true(st.bytes <= small.cache_bytes);
  assert_true(st.entries > 0 && st.entries < 50);
}

// Within a StatScope (one reading request) a topic is seen as first read;
// the next scope sees a change made meanwhile, and the scope's own saves are
// seen at once.
static void stat_scope_is_one_request(void**) {
  Store s(opts());
  put("data/Sandbox/Scoped.txt", "one\n");
  age("data/Sandbox/Scoped.txt", 10);
  {
    StatScope scope;
    assert_str(s.read("Sandbox", "Scoped")->doc.text, "one\n");
    put("data/Sandbox/Scoped.txt", "changed by hand\n");  // not through PosixFs
    struct timespec times[2] = {{now_ns() / 1000000000LL - 5, 0}, {now_ns() / 1000000000LL - 5, 0}};
    ::utimensat(AT_FDCWD, (g_root + "/data/Sandbox/Scoped.txt").c_str(), times, 0);
    assert_str(s.read("Sandbox", "Scoped")->doc.text, "one\n");
    {
      StatScope inner;  // does nothing: the outer one is in force
      assert_str(s.read("Sandbox", "Scoped")->doc.text, "one\n");
    }
    assert_str(s.read("Sandbox", "Scoped")->doc.text, "one\n");
  }
  assert_str(s.read("Sandbox", "Scoped")->doc.text, "changed by hand\n");
  {
    StatScope scope;
    assert_false(s.topic_exists("Sandbox", "ScopedNew"));
    assert_true(s.save("Sandbox", "ScopedNew", text_doc("new\n"), by("JoeBloggs")).ok());
    assert_true(s.topic_exists("Sandbox", "ScopedNew"));
    assert_str(s.read("Sandbox", "ScopedNew")->doc.text, "new\n");
  }
}

namespace {

// Fails every write to paths ending in `suffix`, as a full disk (or a
// directory without write permission) would.
class FullDisk : public ForwardingFs {
 public:
  explicit FullDisk(std::string suffix, std::string why = "No space left on device")
      : suffix_(std::move(suffix)), why_(std::move(why)) {}
  std::string write_atomic(const std::string& p, std::string_view data) const override {
    if (p.ends_with(suffix_)) return "cannot write " + p + ": " + why_;
    return ForwardingFs::write_atomic(p, data);
  }

 private:
  std::string suffix_, why_;
};

// Records every write, to show that refused names touch no file.
class Recording : public ForwardingFs {
 public:
  std::string write_atomic(const std::string& p, std::string_view d) const override {
    ++writes;
    return ForwardingFs::write_atomic(p, d);
  }
  std::string make_dirs(const std::string& p) const override {
    ++writes;
    return ForwardingFs::make_dirs(p);
  }
  mutable int writes = 0;
};

}  // namespace

static void failed_saves_keep_the_previous_revision(void**) {
  Store good(opts());
  assert_true(good.save("Sandbox", "Precious", text_doc("precious v1\n"), by("dave")).ok());
  FullDisk full("/Precious.txt");
  Store s(opts(), full);
  SaveResult r = s.save("Sandbox", "Precious", text_doc("lost?\n"), by("erin"));
  assert_false(r.ok());
  assert_true(r.error.find("No space left") != std::string::npos);
  TopicPtr t = good.read("Sandbox", "Precious");
  assert_str(t->doc.text, "precious v1\n");
  assert_int_equal(t->info.version, 1);
  assert_false(exists(g_root + "/data/Sandbox/Precious.lock"));
  // history that cannot be written: the save happens, with a warning
  FullDisk hist_full("Precious,pfv/2");
  Store h(opts(), hist_full);
  r = h.save("Sandbox", "Precious", text_doc("v2\n"), by("erin"));
  assert_true(r.ok());
  assert_false(r.warning.empty());
  assert_str(good.read("Sandbox", "Precious")->doc.text, "v2\n");
  // permission denied
  FullDisk denied("/Precious.txt", "Permission denied");
  Store d(opts(), denied);
  r = d.save("Sandbox", "Precious", text_doc("v3\n"), by("frank"));
  assert_false(r.ok());
  assert_true(r.error.find("Permission denied") != std::string::npos);
  assert_str(good.read("Sandbox", "Precious")->doc.text, "v2\n");
  // and on the real file system, where the tests do not run as root
  if (::geteuid() != 0) {
    std::string dir = g_root + "/data/Sandbox";
    ::chmod(dir.c_str(), 0555);
    r = good.save("Sandbox", "Precious", text_doc("v3\n"), by("frank"));
    ::chmod(dir.c_str(), 0755);
    assert_false(r.ok());
    assert_str(good.read("Sandbox", "Precious")->doc.text, "v2\n");
  }
}

static void bad_names_touch_nothing(void**) {
  Recording rec;
  Store s(opts(), rec);
  for (const char* topic : {"../etc", "a/b", "", "Bad Name", "x\ny", "Topic.txt"}) {
    SaveResult r = s.save("Sandbox", topic, text_doc("x"), by("mallory"));
    assert_false(r.ok());
  }
  for (const char* web : {"..", "Sandbox/../Main", "lower", "Nope"}) {
    SaveResult r = s.save(web, "Topic", text_doc("x"), by("mallory"));
    assert_false(r.ok());
  }
  assert_false(s.attach("Sandbox", "WebPreferences", "../../x", "data", by("mallory")).ok());
  assert_false(s.attach("Sandbox", "WebPreferences", ".htaccess", "data", by("mallory")).ok());
  assert_false(s.save("Sandbox", "Topic", text_doc("x"), by("two\nlines")).ok());
  assert_int_equal(rec.writes, 0);
}

static void attachments(void**) {
  Store s(opts());
  assert_true(s.save("Sandbox", "WithFiles", text_doc("files\n"), by("gina", true)).ok());
  SaveResult r = s.attach("Sandbox", "WithFiles", "note.txt", "version one\n", by("gina", false, "first"));
  assert_true(r.ok());
  assert_int_equal(r.revision, 1);
  r = s.attach("Sandbox", "WithFiles", "note.txt", "version two\n", by("gina", false, "second"));
  assert_int_equal(r.revision, 2);
  assert_str(slurp(g_root + "/pub/Sandbox/WithFiles/note.txt"), "version two\n");
  assert_str(*s.read_attachment("Sandbox", "WithFiles", "note.txt", 1), "version one\n");
  assert_str(slurp(g_root + "/data/Sandbox/WithFiles,pfv/ATTACHMENTS/note.txt/2.m"), "gina\nsecond");
  TopicPtr t = s.read("Sandbox", "WithFiles");
  const MetaItem* fa = t->doc.find_named("FILEATTACHMENT", "note.txt");
  assert_non_null(fa);
  assert_str(*fa->get("version"), "2");
  assert_str(*fa->get("size"), "12");
  assert_str(*fa->get("user"), "gina");
  assert_int_equal(t->doc.find_all("FILEATTACHMENT").size(), 1);
  auto ch = s.changes("Sandbox");
  bool found = false;
  for (auto& c : ch) found = found || (c.attachment == "note.txt" && c.comment == "add 2");
  assert_true(found);
  assert_false(s.attach("Sandbox", "NoSuchTopic", "a.txt", "x", by("gina")).ok());
}

static void webs_and_new_webs(void**) {
  Store s(opts());
  assert_true(s.web_exists("Sandbox"));
  assert_false(s.web_exists("Nope"));
  std::string err = s.create_web("Fresh", "_default", by("admin"));
  assert_str(err, "");
  assert_true(s.web_exists("Fresh"));
  auto topics = s.topics("Fresh");
  assert_int_equal(topics.size(), 3);  // a template web starting with '_': all its topics
  assert_int_equal(s.read("Fresh", "WebHome")->info.version, 1);
  assert_str(s.read("Fresh", "WebHome")->doc.text, "Welcome to %WEB%\n");
  assert_false(s.create_web("Fresh", "_default", by("admin")).empty());  // exists already
  assert_str(s.create_web("Fresh/Sub", "Sandbox", by("admin")), "");
  // a template web without '_': only its Web* topics
  assert_true(s.web_exists("Fresh/Sub"));
  auto all = s.webs({}, true, false);
  std::set<std::string> got(all.begin(), all.end());
  assert_true(got.count("Fresh/Sub") && got.count("Sandbox") && !got.count("_default"));
  auto hidden = s.webs({}, false, true);
  assert_true(std::find(hidden.begin(), hidden.end(), "_default") != hidden.end());
}

static void changes_file_formats(void**) {
  // the older tab-separated format
  auto legacy = parse_changes("WebHome\tAdminUser\t1700000000\t3\tminor \nOther\tbob\t1700000100\t1\t\n", "Main");
  assert_int_equal(legacy.size(), 2);
  assert_str(legacy[0].path, "Main.WebHome");
  assert_true(legacy[0].minor);
  assert_str(legacy[1].verb, "insert");
  // numbers written as strings, extra keys kept, old entries trimmed
  std::string file =
      R"([{"verb":"update","cuid":"x","revision":"2","path":"Main.A","time":"100","more":"kept"},)"
      R"({"verb":"insert","cuid":"y","revision":1,"path":"Main.B","time":2000,"user":"Y"}])";
  auto parsed = parse_changes(file, "Main");
  assert_int_equal(parsed[0].revision, 2);
  assert_int_equal(parsed[0].time, 100);
  Change c;
  c.verb = "update";
  c.cuid = "z";
  c.revision = 5;
  c.path = "Main.C";
  c.time = 3000;
  std::string out = append_change_json(file, "Main", c, 1000);
  auto after = parse_changes(out, "Main");
  assert_int_equal(after.size(), 2);  // the entry of time 100 is older than the cutoff
  assert_str(after[0].path, "Main.B");
  assert_true(out.find("\"user\":\"Y\"") != std::string::npos);
  // a corrupt file reads as empty, as in Foswiki
  assert_int_equal(parse_changes("[{broken", "Main").size(), 0);
}

// Several processes, each making many saves of one topic: no revision is
// lost, no two saves get the same number, and every revision parses.
static void concurrent_saves(void**) {
  const int procs = 4, saves = 25;
  {
    Store s(opts());
    assert_true(s.save("Sandbox", "Busy", text_doc("start\n"), by("init", true)).ok());
  }
  std::vector<pid_t> kids;
  for (int p = 0; p < procs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      Store s(opts());
      int bad = 0;
      for (int i = 0; i < saves; ++i) {
        std::string marker = "MARK-" + std::to_string(p) + "-" + std::to_string(i);
        SaveResult r = s.save("Sandbox", "Busy", text_doc(marker + "\n"), by("writer" + std::to_string(p), true));
        if (!r.ok() || !r.warning.empty()) ++bad;
      }
      ::_exit(bad);
    }
    kids.push_back(pid);
  }
  // Meanwhile, a reader: every read is a whole topic.
  Store reader(opts());
  int reads = 0;
  for (;;) {
    bool running = false;
    for (pid_t k : kids) running = running || ::waitpid(k, nullptr, WNOHANG) == 0;
    TopicPtr t = reader.read("Sandbox", "Busy");
    assert_true(t != nullptr);
    const std::string& x = t->doc.text;
    if (!(x == "start\n" || (x.starts_with("MARK-") && x.ends_with("\n"))))
      fail_msg("a reader saw a partial topic: [%s]", x.c_str());
    ++reads;
    if (!running) break;
  }
  for (pid_t k : kids) {
    int status = 0;
    ::waitpid(k, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) fail_msg("a writer had %d failed saves", WEXITSTATUS(status));
  }
  Store s(opts());
  auto hist = s.history("Sandbox", "Busy");
  assert_int_equal(hist.size(), 1 + procs * saves);
  std::set<std::string> markers;
  for (int v = 2; v <= 1 + procs * saves; ++v) {
    std::string file = slurp(g_root + "/data/Sandbox/Busy,pfv/" + std::to_string(v));
    TopicDoc d = parse_topic(file);
    assert_str(*d.find("TOPICINFO")->get("version"), std::to_string(v));
    markers.insert(d.text);
  }
  assert_int_equal(markers.size(), procs * saves);  // every save is there, once
  assert_int_equal(s.read("Sandbox", "Busy")->info.version, 1 + procs * saves);
  assert_true(reads > 0);
}

// Threads of one process share one Store, as Apache's worker threads do.
static void concurrent_threads(void**) {
  Store s(opts());
  assert_true(s.save("Sandbox", "Threads", text_doc("t\n"), by("init", true)).ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        SaveResult r = s.save("Sandbox", "Threads", text_doc("T" + std::to_string(t * 100 + i) + "\n"),
                              by("thread" + std::to_string(t), true));
        if (!r.ok()) ++failures;
        if (!s.read("Sandbox", "Threads")) ++failures;
      }
    });
  for (auto& t : ts) t.join();
  assert_int_equal(failures.load(), 0);
  assert_int_equal(s.history("Sandbox", "Threads").size(), 41);
}

// Corrupt files are read as Foswiki reads them: never a failure.
static void corrupt_topics_read_as_foswiki_does(void**) {
  put("data/Sandbox/CrLf.txt",
      "%META:TOPICINFO{author=\"x\" date=\"1\" format=\"1.1\" version=\"1\"}%\r\nline\r\n"
      "%META:FIELD{name=\"F\" value=\"v\"}%\r\n");
  put("data/Sandbox/Latin1.txt", "caf\xe9 and \xff\n");
  put("data/Sandbox/Junk.txt", std::string("\0\x01\x02%META:\x7f{\n}%\n\xc3", 14));
  put("data/Sandbox/BrokenMeta.txt", "%META:TOPICINFO{author=\"x\n%META:FIELD{name=\"a\" value=\"unterminated}%\ntext\n");
  Store s(opts());
  TopicPtr t = s.read("Sandbox", "CrLf");
  assert_true(t != nullptr);
  assert_str(t->doc.text, "line");  // carriage returns go first, so the META is META
  assert_non_null(t->doc.find_named("FIELD", "F"));
  t = s.read("Sandbox", "Latin1");
  assert_str(t->doc.text, "caf\\xE9 and \\xFF\n");  // as Perl's Encode::FB_PERLQQ shows them
  t = s.read("Sandbox", "Junk");
  assert_true(t != nullptr);
  assert_true(t->doc.text.size() >= 10);
  t = s.read("Sandbox", "BrokenMeta");
  assert_true(t != nullptr);
  assert_true(t->doc.text.find("text") != std::string::npos);
  // each of them is still revision 1, and can be saved over
  assert_int_equal(s.read("Sandbox", "Junk")->info.version, 1);
  assert_true(s.save("Sandbox", "Junk", text_doc("clean\n"), by("fixer")).ok());
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(reads_foswiki_and_rcs_history, setup, teardown),
      cmocka_unit_test_setup_teardown(saves_revisions_as_foswiki_does, setup, teardown),
      cmocka_unit_test_setup_teardown(records_out_of_band_changes, setup, teardown),
      cmocka_unit_test_setup_teardown(cache_sees_changes_and_stays_bounded, setup, teardown),
      cmocka_unit_test_setup_teardown(stat_scope_is_one_request, setup, teardown),
      cmocka_unit_test_setup_teardown(failed_saves_keep_the_previous_revision, setup, teardown),
      cmocka_unit_test_setup_teardown(bad_names_touch_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(attachments, setup, teardown),
      cmocka_unit_test_setup_teardown(webs_and_new_webs, setup, teardown),
      cmocka_unit_test(changes_file_formats),
      cmocka_unit_test_setup_teardown(corrupt_topics_read_as_foswiki_does, setup, teardown),
      cmocka_unit_test_setup_teardown(concurrent_saves, setup, teardown),
      cmocka_unit_test_setup_teardown(concurrent_threads, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

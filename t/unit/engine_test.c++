// The engine end to end, over a small site in a temporary directory.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <vector>

#include "forwarding_fs.h"
#include "site/engine.h"
#include "unit.h"  // last: cmocka's macros clash with standard headers

using namespace cwiki;

namespace {

std::string g_root;

void write_file(const std::string& rel, const std::string& content) {
  std::string path = g_root + "/" + rel;
  for (size_t i = g_root.size() + 1; i < path.size(); ++i)
    if (path[i] == '/') ::mkdir(path.substr(0, i).c_str(), 0755);
  std::ofstream(path, std::ios::binary) << content;
}

const char* kInfo = "%META:TOPICINFO{author=\"ProjectContributor\" date=\"1\" format=\"1.1\" version=\"1\"}%\n";

int setup(void**) {
  char tmpl[] = "/tmp/cwiki-engine-XXXXXX";
  if (!::mkdtemp(tmpl)) return -1;
  g_root = tmpl;
  write_file("data/Main/WebPreferences.txt", std::string(kInfo) + "   * Set WEBBGCOLOR = #fff\n");
  write_file("data/Main/WebHome.txt", std::string(kInfo) +
                                          "---+ Welcome\nSee SandboxTopic and [[Main.NoSuchTopic][a missing one]].\n"
                                          "<b>html</b> & *bold*\n");
  write_file("data/Main/Secret.txt", std::string(kInfo) + "hidden\n   * Set ALLOWTOPICVIEW = AdminGroup\n");
  write_file("data/Main/Denied.txt", std::string(kInfo) + "no\n   * Set DENYTOPICVIEW = WikiGuest\n");
  write_file("data/Main/Open.txt", std::string(kInfo) + "yes\n   * Set ALLOWTOPICVIEW = *\n");
  write_file("data/Main/SandboxTopic.txt", std::string(kInfo) + "x < y\n");
  write_file("data/Closed/WebPreferences.txt",
             std::string(kInfo) + "   * Set ALLOWWEBVIEW = %USERSWEB%.AdminGroup\n");
  write_file("data/Closed/WebHome.txt", std::string(kInfo) + "closed\n");
  write_file("data/Closed/Public.txt", std::string(kInfo) + "   * Set ALLOWTOPICVIEW = WikiGuest\n");
  write_file("data/Site/WebPreferences.txt", std::string(kInfo) +
                                                "   * Set DENYWEBVIEW = WikiGuest\n"
                                                "   * Set FINALPREFERENCES = DENYWEBVIEW\n");
  write_file("data/Site/Sub/WebPreferences.txt", std::string(kInfo) + "   * Set DENYWEBVIEW = Nobody\n");
  write_file("data/Site/Sub/WebHome.txt", std::string(kInfo) + "sub\n");
  write_file("data/NoPrefs/WebHome.txt", std::string(kInfo) + "not a web\n");
  return 0;
}

int teardown(void**) {
  std::string cmd = "rm -rf '" + g_root + "'";
  return std::system(cmd.c_str()) == 0 ? 0 : -1;
}

class Recorder : public Log {
 public:
  void write(LogLevel, int id, std::string_view m) override {
    lines.push_back(std::to_string(id) + ": " + std::string(m));
  }
  std::vector<std::string> lines;
};

Response get(std::string_view path, std::string_view query = "", std::string method = "GET",
             std::string body = "", std::string content_type = "") {
  Config cfg;
  cfg.root = g_root;
  Engine engine(cfg);
  Request req;
  req.method = std::move(method);
  req.path = std::string(path);
  req.query = std::string(query);
  req.body = std::move(body);
  if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
  Recorder log;
  return engine.handle(req, log);
}

bool has(const Response& r, const char* s) { return r.body.find(s) != std::string::npos; }

}  // namespace

static void view_topic(void**) {
  Response r = get("/foswiki/Main/WebHome");
  assert_int_equal(r.status, 200);
  assert_str(r.content_type, "text/html; charset=utf-8");
  assert_true(has(r, "<!DOCTYPE html>"));
  assert_true(has(r, "<h1 id=\"Welcome\">"));
  assert_true(has(r, "Welcome </h1>") || has(r, "Welcome</h1>"));
  assert_true(has(r, "<b>html</b>"));                          // embedded HTML passes through
  assert_true(has(r, "<strong>bold</strong>"));
  assert_true(has(r, "href=\"/foswiki/Main/SandboxTopic\""));  // existing topic: view link
  assert_true(has(r, "foswikiNewLink"));                       // missing topic: create link
  assert_false(has(r, "%META"));
  // the same page through bin/view and through the front page
  assert_int_equal(get("/foswiki/bin/view/Main/WebHome").status, 200);
  assert_true(has(get("/foswiki/"), "Welcome"));
}

static void view_parameters(void**) {
  Response text = get("/foswiki/Main/WebHome", "skin=text");
  assert_int_equal(text.status, 200);
  assert_false(has(text, "<!DOCTYPE"));
  assert_true(has(text, "<h1 id=\"Welcome\">"));

  Response raw = get("/foswiki/Main/SandboxTopic", "raw=on");
  assert_true(has(raw, "x &lt; y"));
  assert_false(has(raw, "TOPICINFO"));
  Response all = get("/foswiki/Main/SandboxTopic", "raw=all");
  assert_true(has(all, "%META:TOPICINFO"));
  Response plain = get("/foswiki/Main/SandboxTopic", "raw=text");
  assert_str(plain.content_type, "text/plain; charset=utf-8");
  assert_str(plain.body, "x < y\n");
}

static void missing_things(void**) {
  Response r = get("/foswiki/Main/NoSuchTopic");
  assert_int_equal(r.status, 404);
  assert_true(has(r, "does not exist"));
  assert_true(has(r, "NoSuchTopic"));
  assert_int_equal(get("/foswiki/NoSuchWeb/WebHome").status, 404);
  // a directory without WebPreferences is not a web
  assert_int_equal(get("/foswiki/NoPrefs/WebHome").status, 404);
}

static void bad_requests(void**) {
  Response r = get("/foswiki/bin/frobnicate/Main/WebHome");
  assert_int_equal(r.status, 404);
  assert_true(has(r, "frobnicate"));
  assert_int_equal(get("/foswiki/bin/edit/Main/WebHome").status, 501);
  r = get("/foswiki/Main/<script>alert(1)</script>");
  assert_int_equal(r.status, 400);
  assert_false(has(r, "<script>alert"));  // the bad name is escaped in the page
  assert_int_equal(get("/foswiki/Main/Web Home").status, 400);
  assert_int_equal(get("/foswiki/Main/WebHome", "a=%zz").status, 400);
  assert_int_equal(get("/foswiki/Main/WebHome", "", "DELETE").status, 405);
  assert_int_equal(get("/foswiki/Main/WebHome", "", "POST", "x", "multipart/form-data; boundary=b").status, 400);
  Request big;
  big.path = "/foswiki/Main/WebHome";
  big.body_too_large = true;
  Config cfg;
  cfg.root = g_root;
  NullLog nl;
  assert_int_equal(Engine(cfg).handle(big, nl).status, 413);
}

static void access_rules(void**) {
  Response r = get("/foswiki/Main/Secret");
  assert_int_equal(r.status, 403);
  assert_false(has(r, "hidden"));
  assert_int_equal(get("/foswiki/Main/Secret", "raw=text").status, 403);
  assert_int_equal(get("/foswiki/Main/Secret", "skin=text").status, 403);
  assert_int_equal(get("/foswiki/Main/Denied").status, 403);
  assert_int_equal(get("/foswiki/Main/Open").status, 200);
  // web-level rules, and a topic-level ALLOW that includes the guest
  assert_int_equal(get("/foswiki/Closed/WebHome").status, 403);
  assert_int_equal(get("/foswiki/Closed/Public").status, 200);
  // a final DENYWEBVIEW of the parent web is not undone by the subweb
  assert_int_equal(get("/foswiki/Site/Sub/WebHome").status, 403);
}

namespace {

// The real file system, except that reading one topic fails, and reading
// another throws (as a failing allocation or a bug would).
class FaultyFs : public ForwardingFs {
 public:
  std::optional<std::string> read(const std::string& p, size_t max, std::string* err,
                                  FileStat* st) const override {
    if (p.ends_with("/Main/SandboxTopic.txt")) {
      if (err) *err = "Input/output error";
      return std::nullopt;
    }
    if (p.ends_with("/Main/Open.txt")) throw std::runtime_error("injected failure");
    return posix_fs().read(p, max, err, st);
  }
};

}  // namespace

static void failures_are_contained(void**) {
  Config cfg;
  cfg.root = g_root;
  FaultyFs fs;
  Engine engine(cfg, fs);
  Recorder log;
  Request req;
  req.path = "/foswiki/Main/SandboxTopic";
  Response r = engine.handle(req, log);
  assert_int_equal(r.status, 500);
  assert_true(has(r, "could not be read"));
  assert_int_equal(log.lines.size(), 1);
  assert_non_null(std::strstr(log.lines[0].c_str(), "Input/output error"));

  req.path = "/foswiki/Main/Open";
  r = engine.handle(req, log);
  assert_int_equal(r.status, 500);  // the exception became a 500 page and a log line
  assert_true(has(r, "Internal error"));
  assert_int_equal(log.lines.size(), 2);
  assert_non_null(std::strstr(log.lines[1].c_str(), "injected failure"));

  req.path = "/foswiki/Main/WebHome";
  assert_int_equal(engine.handle(req, log).status, 200);  // and the engine keeps serving
}

static void conditional_get(void**) {
  Config cfg;
  cfg.root = g_root;
  Engine engine(cfg);
  NullLog nl;
  Request req;
  req.path = "/foswiki/Main/WebHome";
  Response first = engine.handle(req, nl);
  assert_int_equal(first.status, 200);
  std::string etag, modified;
  for (const auto& [n, v] : first.headers) {
    if (n == "ETag") etag = v;
    if (n == "Last-Modified") modified = v;
  }
  assert_true(etag.size() > 2 && etag.front() == '"');
  assert_true(modified.ends_with(" GMT"));
  req.headers.emplace_back("if-none-match", "\"other\", " + etag);
  Response again = engine.handle(req, nl);
  assert_int_equal(again.status, 304);
  assert_true(again.body.empty());
  // a changed topic has another tag
  write_file("data/Main/WebHome.txt", std::string(kInfo) + "---+ Welcome\nchanged\n");
  Response changed = engine.handle(req, nl);
  assert_int_equal(changed.status, 200);
  // errors are never 304
  Request missing;
  missing.path = "/foswiki/Main/NoSuchTopic";
  missing.headers.emplace_back("if-none-match", "*");
  assert_int_equal(engine.handle(missing, nl).status, 404);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(view_topic),   cmocka_unit_test(view_parameters),
      cmocka_unit_test(missing_things), cmocka_unit_test(bad_requests),
      cmocka_unit_test(access_rules), cmocka_unit_test(failures_are_contained),
      cmocka_unit_test(conditional_get),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

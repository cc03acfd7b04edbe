// URL routing: actions, webs, topics, short URLs, and bad names.
#include "unit.h"

#include <set>

#include "http/router.h"

using namespace cwiki;

namespace {

// A wiki with webs Main, Sandbox, Sandbox/Sub, System and _default; Sandbox
// has a topic Sub as well as the subweb Sub.
class FakeNames : public NameOracle {
 public:
  bool web_exists(std::string_view w) const override { return webs.count(std::string(w)) > 0; }
  bool topic_exists(std::string_view w, std::string_view t) const override {
    return topics.count(std::string(w) + "." + std::string(t)) > 0;
  }
  std::set<std::string> webs{"Main", "Sandbox", "Sandbox/Sub", "System", "_default"};
  std::set<std::string> topics{"Main.WebHome", "Sandbox.Sub", "Sandbox/Sub.WebHome",
                               "Sandbox/Sub.Page", "System.WebHome"};
};

Route go(std::string_view path, std::string_view query = "") {
  static const FakeNames names;
  static const Config cfg;
  Params p;
  if (!query.empty()) {
    size_t eq = query.find('=');
    p.add(std::string(query.substr(0, eq)), std::string(query.substr(eq + 1)));
  }
  return route(cfg, path, p, names);
}

void expect(const Route& r, const char* action, const char* web, const char* topic) {
  if (!r.ok()) fail_msg("routing failed: %d %s", r.status, r.message.c_str());
  assert_str(r.action, action);
  assert_str(r.web, web);
  assert_str(r.topic, topic);
}

}  // namespace

static void script_urls(void**) {
  expect(go("/foswiki/bin/view/Main/WebHome"), "view", "Main", "WebHome");
  expect(go("/foswiki/bin/view/System"), "view", "System", "WebHome");
  expect(go("/foswiki/bin/view/System/"), "view", "System", "WebHome");
  expect(go("/foswiki/bin/view"), "view", "Main", "WebHome");
  expect(go("/foswiki/bin/view/"), "view", "Main", "WebHome");
  expect(go("/foswiki/bin/edit/Sandbox/NewTopic"), "edit", "Sandbox", "NewTopic");
  expect(go("/foswiki/bin"), "view", "Main", "WebHome");
  expect(go("/foswiki/bin/view//Main//WebHome"), "view", "Main", "WebHome");
}

static void short_urls(void**) {
  expect(go("/foswiki/Main/WebHome"), "view", "Main", "WebHome");
  expect(go("/foswiki/Sandbox/"), "view", "Sandbox", "WebHome");
  expect(go("/foswiki/Sandbox"), "view", "Sandbox", "WebHome");
  expect(go("/foswiki/"), "view", "Main", "WebHome");
  expect(go("/foswiki"), "view", "Main", "WebHome");
  assert_true(go("/foswiki/Main/WebHome").short_url);
  expect(go("/foswiki/_default/WebHome"), "view", "_default", "WebHome");
}

static void dotted_and_subwebs(void**) {
  expect(go("/foswiki/Main.WebHome"), "view", "Main", "WebHome");
  expect(go("/foswiki/Sandbox/Sub/Page"), "view", "Sandbox/Sub", "Page");
  expect(go("/foswiki/Sandbox.Sub.Page"), "view", "Sandbox/Sub", "Page");
  expect(go("/foswiki/Sandbox/Sub.Page"), "view", "Sandbox/Sub", "Page");
  // Sub is both a topic and a subweb: the topic wins, a trailing '/' picks the web
  expect(go("/foswiki/Sandbox/Sub"), "view", "Sandbox", "Sub");
  expect(go("/foswiki/Sandbox/Sub/"), "view", "Sandbox/Sub", "WebHome");
  // a name that is neither is a (missing) topic
  expect(go("/foswiki/Sandbox/NoSuchThing"), "view", "Sandbox", "NoSuchThing");
  // topic names from the URL get an upper-case first letter
  expect(go("/foswiki/Sandbox/lowerCase"), "view", "Sandbox", "LowerCase");
}

static void topic_parameter(void**) {
  expect(go("/foswiki/bin/view/Main/WebHome", "topic=System.WebHome"), "view", "System", "WebHome");
  expect(go("/foswiki/bin/view/Sandbox/WebHome", "topic=Other"), "view", "Sandbox", "Other");
  expect(go("/foswiki/bin/view", "topic=Sandbox.Sub.Page"), "view", "Sandbox/Sub", "Page");
  expect(go("/foswiki/bin/view", "defaultweb=Sandbox"), "view", "Sandbox", "WebHome");
  assert_int_equal(go("/foswiki/bin/view/Main", "topic=Bad%Name").status, 400);
}

static void bad_input(void**) {
  // which actions exist is the engine's business; the router only extracts the name
  expect(go("/foswiki/bin/nosuchaction/Main/WebHome"), "nosuchaction", "Main", "WebHome");
  assert_int_equal(go("/foswiki/bin/VIEW/Main/WebHome").status, 404);
  assert_int_equal(go("/elsewhere/Main/WebHome").status, 404);
  assert_int_equal(go("/foswikiX/Main").status, 404);
  assert_int_equal(go("/foswiki/lowercaseweb/WebHome").status, 400);
  assert_int_equal(go("/foswiki/Main/Web Home").status, 400);
  assert_int_equal(go("/foswiki/Main/Web;Home").status, 400);
  assert_int_equal(go("/foswiki/Main/<script>").status, 400);
  assert_int_equal(go("/foswiki/Main/Web..Home").status, 400);
  assert_int_equal(go("/foswiki/bin/view/Main/..").status, 400);
  assert_int_equal(go(std::string_view("/foswiki/Main/Web\0Home", 22)).status, 400);
  assert_int_equal(go("/foswiki/Main/\xff\xfe").status, 400);
  assert_int_equal(go("/foswiki/Main/" + std::string(300, 'A')).status, 400);
  assert_int_equal(go("/foswiki/" + std::string(2000, 'A')).status, 400);
  assert_int_equal(go("/foswiki/Main/WebHome", "topic=..").status, 400);
  Route r = go("/foswiki/Main/Web Home");
  assert_non_null(std::strstr(r.message.c_str(), "Invalid topic name"));
  r = go("/foswiki/bad/WebHome");
  assert_non_null(std::strstr(r.message.c_str(), "Invalid web name"));
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(script_urls),       cmocka_unit_test(short_urls),
      cmocka_unit_test(dotted_and_subwebs), cmocka_unit_test(topic_parameter),
      cmocka_unit_test(bad_input),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

// Foswiki's naming rules for webs and topics.
#include "unit.h"

#include "store/names.h"

using namespace cwiki;

static void wikiwords(void**) {
  assert_true(is_wikiword("WebHome"));
  assert_true(is_wikiword("ABCDefGh"));   // capitals, then lower case, then upper case
  assert_false(is_wikiword("ABCDef"));    // no upper case after the lower case run
  assert_true(is_wikiword("Web2Home"));   // digits count with the lower case run
  assert_true(is_wikiword("Web2Go"));
  assert_false(is_wikiword("Webhome"));
  assert_false(is_wikiword("webHome"));
  assert_false(is_wikiword("WEB"));
  assert_true(is_wikiword("\xC3\x84pfelUndBirnen"));  // ÄpfelUndBirnen
  assert_false(is_wikiword(""));
}

static void topic_names(void**) {
  assert_true(is_valid_topic_name("WebHome", false));
  assert_true(is_valid_topic_name("FAQ", false));      // acronym of three capitals
  assert_true(is_valid_topic_name("URLs", false));     // acronym with a plural s
  assert_false(is_valid_topic_name("FA", false));
  assert_false(is_valid_topic_name("Webhome", false));
  // non-WikiWords are accepted when asked, unless a filtered character appears
  assert_true(is_valid_topic_name("Webhome", true));
  assert_true(is_valid_topic_name("some-topic_1", true));
  assert_false(is_valid_topic_name("Some Topic", true));
  assert_false(is_valid_topic_name("Topic;rm", true));
  assert_false(is_valid_topic_name("Topic<script>", true));
  assert_false(is_valid_topic_name("Topic\"", true));
  assert_false(is_valid_topic_name("Tab\tTopic", true));
  assert_false(is_valid_topic_name("a/b", true));
  assert_false(is_valid_topic_name("a.b", true));
  assert_false(is_valid_topic_name(std::string_view("Web\0Home", 8), true));
  assert_false(is_valid_topic_name("\xff\xfe", true));  // invalid UTF-8
  assert_false(is_valid_topic_name("", true));
  assert_true(is_valid_topic_name(std::string(kMaxNameBytes, 'A'), true));
  assert_false(is_valid_topic_name(std::string(kMaxNameBytes + 1, 'A'), true));
}

static void web_names(void**) {
  assert_true(is_valid_web_name("Main"));
  assert_true(is_valid_web_name("Sandbox/Sub_Web2"));
  assert_true(is_valid_web_name("Sandbox.Sub"));
  assert_true(is_valid_web_name("_default"));
  assert_false(is_valid_web_name("_default", false));
  assert_false(is_valid_web_name("main"));
  assert_false(is_valid_web_name("Main/"));
  assert_false(is_valid_web_name("Main//Sub"));
  assert_false(is_valid_web_name("Main/.."));
  assert_false(is_valid_web_name("Ma-in"));
  assert_false(is_valid_web_name("_"));
  std::string deep = "A";
  for (int i = 1; i < kMaxWebDepth; ++i) deep += "/A";
  assert_true(is_valid_web_name(deep));
  assert_false(is_valid_web_name(deep + "/A"));
}

static void helpers(void**) {
  assert_str(normalize_web("Main.Sub.Sub2"), "Main/Sub/Sub2");
  assert_str(ucfirst("webHome"), "WebHome");
  assert_str(ucfirst("1abc"), "1abc");
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(wikiwords),
      cmocka_unit_test(topic_names),
      cmocka_unit_test(web_names),
      cmocka_unit_test(helpers),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

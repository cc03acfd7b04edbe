// Foswiki's naming rules for webs and topics.
#include <cstdlib>

#include "store/names.h"
#include "util/regex.h"
#include "unit.h"  // last: cmocka's macros clash with standard headers

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

// The rules written out for ASCII agree with Foswiki's patterns on many
// random names.
static void ascii_rules_agree_with_the_patterns(void**) {
  const Regex wikiword(R"(\A[[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*\z)");
  const Regex topic(R"(\A(?:[[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*|[[:upper:]]{3,}s?)\z)");
  const Regex web(R"(\A(?:[[:upper:]]+[[:alnum:]_]*|_[[:alnum:]_]+)\z)");
  const Regex filter(R"([\\\s*?~^$@%`"'&|<:;>\[\]#\x00-\x1f])");
  const char alphabet[] = "AaBbZz09_s -;#%~.()!\t\x01\x7f";
  std::srand(12345);
  for (int i = 0; i < 200000; ++i) {
    std::string name;
    int len = 1 + std::rand() % 8;
    for (int k = 0; k < len; ++k) name.push_back(alphabet[std::rand() % (sizeof alphabet - 1)]);
    if (name.find('.') != std::string::npos) continue;  // '.' is a separator, never in a name
    if (is_wikiword(name) != wikiword.search(name)) fail_msg("wikiword [%s]", name.c_str());
    bool t = topic.search(name) || !filter.search(name);
    if (is_valid_topic_name(name, true) != t) fail_msg("topic [%s]", name.c_str());
    if (is_valid_topic_name(name, false) != topic.search(name)) fail_msg("strict topic [%s]", name.c_str());
    if (is_valid_web_component(name) != web.search(name)) fail_msg("web [%s]", name.c_str());
  }
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(wikiwords),
      cmocka_unit_test(topic_names),
      cmocka_unit_test(web_names),
      cmocka_unit_test(helpers),
      cmocka_unit_test(ascii_rules_agree_with_the_patterns),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

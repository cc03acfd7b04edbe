// Reading Foswiki's embedded topic format and preference settings.
#include "unit.h"

#include "prefs/prefs.h"
#include "store/meta.h"

using namespace cwiki;

static void topic_with_meta(void**) {
  ParsedTopic t = parse_topic(
      "%META:TOPICINFO{author=\"ProjectContributor\" date=\"1\" format=\"1.1\" version=\"3\"}%\n"
      "%META:TOPICPARENT{name=\"WebHome\"}%\n"
      "Hello\n"
      "%META:NOTMETA no braces\n"
      "\n"
      "%META:FIELD{name=\"F\" title=\"A%22quoted%22%0Avalue%25\" value=\"x\"}%\n"
      "%META:PREFERENCE{name=\"ALLOWTOPICVIEW\" title=\"\" type=\"Set\" value=\"AdminUser\"}%\n");
  assert_str(t.text, "Hello\n%META:NOTMETA no braces\n");
  assert_int_equal(t.meta.size(), 4);
  assert_str(t.meta[0].type, "TOPICINFO");
  assert_str(*t.meta[0].get("version"), "3");
  assert_str(*t.find("TOPICPARENT")->get("name"), "WebHome");
  assert_str(*t.find("FIELD")->get("title"), "A\"quoted\"\nvalue%");
}

static void topicinfo_only_first_line(void**) {
  ParsedTopic t = parse_topic("text\n%META:TOPICINFO{version=\"1\"}%\nmore\n");
  assert_str(t.text, "text\n%META:TOPICINFO{version=\"1\"}%\nmore\n");
  assert_int_equal(t.meta.size(), 0);
}

static void old_format(void**) {
  ParsedTopic t = parse_topic(
      "%META:TOPICINFO{author=\"x\" format=\"1.0\" version=\"1.2\"}%\n"
      "\tTabbed\n"
      "%META:FIELD{name=\"F\" value=\"a%_N_%b%_Q_%c%_P_%\"}%\n");
  assert_str(t.text, "   Tabbed");
  assert_str(*t.find("FIELD")->get("value"), "a\nb\"c%");
}

static void no_meta_and_odd_input(void**) {
  assert_str(parse_topic("plain\n").text, "plain\n");
  assert_str(parse_topic("").text, "");
  assert_str(parse_topic("last %META:X{a=\"b\"}%").text, "last %META:X{a=\"b\"}%");
  // a last line without newline is not META
  assert_str(parse_topic("%META:FIELD{name=\"a\"}%").text, "%META:FIELD{name=\"a\"}%");
  // a FIELD without a name is not META
  assert_str(parse_topic("%META:FIELD{value=\"a\"}%\n").text, "%META:FIELD{value=\"a\"}%\n");
  // binary junk is kept as text
  std::string junk("\0\xff%META:\x01{\n", 12);
  assert_int_equal(parse_topic(junk).text.size(), junk.size());
}

static void preferences(void**) {
  ParsedTopic t = parse_topic(
      "   * Set ONE = 1\n"
      "\t* Set TWO = two\n"
      "     continued\n"
      "   * Local THREE=3\n"
      "   * #Set HIDDEN = x\n"
      "  * Set BADINDENT = x\n"
      "   * Set MULTI = a\n"
      "      * a bullet ends it\n"
      "%META:PREFERENCE{name=\"FOUR\" type=\"Local\" value=\"4\"}%\n");
  auto p = parse_prefs(t);
  assert_int_equal(p.size(), 5);
  assert_str(p[0].name, "ONE");
  assert_str(p[0].value, "1");
  assert_str(p[1].value, "two\n     continued");
  assert_true(p[2].local);
  assert_str(p[2].value, "3");
  assert_str(p[3].name, "MULTI");
  assert_str(p[3].value, "a");
  assert_str(p[4].name, "FOUR");
  assert_true(p[4].local);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(topic_with_meta),    cmocka_unit_test(topicinfo_only_first_line),
      cmocka_unit_test(old_format),         cmocka_unit_test(no_meta_and_odd_input),
      cmocka_unit_test(preferences),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

// Reading and writing Foswiki's embedded topic format, and preference settings.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "prefs/prefs.h"
#include "store/meta.h"
#include "unit.h"  // last: cmocka's macros clash with standard headers

using namespace cwiki;

static void topic_with_meta(void**) {
  TopicDoc t = parse_topic(
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
  TopicDoc t = parse_topic("text\n%META:TOPICINFO{version=\"1\"}%\nmore\n");
  assert_str(t.text, "text\n%META:TOPICINFO{version=\"1\"}%\nmore\n");
  assert_int_equal(t.meta.size(), 0);
}

static void old_format(void**) {
  TopicDoc t = parse_topic(
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
  TopicDoc t = parse_topic(
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

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void collect_txt(const std::string& dir, std::vector<std::string>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string p = dir + "/" + name;
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) collect_txt(p, out);
    else if (name.size() > 4 && name.ends_with(".txt")) out.push_back(p);
  }
  ::closedir(d);
}

// Parses and writes back: the same bytes.  The canonical form is stable and
// reads back to the same text and META.
void check_round_trip(const std::string& path) {
  std::string file = slurp(path);
  TopicDoc t = parse_topic(file);
  std::string back = serialize_topic(t);
  if (back != file) fail_msg("%s does not write back byte-identical", path.c_str());
  std::string canon = serialize_canonical(t);
  TopicDoc again = parse_topic(canon);
  if (again.text != t.text) fail_msg("%s: canonical form changes the text", path.c_str());
  if (again.meta.size() != t.meta.size())
    fail_msg("%s: canonical form changes the META count", path.c_str());
  if (serialize_canonical(again) != canon) fail_msg("%s: canonical form is not stable", path.c_str());
}

}  // namespace

static void round_trip_hand_made(void**) {
  std::vector<std::string> files;
  collect_txt("t/data/topics", files);
  assert_true(files.size() >= 8);
  for (const auto& f : files) check_round_trip(f);
}

static void round_trip_foswiki_tree(void**) {
  const char* env = std::getenv("CWIKI_SHARED");
  std::string shared = env ? env : "../shared";
  std::vector<std::string> files;
  collect_txt(shared + "/foswiki/data", files);
  collect_txt(shared + "/foswiki-history/data", files);
  if (files.empty()) skip();
  assert_true(files.size() > 600);
  for (const auto& f : files) check_round_trip(f);
}

static void changed_topics_are_written_canonically(void**) {
  TopicDoc t = parse_topic(slurp("t/data/topics/MetaInMiddle.txt"));
  t.text += "\nadded";
  std::string out = serialize_topic(t);
  // META moves to the end, FIELD before PREFERENCE, and values are re-encoded
  assert_str(out,
             "No TOPICINFO at all\nmore text\nadded\n"
             "%META:FIELD{name=\"Mid\" title=\"In %22the%22 middle\" value=\"a%0ab\"}%\n"
             "%META:PREFERENCE{name=\"X\" title=\"X\" type=\"Set\" value=\"1\"}%\n"
             "%META:UNKNOWNTYPE{any=\"thing\"}%\n");
  // a changed item is written anew, keys sorted after the name
  TopicDoc u = parse_topic(slurp("t/data/topics/MetaInMiddle.txt"));
  for (auto& m : u.meta)
    if (m.type == "FIELD") m.set("value", "new \"quoted\" {x}\r\n100%");
  std::string line = meta_line(*u.find("FIELD"));
  assert_str(line, "%META:FIELD{name=\"Mid\" title=\"In %22the%22 middle\" value=\"new %22quoted%22 %7bx%7d%0d%0a100%25\"}%");
  TopicDoc back = parse_topic(serialize_topic(u));
  assert_str(*back.find("FIELD")->get("value"), "new \"quoted\" {x}\r\n100%");
}

static void crlf_and_junk(void**) {
  // CRLF lines do not end in "}%", so Foswiki keeps them as text
  TopicDoc t = parse_topic(slurp("t/data/topics/CrLf.txt"));
  assert_int_equal(t.meta.size(), 0);
  TopicDoc j = parse_topic(slurp("t/data/topics/Junk.txt"));
  assert_non_null(j.find("FILEATTACHMENT"));
  assert_true(j.text.find("a field without a name stays text") != std::string::npos);
  TopicDoc two = parse_topic(slurp("t/data/topics/TwoTopicInfo.txt"));
  assert_int_equal(two.find_all("TOPICINFO").size(), 1);  // the second one is text
  assert_str(two.text, "%META:TOPICINFO{author=\"second\" version=\"9\"}%\ntext\n");
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(topic_with_meta),    cmocka_unit_test(topicinfo_only_first_line),
      cmocka_unit_test(old_format),         cmocka_unit_test(no_meta_and_odd_input),
      cmocka_unit_test(preferences),        cmocka_unit_test(round_trip_hand_made),
      cmocka_unit_test(round_trip_foswiki_tree), cmocka_unit_test(changed_topics_are_written_canonically),
      cmocka_unit_test(crlf_and_junk),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

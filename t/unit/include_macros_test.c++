// INCLUDE, sections, TOC and the new-topic expansion, over a small site in a
// temporary directory.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "http/message.h"
#include "macros/expand.h"
#include "macros/include_macros.h"
#include "macros/include_util.h"
#include "macros/registry.h"
#include "macros/session.h"
#include "site/config.h"
#include "store/store.h"
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

void topic(const std::string& web, const std::string& name, const std::string& text) {
  write_file("data/" + web + "/" + name + ".txt", std::string(kInfo) + text);
}

int setup(void**) {
  char tmpl[] = "/tmp/cwiki-include-XXXXXX";
  if (!::mkdtemp(tmpl)) return -1;
  g_root = tmpl;
  ::mkdir((g_root + "/pub").c_str(), 0755);
  topic("System", "DefaultPreferences", "   * Set INCLUDEWARNING = on\n");
  topic("System", "WebPreferences", "Preferences\n");
  topic("Main", "WebPreferences", "Preferences\n");
  topic("Web", "WebPreferences", "   * Set WEBSETTING = fromweb\n");
  topic("Other", "WebPreferences", "Preferences\n");
  topic("Web", "Home", "home\n");
  topic("Web", "Plain", "\n\nplain text\n\n\n");
  topic("Web", "Region", "before %STARTINCLUDE%inside%STOPINCLUDE% after");
  topic("Web", "Sections",
        "intro %STARTSECTION{\"one\"}%first%ENDSECTION{\"one\"}% middle "
        "%STARTSECTION{\"two\" colour=\"red\"}%second %colour%%ENDSECTION{\"two\"}% end");
  topic("Web", "Params", "[%P1%] [%P2{default=\"d\"}%] [%INCLUDINGTOPIC%] [%TOPIC%] [%BASETOPIC%]");
  topic("Web", "SelfInclude", "self:%INCLUDE{\"SelfInclude\"}%");
  topic("Web", "Deep", "d%INCLUDE{\"Deep\" n=\"%n%x\"}%");
  topic("Web", "Fan", "%INCLUDE{\"Fan\" n=\"a%n%\"}%%INCLUDE{\"Fan\" n=\"b%n%\"}%");
  topic("Web", "Secret", "secret\n   * Set ALLOWTOPICVIEW = AdminGroup\n");
  topic("Web", "OwnSetting", "   * Set OWNSETTING = mine\n[%OWNSETTING%] [%WEBSETTING%]");
  topic("Web", "Headings",
        "%TOC%\n---+ First\n---++ Sub *bold* WikiWord\n---++!! Hidden\n---+ First\n"
        "<verbatim>\n---+ Not a heading\n</verbatim>\n---+++ Deep\n");
  topic("Other", "Links",
        "<verbatim>\nInVerbatim [[InVerbatim]]\n</verbatim>\n"
        "WikiWord and (OtherWord) [[BracketTopic]] [[some topic][label]]\n"
        "[[Web.Qualified]] [[#anchor][x]] [[http://example.com][y]]\n"
        "<noautolink>\nNoLink [[Linked]]\n</noautolink>\n"
        "<literal>\nLit [[Lit]]\n</literal>\n<pre>\nPreWord [[PreLink]]\n</pre>\n8 #HashWord\n");
  topic("Web/Sub", "WebPreferences", "Preferences\n");
  topic("Web/Sub", "Inner", "inner %WEB%.%TOPIC%");
  topic("Other", "Sectioned", "%STARTSECTION{\"s\"}%WikiWord%ENDSECTION{\"s\"}%");
  return 0;
}

int teardown(void**) {
  std::string cmd = "rm -rf '" + g_root + "'";
  return std::system(cmd.c_str()) == 0 ? 0 : -1;
}

// One request for Web.Home (or `base`), expanding `text` in `where`.
struct Fixture {
  Config cfg;
  std::unique_ptr<Store> store;
  Params params;
  NullLog log;
  std::unique_ptr<Session> s;
  explicit Fixture(TopicRef base = {"Web", "Home"}) {
    register_all_macros();
    cfg.root = g_root;
    cfg.view_url_path = "";
    StoreOptions o;
    o.data_dir = g_root + "/data";
    o.pub_dir = g_root + "/pub";
    o.cache_bytes = 0;
    store = std::make_unique<Store>(o);
    s = std::make_unique<Session>(cfg, *store, params, log);
    s->base = base;
    s->init_prefs();
  }
  std::string expand(std::string_view text, TopicRef where = {"Web", "Home"}) {
    return expand_macros(*s, text, where);
  }
};

std::string alert(const std::string& body) { return "<span class='foswikiAlert'>\n" + body + "\n</span>"; }

void test_include_topic_text(void**) {
  Fixture f;
  // Leading newlines collapse to one, trailing ones go.
  assert_str(f.expand("[%INCLUDE{\"Plain\"}%]"), "[\nplain text]");
  assert_str(f.expand("[%INCLUDE{\"Web.Plain\"}%]", {"Other", "X"}), "[\nplain text]");
  assert_str(f.expand("[%INCLUDE{\"Region\"}%]"), "[inside]");
  // Subwebs, with either separator; WEB and TOPIC are the included topic's.
  assert_str(f.expand("%INCLUDE{\"Web.Sub.Inner\"}% %INCLUDE{\"Web/Sub.Inner\"}%"),
             "inner Web/Sub.Inner inner Web/Sub.Inner");
  // STARTSECTION & co. vanish where they stand.
  assert_str(f.expand("a%STARTSECTION{\"x\"}%b%ENDSECTION{\"x\"}%c%STARTINCLUDE%%STOPINCLUDE%"), "abc");
}

void test_include_sections(void**) {
  Fixture f;
  assert_str(f.expand("%INCLUDE{\"Sections\" section=\"one\"}%"), "first");
  // A section's parameters are defaults for its macros; the caller's win.
  assert_str(f.expand("%INCLUDE{\"Sections\" section=\"two\"}%"), "second red");
  assert_str(f.expand("%INCLUDE{\"Sections\" section=\"two\" colour=\"blue\"}%"), "second blue");
  // No section: the whole text without the tags.
  assert_str(f.expand("%INCLUDE{\"Sections\"}%"), "intro first middle second %colour% end");
  assert_str(f.expand("%INCLUDE{\"Sections\" section=\"nope\"}%"),
             alert("    Warning: Can't find named section <nop>nope in topic <nop>Web.<nop>Sections "));
  assert_str(f.expand("[%INCLUDE{\"Sections\" section=\"nope\" warn=\"off\"}%]"), "[]");
}

void test_include_warnings(void**) {
  Fixture f;
  assert_str(f.expand("%INCLUDE{\"Missing\"}%"),
             alert("    Warning: Can't find topic <nop>Web.<nop>Missing "));
  assert_str(f.expand("[%INCLUDE{\"Missing\" warn=\"no\"}%]"), "[]");
  assert_str(f.expand("%INCLUDE{\"Missing\" warn=\"Where is $topic?\"}%"), "Where is Web.Missing?");
  assert_str(f.expand("%INCLUDE{\"\"}%"),
             alert("   Warning: Can't INCLUDE '<nop>', path is empty or contains illegal characters. "));
  assert_str(f.expand("%INCLUDE{\"../../etc/passwd\"}%"),
             alert("   Warning: Can't INCLUDE '<nop>../../etc/passwd', path is empty or contains illegal "
                   "characters. "));
  // A list: the first topic that can be included.
  assert_str(f.expand("%INCLUDE{\"Missing, Web.Region\"}%"), "inside");
  assert_str(f.expand("%INCLUDE{\"Missing, Sections\" section=\"one\"}%"), "first");
}

void test_include_parameters_and_context(void**) {
  Fixture f;
  assert_str(f.expand("%INCLUDE{\"Params\" P1=\"one\"}% [%P1%]"),
             "[one] [d] [Home] [Params] [Home] [%P1%]");
  // The included topic's own settings do not apply; the web's do.
  assert_str(f.expand("%INCLUDE{\"OwnSetting\"}%"), "   * Set OWNSETTING = mine\n[%OWNSETTING%] [fromweb]");
}

void test_include_recursion(void**) {
  Fixture f;
  // The topic includes itself once more, then Foswiki's warning stops it.
  assert_str(f.expand("%INCLUDE{\"SelfInclude\"}%"),
             "self:self:" + alert("   Warning: Can't INCLUDE <nop>Web.SelfInclude repeatedly, topic is "
                                  "already included.  "));
  // Ever-changing parameters are stopped by the nesting limit, quickly.
  auto t0 = std::chrono::steady_clock::now();
  std::string out = f.expand("%INCLUDE{\"Deep\" n=\"x\"}%");
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  assert_true(secs < 10);
  assert_true(out.find("repeatedly") != std::string::npos || out.size() < 100000);
  // Includes that fan out stop at the per-request limit.
  t0 = std::chrono::steady_clock::now();
  out = f.expand("%INCLUDE{\"Fan\"}%");
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  assert_true(secs < 30);
  assert_true(out.find("the page includes too many topics") != std::string::npos);
}

void test_include_access_and_urls(void**) {
  Fixture f;
  assert_str(f.expand("%INCLUDE{\"Secret\"}%"), alert("      No permission to view Web.Secret "));
  assert_str(f.expand("[%INCLUDE{\"Secret\" warn=\"off\"}%]"), "[]");
  assert_str(f.expand("%INCLUDE{\"http://example.com/\"}%"),
             alert("   Warning: This site does not allow %<nop>INCLUDE% of URLs "));
  // An attachment of this site is read from the store, cleaned up.
  write_file("pub/Web/Home/frag.html",
             "<html><head><title>x</title></head><body>\n<p\nclass=\"c\">Hi <a href=\"/x\">x</a>"
             "<script>bad()</script></p>\n</body></html>");
  assert_str(f.expand("%INCLUDE{\"http://localhost/foswiki/pub/Web/Home/frag.html\"}%"),
             "\n<p class=\"c\">Hi <a href=\"/foswiki/x\">x</a></p>");
  assert_str(f.expand("%INCLUDE{\"http://localhost/foswiki/pub/Web/Home/frag.html\" raw=\"on\" "
                      "pattern=\"(<p.*?>)\"}%"),
             "<p\nclass=\"c\">");
}

void test_include_pattern_rev_offset(void**) {
  Fixture f;
  assert_str(f.expand("%INCLUDE{\"Sections\" pattern=\"^.*?(middle.*?)end\"}%"), "middle second %colour% ");
  assert_str(f.expand("[%INCLUDE{\"Sections\" pattern=\"(nomatch)\"}%]"), "[]");
  assert_str(f.expand("[%INCLUDE{\"Sections\" pattern=\"(unbalanced\"}%]"), "[]");
  assert_str(f.expand("%INCLUDE{\"Region\" headingoffset=\"+2\"}%"),
             "<ho off=\"2\"/>\ninside\n<ho off=\"-2\">");
  assert_str(f.expand("%INCLUDE{\"Region\" headingoffset=\"0\"}%"), "inside");
  // Earlier revisions.
  SaveOptions so;
  so.author = "BaseUserMapping_333";
  so.force_new_revision = true;
  TopicDoc d;
  d.text = "first revision";
  assert_true(f.store->save("Web", "Revved", d, so).ok());
  d.text = "second revision";
  assert_true(f.store->save("Web", "Revved", d, so).ok());
  assert_str(f.expand("%INCLUDE{\"Revved\"}%"), "second revision");
  assert_str(f.expand("%INCLUDE{\"Revved\" rev=\"1\"}% %INCLUDE{\"Revved\" rev=\"r1\"}%"),
             "first revision first revision");
  assert_str(f.expand("%INCLUDE{\"Revved\" rev=\"1.2\"}%"), "second revision");
}

void test_include_other_web_links(void**) {
  Fixture f;
  std::string out = f.expand("%INCLUDE{\"Other.Links\"}%");
  assert_str(out,
             "<verbatim>\nInVerbatim [[InVerbatim]]\n</verbatim>\n"
             "Other.WikiWord and (Other.OtherWord) [[Other.BracketTopic][BracketTopic]] "
             "[[Other.SomeTopic][label]]\n"
             "[[Web.Qualified]] [[#anchor][x]] [[http://example.com][y]]\n"
             "<noautolink>\nNoLink [[Other.Linked][Linked]]\n</noautolink>\n"
             "<literal>\nLit [[Lit]]\n</literal>\n<pre>\nOther.PreWord [[Other.PreLink][PreLink]]\n</pre>\n"
             "8 #HashWord");
  // The same web: nothing changes.
  assert_str(f.expand("%INCLUDE{\"Sectioned\" section=\"s\"}%", {"Other", "X"}), "WikiWord");
  assert_str(f.expand("%INCLUDE{\"Other.Sectioned\" section=\"s\"}%"), "Other.WikiWord");
}

void test_toc(void**) {
  Fixture f;
  std::string text =
      "%TOC%\n---+ First\n---++ Sub *bold* WikiWord\n---++!! Hidden\n---+ First\n"
      "<verbatim>\n---+ Not a heading\n</verbatim>\n---+++ Deep\n";
  std::string out = f.expand(text);
  std::string toc =
      "<div class=\"foswikiToc\" id=\"foswikiTOC\">\n"
      "\t* <a href=\"#First\"> First </a>\n"
      "\t\t* <a href=\"#Sub_42bold_42_WikiWord\"> Sub bold <nop>WikiWord </a>\n"
      "\t* <a href=\"#First_AN1\"> First </a>\n"
      "\t\t\t* <a href=\"#Deep\"> Deep </a>\n</div>";
  assert_str(out.substr(0, toc.size()), toc);
  // depth, title, align and the second instance's id.
  out = f.expand("%TOC{depth=\"2\" title=\"T\" align=\"right\"}%\n%TOC{id=\"x\"}%\n---++ A\n---+++ B\n");
  assert_str(out.substr(0, out.find("\n---")),
             "<div class=\"foswikiToc foswikiRight\" id=\"foswikiTOC\"><span class=\"foswikiTocTitle\">T"
             "</span>\n\t* <a href=\"#A\"> A </a>\n</div>\n"
             "<div class=\"foswikiToc\" id=\"x\">\n\t* <a href=\"#A\"> A </a>\n\t\t* <a href=\"#B\"> B "
             "</a>\n</div>");
  // Another topic: its headings, linked to its view URL.
  out = f.expand("%TOC{\"Web.Headings\"}%", {"Web", "Home"});
  assert_true(out.find("<a href=\"/foswiki/bin/view/Web/Headings#First_AN1\"> First </a>") !=
              std::string::npos);
  assert_str(f.expand("%TOC{\"Web.Secret\"}%"), alert("      No permission to view Web "));
  // No headings (or none within the depth): nothing, not even the title.
  assert_str(f.expand("[%TOC%]"), "[]");
  assert_str(f.expand("[%TOC{depth=\"1\" title=\"T\"}%]\n---++ A"), "[]\n---++ A");
}

void test_toc_url_params(void**) {
  Fixture f;
  f.params.add("skin", "print");
  f.params.add("topic", "ignored");
  f.params.add("a b", "c&d");
  std::string out = f.expand("%TOC%\n---+ H\n");
  assert_true(out.find("<a href=\"?skin=print&amp;a%20b=c%26d#H\"> H </a>") != std::string::npos);
}

void test_parse_sections(void**) {
  SectionedText p = parse_sections(
      "a%STARTSECTION{\"x\"}%b%STARTSECTION%c%ENDSECTION%d%STOPSECTION{\"x\"}%e"
      "%STARTSECTION{\"x\"}%dup%ENDSECTION{\"nope\"}%%STARTSECTION{type=\"include\"}%f");
  assert_str(p.text, "abcdedupf");
  assert_int_equal(p.sections.size(), 3);
  assert_str(p.sections[0].name, "x");
  assert_int_equal(p.sections[0].start, 1);
  assert_int_equal(p.sections[0].end, 4);
  assert_str(p.sections[1].name, "_SECTION0");
  assert_int_equal(p.sections[1].start, 2);
  assert_int_equal(p.sections[1].end, 3);
  assert_str(p.sections[2].type, "include");
  assert_int_equal(p.sections[2].start, 8);
  assert_int_equal(p.sections[2].end, 9);  // left open: to the end
  // A tag whose parameters span lines is not a tag.
  assert_str(parse_sections("x%STARTSECTION{\"a\n\"}%y").text, "x%STARTSECTION{\"a\n\"}%y");
}

void test_normalize_web_topic(void**) {
  auto n = [](std::string_view w, std::string_view t) {
    auto [a, b] = incl::normalize_web_topic(w, t, "Main", "WebHome");
    return a + "|" + b;
  };
  assert_str(n("Web", "Topic"), "Web|Topic");
  assert_str(n("Web", "Other.Sub.Topic"), "Other/Sub|Topic");
  assert_str(n("Web", "Other/Topic"), "Other|Topic");
  assert_str(n("Web", "Other."), "Other|WebHome");
  assert_str(n("Web", ".Topic"), "Main|Topic");
  assert_str(n("Web", "A\nB.C"), "Web|A\nB.C");
}

void test_new_topic(void**) {
  Fixture f;
  f.s->prefs.set_session("GREETING", "hello");
  std::string in =
      "%CREATE:GREETING%\n%STARTSECTION{type=\"templateonly\"}%\nKill me\n%ENDSECTION{type=\"templateonly\"}%\n"
      "%GREETING% %GREE%NOP%TING% %NOP{ comment }%\n"
      "%STARTSECTION{\"keep\"}%kept %TOPIC%%ENDSECTION{\"keep\"}%\n"
      "%STARTSECTION{type=\"expandvariables\"}%%TOPIC% %GREETING%%ENDSECTION{type=\"expandvariables\"}%\n";
  assert_str(expand_new_topic(*f.s, in, {"Web", "NewTopic"}),
             "hello\n\n%GREETING% %GREETING% \n"
             "%STARTSECTION{\"keep\"}%kept %TOPIC%%ENDSECTION{\"keep\"}%\n"
             "NewTopic hello\n");
  assert_str(expand_new_topic_value(*f.s, "%CREATE:GREETING% %GREETING%%NOP%", {"Web", "NewTopic"}),
             "hello %GREETING%");
  assert_str(expand_new_topic(*f.s, "%GM%NOP%TIME%", {"Web", "NewTopic"}), "%GMTIME%");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_include_topic_text),
      cmocka_unit_test(test_include_sections),
      cmocka_unit_test(test_include_warnings),
      cmocka_unit_test(test_include_parameters_and_context),
      cmocka_unit_test(test_include_recursion),
      cmocka_unit_test(test_include_access_and_urls),
      cmocka_unit_test(test_include_pattern_rev_offset),
      cmocka_unit_test(test_include_other_web_links),
      cmocka_unit_test(test_toc),
      cmocka_unit_test(test_toc_url_params),
      cmocka_unit_test(test_parse_sections),
      cmocka_unit_test(test_normalize_web_topic),
      cmocka_unit_test(test_new_topic),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

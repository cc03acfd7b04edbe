// The core macros: date tokens, URL forms, request macros, encodings,
// MAKETEXT, settings, revision info, zones (ordering, formats, injection into
// the head) and bad input, over a small site in a temporary directory.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>

#include "http/message.h"
#include "macros/core.h"
#include "macros/expand.h"
#include "macros/registry.h"
#include "macros/session.h"
#include "site/config.h"
#include "store/store.h"
#include "util/escape.h"
#include "util/time.h"
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
  char tmpl[] = "/tmp/cwiki-core-XXXXXX";
  if (!::mkdtemp(tmpl)) return -1;
  g_root = tmpl;
  ::mkdir((g_root + "/pub").c_str(), 0755);
  topic("System", "DefaultPreferences",
        "   * Set WIKITOOLNAME = Foswiki\n   * Set FINALPREFERENCES = WEB, TOPIC\n");
  topic("System", "WebPreferences", "Preferences\n");
  topic("Main", "WebPreferences", "   * Set WEBCOLOUR = blue\n");
  topic("Main", "WikiUsers", "   * ScumBag - scum - 25 Nov 2026\n");
  topic("Web", "WebPreferences", "   * Set WEBCOLOUR = red\n   * Set ONLYWEB = yes\n");
  topic("Web/Sub", "WebPreferences", "   * Set SUBONLY = deep\n");
  topic("Web", "Home", "   * Set TOPICSETTING = here\n   * Local LOCALONE = mine\nhome\n");
  topic("Web", "Secret", "secret\n   * Set ALLOWTOPICVIEW = AdminGroup\n");
  topic("Web", "HeadBits", "<meta name=\"from-topic\" />");
  return 0;
}

int teardown(void**) {
  std::string cmd = "rm -rf '" + g_root + "'";
  return std::system(cmd.c_str()) == 0 ? 0 : -1;
}

// One request for Web.Home.
struct Fixture {
  Config cfg;
  std::unique_ptr<Store> store;
  Params params;
  Request req;
  NullLog log;
  std::unique_ptr<Session> s;
  explicit Fixture(std::vector<std::pair<std::string, std::string>> url_params = {}) {
    register_all_macros();
    cfg.root = g_root;
    cfg.view_url_path = "";
    StoreOptions o;
    o.data_dir = g_root + "/data";
    o.pub_dir = g_root + "/pub";
    o.cache_bytes = 0;
    store = std::make_unique<Store>(o);
    for (auto& [n, v] : url_params) params.add(n, v);
    s = std::make_unique<Session>(cfg, *store, params, log);
    s->base = {"Web", "Home"};
    s->init_prefs();
  }
  std::string expand(std::string_view text, TopicRef where = {"Web", "Home"}) {
    return expand_macros(*s, text, where);
  }
};

// ---- dates ------------------------------------------------------------------

void test_format_time_tokens(void**) {
  const long long t = 1234567890;  // Fri 13 Feb 2009 23:31:30 UTC
  auto f = [&](std::string_view fmt) { return format_time(t, fmt, TimeZone::gmtime); };
  assert_str(f("$seconds $minutes $hours"), "30 31 23");
  assert_str(f("$sec $min $hou $secs $mins"), "30 31 23 30 31");
  assert_str(f("$day $wday $dow $week $we"), "13 Fri 5 7 07");
  assert_str(f("$month $mon $mo $year $yea $ye"), "Feb Feb 02 2009 2009 09");
  assert_str(f("$epoch $tz $isotz"), "1234567890 GMT Z");
  assert_str(f("$iso"), "2009-02-13T23:31:30Z");
  assert_str(f("iso"), "2009-02-13T23:31:30Z");
  assert_str(f("$rcs"), "2009/02/13 23:31:30");
  assert_str(f("$http"), "Fri, 13 Feb 2009 23:31:30 GMT");
  assert_str(f("$email"), "Fri, 13 Feb 2009 23:31:30 GMT");
  assert_str(f(""), "13 Feb 2009 - 23:31");
  assert_str(f("$longdate"), "13 Feb 2009 - 23:31");
  assert_str(format_time(t, "", TimeZone::gmtime, "$year-$mo-$day"), "2009-02-13 - 23:31");
  // Tokens are case-insensitive; unknown ones and lone dollars stay.
  assert_str(f("$YEAR/$Mo $DAY"), "2009/02 13");
  assert_str(f("$ $x $isox costs $5"), "$ $x $isox costs $5");
  // ISO weeks at the turn of the year.
  assert_str(format_time(1230508800, "$year-$mo-$day W$week", TimeZone::gmtime), "2008-12-29 W1");
  assert_str(format_time(1262476800, "$year-$mo-$day W$week", TimeZone::gmtime), "2010-01-03 W53");
  assert_int_equal(iso_week_number(4, 0, 2015), 1);   // Thu 1 Jan 2015
  assert_int_equal(iso_week_number(5, 0, 2010), 53);  // Fri 1 Jan 2010
}

void test_format_time_servertime(void**) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", "XYZ-2", 1);  // two hours east of UTC, no daylight saving
  ::tzset();
  const long long t = 1234567890;
  assert_str(format_time(t, "$hour:$min $tz $isotz", TimeZone::servertime), "01:31 Local +02:00");
  assert_str(format_time(t, "$iso", TimeZone::servertime), "2009-02-14T01:31:30+02:00");
  // A format mentioning http is always in GMT.
  assert_str(format_time(t, "$http", TimeZone::servertime), "Fri, 13 Feb 2009 23:31:30 GMT");
  if (old) ::setenv("TZ", saved.c_str(), 1);
  else ::unsetenv("TZ");
  ::tzset();
  assert_true(parse_time_zone("servertime") == TimeZone::servertime);
  assert_true(parse_time_zone("bogus") == TimeZone::gmtime);
}

void test_date_macros(void**) {
  Fixture f;
  std::string year = f.expand("%GMTIME{\"$year\"}%");
  assert_int_equal(year.size(), 4);
  assert_true(year >= "2024");
  std::string epoch = f.expand("%GMTIME{\"$epoch\"}%");
  long long e = std::atoll(epoch.c_str());
  assert_true(std::llabs(e - static_cast<long long>(std::time(nullptr))) < 5);
  // DATE: {DefaultDateFormat}; GMTIME without a format: $longdate.
  f.cfg.default_date_format = "$year/$mo/$day";
  std::string date = f.expand("%DATE%");
  assert_int_equal(date.size(), 10);
  assert_true(date[4] == '/' && date[7] == '/');
  assert_true(f.expand("%GMTIME%").find(" - ") == 10);
  assert_str(f.expand("%SERVERTIME{\"x\"}%%DISPLAYTIME{\"y\"}%"), "xy");
}

// ---- URLs ----------------------------------------------------------------------

void test_script_urls(void**) {
  Fixture f;
  Session& s = *f.s;
  assert_str(get_script_url(s, false, "view", "Web", "Home"), "/foswiki/bin/view/Web/Home");
  assert_str(get_script_url(s, true, "view", "Web", "Home"), "http://localhost/foswiki/bin/view/Web/Home");
  assert_str(get_script_url(s, false, ""), "/foswiki/bin");
  assert_str(get_script_url(s, false, "edit", "Web"), "/foswiki/bin/edit/Web");
  // A topic without a web goes to the users web; "Web.Topic" wins over web.
  assert_str(get_script_url(s, false, "view", "", "Topic"), "/foswiki/bin/view/Main/Topic");
  assert_str(get_script_url(s, false, "view", "Other", "Web.Sub.Topic"), "/foswiki/bin/view/Web/Sub/Topic");
  // Names and parameters are url-encoded; '#' is the anchor.
  assert_str(get_script_url(s, false, "view", "Web", "Héllo World"),
             "/foswiki/bin/view/Web/H%c3%a9llo%20World");
  assert_str(get_script_url(s, false, "edit", "Web", "T", {{"t", "1 2"}, {"#", "a b"}, {"x&y", "\"q\""}}),
             "/foswiki/bin/edit/Web/T?t=1%202&x%26y=%22q%22#a%20b");
  // {ScriptSuffix} once; {ScriptUrlPaths}; absolute configured paths stay.
  f.cfg.script_suffix = ".pl";
  assert_str(get_script_url(s, false, "view"), "/foswiki/bin/view.pl");
  f.cfg.script_url_paths["view"] = "/wiki";
  assert_str(get_script_url(s, false, "view", "Web", "Home"), "/wiki/Web/Home");
  f.cfg.script_url_paths["rest"] = "https://api.example.com/rest";
  assert_str(get_script_url(s, true, "rest"), "https://api.example.com/rest");
  // Absolute when the session asks for it.
  s.contexts.insert("command_line");
  s.url_host = "https://wiki.example.org";
  assert_str(get_script_url(s, false, "view", "Web", "Home"), "https://wiki.example.org/wiki/Web/Home");
}

void test_pub_urls(void**) {
  Fixture f;
  Session& s = *f.s;
  assert_str(get_pub_url(s, false, ""), "/foswiki/pub");
  assert_str(get_pub_url(s, false, "", "", "a.png"), "/foswiki/pub");  // no web: nothing else
  assert_str(get_pub_url(s, false, "System"), "/foswiki/pub/System");
  assert_str(get_pub_url(s, false, "System", "Topic", "my file.png"), "/foswiki/pub/System/Topic/my%20file.png");
  assert_str(get_pub_url(s, false, "", "System.Topic"), "/foswiki/pub/System/Topic");
  assert_str(get_pub_url(s, true, "Web", "T"), "http://localhost/foswiki/pub/Web/T");
  // The macros.
  assert_str(f.expand("%PUBURLPATH%"), "/foswiki/pub");
  assert_str(f.expand("%PUBURL%"), "http://localhost/foswiki/pub");
  assert_str(f.expand("%PUBURLPATH{\"a.png\" topic=\"System.DocumentGraphics\"}%"),
             "/foswiki/pub/System/DocumentGraphics/a.png");
  assert_str(f.expand("%PUBURLPATH{web=\"System\" topic=\"X\"}%"), "/foswiki/pub/System/X");
  assert_str(f.expand("%ATTACHURLPATH%"), "/foswiki/pub/Web/Home");
  assert_str(f.expand("%ATTACHURL{\"f.txt\"}%"), "http://localhost/foswiki/pub/Web/Home/f.txt");
  assert_str(f.expand("%ATTACHURLPATH%", {"Web/Sub", "Page"}), "/foswiki/pub/Web/Sub/Page");
}

void test_scripturl_macro(void**) {
  Fixture f;
  assert_str(f.expand("%SCRIPTURLPATH{\"view\" web=\"Sandbox\"}%"), "/foswiki/bin/view/Sandbox");
  assert_str(f.expand("%SCRIPTURLPATH{\"view\" topic=\"Sandbox.TestTopic\" rev=\"2\"}%"),
             "/foswiki/bin/view/Sandbox/TestTopic?rev=2");
  assert_str(f.expand("%SCRIPTURLPATH{\"view\" topic=\"TestTopic\" web=\"Sandbox\"}%"),
             "/foswiki/bin/view/Sandbox/TestTopic");
  assert_str(f.expand("%SCRIPTURLPATH{\"view\" topic=\"A.B\" web=\"Sandbox\"}%"),
             "/foswiki/bin/view/A/B?web=Sandbox");
  assert_str(f.expand("%SCRIPTURL{\"view\"}%"), "http://localhost/foswiki/bin/view");
  assert_str(f.expand("%SCRIPTURLPATH{\"rest\" subject=\"CommentPlugin\" verb=\"comment\"}%"),
             "/foswiki/bin/rest/CommentPlugin/comment");
  assert_str(f.expand("%SCRIPTURLPATH{\"rest\" subject=\"P\" verb=\"v\" topic=\"Web.T\"}%"),
             "/foswiki/bin/rest/P/v?topic=Web.T");
  assert_str(f.expand("%SCRIPTURLPATH{\"rest\" verb=\"v\" x=\"1\"}%"),
             "<div class='foswikiAlert'>rest requires both 'subject' and 'verb' parameters if other "
             "parameters are supplied.</div>");
  assert_str(f.expand("%SCRIPTURLPATH{\"jsonrpc\" namespace=\"Configure\"}%"), "/foswiki/bin/jsonrpc/Configure");
  assert_str(f.expand("%SCRIPTURLPATH{\"jsonrpc\" method=\"m\" x=\"1\"}%"),
             "<div class='foswikiAlert'>jsonrpc requires the 'namespace' parameter if other parameters "
             "are supplied.</div>");
  f.s->action = "viewauth";
  assert_str(f.expand("%SCRIPTNAME%"), "viewauth");
}

// ---- the request -------------------------------------------------------------

void test_request_macros(void**) {
  Fixture f({{"a", "1"}, {"b", "x/y'z"}});
  assert_str(f.expand("[%HTTP_HOST%][%REMOTE_ADDR%][%REMOTE_USER%][%REMOTE_PORT%][%HTTPS%]"), "[][][][][]");
  assert_str(f.expand("[%ENV{\"HTTP_USER_AGENT\"}%]"), "[not set]");
  f.req.headers = {{"host", "wiki.example.org"}, {"user-agent", "Tester/1.0"}, {"cookie", "secret=1"},
                   {"accept-language", "de"}};
  f.req.remote_user = "scum";
  f.req.method = "POST";
  f.s->request = &f.req;
  f.s->remote_addr = "192.0.2.7";
  f.s->secure = true;
  f.s->query_string = "a=1;b=x/y'z";
  assert_str(f.expand("%HTTP_HOST% %REMOTE_ADDR% %REMOTE_USER% %HTTPS%"), "wiki.example.org 192.0.2.7 scum 1");
  // Only the headers {AccessibleHeaders} names, in any spelling.
  assert_str(f.expand("[%HTTP{\"User-Agent\"}%][%HTTP{\"HTTP_USER_AGENT\"}%][%HTTP{\"accept_language\"}%]"),
             "[Tester/1.0][Tester/1.0][de]");
  assert_str(f.expand("[%HTTP{\"Cookie\"}%][%HTTP%][%HTTPS{\"Cookie\"}%]"), "[][][]");
  // ENV: only names {AccessibleENV} allows; headers through HTTP_*.
  assert_str(f.expand("[%ENV{\"HTTP_COOKIE\"}%][%ENV{\"REQUEST_METHOD\"}%][%ENV{\"REMOTE_ADDR\"}%]"),
             "[secret=1][POST][192.0.2.7]");
  assert_str(f.expand("[%ENV{\"PATH\"}%][%ENV{\"HOME\"}%][%ENV%][%ENV{\"MOD_PERL\"}%]"), "[][][][not set]");
  f.cfg.accessible_env = "(";  // a broken pattern shows nothing
  assert_str(f.expand("[%ENV{\"REMOTE_ADDR\"}%]"), "[]");
  // QUERYSTRING: ' and / are encoded on top of what the client sent.
  assert_str(f.expand("%QUERYSTRING%"), "a=1;b=x%2fy%27z");
  assert_str(f.expand("%QUERYPARAMS{format=\"$name:$value\" separator=\",\"}%"), "a:1,b:x/y&#39;z");
}

void test_urlparam(void**) {
  Fixture f({{"p", "%URLPARAM{\"q\"}%"}, {"q", "secret"}, {"n", "a\r\nb\nc"}, {"m", "x"}, {"m", "y"}});
  // A value cannot call URLPARAM again.
  assert_str(f.expand("%URLPARAM{\"p\" encode=\"none\"}%"), "%<nop>URLPARAM{\"q\"}%");
  assert_str(f.expand("%URLPARAM{\"n\" newline=\"|\" encode=\"none\"}%"), "a|b|c");
  assert_str(f.expand("%URLPARAM{\"missing\" default=\"d\" encode=\"url\"}%"), "d");
  assert_str(f.expand("%URLPARAM{\"m\"}%"), "x");
  assert_str(f.expand("%URLPARAM{\"m\" multiple=\"[$item]\" separator=\"+\"}%"), "[x]+[y]");
  assert_str(f.expand("%URLPARAM{\"m\" multiple=\"pre-\" separator=\"\"}%"), "pre-xpre-y");
  assert_str(f.expand("%URLPARAM{\"nothing\" multiple=\"on\" default=\"none\"}%"), "none");
  assert_str(f.expand("[%URLPARAM{}%][%URLPARAM%]"), "[][]");
}

// ---- encodings, words, MAKETEXT -------------------------------------------------

void test_encodings(void**) {
  assert_str(foswiki_url_encode("a b/c:d~e!f*g'h\"é"), "a%20b/c:d~e!f*g%27h%22%c3%a9");
  assert_str(entity_encode("<a href='x'>[[$*_|@=%]]\n\r\t"),
             "&#60;a href&#61;&#39;x&#39;&#62;&#91;&#91;&#36;&#42;&#95;&#124;&#64;&#61;&#37;&#93;&#93;\n\r&#9;");
  assert_str(entity_encode("ab", "b"), "a&#98;");
  assert_str(encode_as("\"<x>'%&\n", "safe"), "&#34;&#60;x&#62;&#39;&#37;&\n");
  assert_str(encode_as("\"<x>\n", "HTML"), "&#34;&#60;x&#62;&#10;");
  assert_str(encode_as("say \"hi\"", "quotes"), "say \\\"hi\\\"");
  assert_str(encode_as("<&>", "None"), "<&>");
  assert_str(encode_as("<&>", "nonsense"), "&#60;&&#62;");
  Fixture f;
  assert_str(f.expand("%ENCODE{\"a b\"}%|%URLENCODE{\"a b\"}%|%INTURLENCODE{\"a b\"}%"), "a%20b|a%20b|a b");
  assert_str(f.expand("%ENCODE{\"A\" old=\"A,B\" new=\"B,C\"}%|%ENCODE{\"asdf\" old=\"a,asdf\" new=\"a,2\"}%"),
             "B|asdf");
  assert_str(f.expand("%ENCODE{\"1,2\" old=\"$comma\" new=\";\"}%"), "1;2");
  // More than ten tokens: Foswiki marks token 10 as the characters 1 and 0,
  // which the replacements of tokens 0 and 1 then take apart.
  assert_str(f.expand("%ENCODE{\"abcdefghijkl\" old=\"a,b,c,d,e,f,g,h,i,j,k,l\" "
                      "new=\"A,B,C,D,E,F,G,H,I,J,K,L\"}%"),
             "ABCDEFGHIJBABB");
  assert_true(f.expand("%ENCODE{\"x\" old=\"a,a\" new=\"b,c\"}%").find("token 'a' is repeated") !=
              std::string::npos);
  assert_true(f.expand("%ENCODE{\"x\" old=\"a\" type=\"url\"}%").find("cannot be used alongside") !=
              std::string::npos);
}

void test_spaceout(void**) {
  assert_str(space_out_wiki_word("WebHome"), "Web Home");
  assert_str(space_out_wiki_word("ABCDefGh"), "ABC Def Gh");
  assert_str(space_out_wiki_word("Item42Fix"), "Item 42 Fix");
  assert_str(space_out_wiki_word("A1B"), "A 1 B");
  assert_str(space_out_wiki_word("ÉtéÀParis", "_"), "Été_À_Paris");
  assert_str(space_out_wiki_word("lower"), "lower");
  assert_str(space_out_wiki_word(""), "");
  assert_str(space_out_wiki_word(std::string("\xff\xfe" "AbCd", 6)), std::string("\xff\xfe" "Ab Cd", 7));
  Fixture f;
  assert_str(f.expand("%SPACEOUT{\"MyTopicName\" separator=\"-\"}%"), "My-Topic-Name");
  assert_str(f.expand("%SPACEDTOPIC%", {"Web", "WebHomePage"}), "Web%20*Home%20*Page");
}

void test_maketext(void**) {
  assert_str(maketext("plain", {}), "plain");
  assert_str(maketext("[_1] and [_2]", {"x", "y"}), "x and y");
  assert_str(maketext("[*,_1,file]", {"1"}), "1 file");
  assert_str(maketext("[*,_1,file]", {"3"}), "3 files");
  assert_str(maketext("[quant,_1,child,children]", {"2"}), "2 children");
  assert_str(maketext("[quant,_1,child,children,no children]", {"0"}), "no children");
  assert_str(maketext("[*,_1,byte]", {"1234567"}), "1,234,567 bytes");
  assert_str(maketext("[#,_1]", {"-1000"}), "-1,000");
  assert_str(maketext("~[x~] ~~ ~, a~b", {}), "[x] ~ ~, a~b");
  assert_str(maketext("_hidden", {}), "<span class=\"foswikiAlert\">Error: MAKETEXT arguments can't start "
                                      "with an underscore (\"_\").</span>");
  // Broken strings give an alert instead of failing.
  assert_true(maketext("[unbalanced", {}).find("foswikiAlert") != std::string::npos);
  assert_true(maketext("a]", {}).find("foswikiAlert") != std::string::npos);
  assert_true(maketext("[system,rm]", {}).find("foswikiAlert") != std::string::npos);
  Fixture f;
  assert_str(f.expand("%MAKETEXT{\"[_1] has [*,_2,topic]\" args=\"Web, 1\"}%"), "Web has 1 topic");
  assert_str(f.expand("%MAKETEXT{\"&Edit &&More\"}%"), "<span class='foswikiAccessKey'>E</span>dit &More");
  assert_str(f.expand("%MAKETEXT{\"[_99999999999999999999]\"}%"),
             "<span class=\"foswikiAlert\">Excessive parameter number 1000000000, MAKETEXT rejected.</span>");
  assert_str(f.expand("%MAKETEXT{\"a [b] c\"}%"), "a [b] c");
  assert_str(f.expand("[%MAKETEXT{}%][%MAKETEXT{\"\"}%]"), "[][]");
  f.cfg.languages = {"de", "xx"};
  assert_str(f.expand("%LANGUAGES{format=\"$langtag\" separator=\",\"}%"), "de,en");
  assert_str(f.expand("%LANGUAGE%"), "en");
}

// ---- settings and constants ---------------------------------------------------

void test_settings(void**) {
  Fixture f;
  assert_str(f.expand("%SET{\"X\" value=\"1\"}%[%X%]"), "[1]");
  assert_str(f.expand("%SET{name=\"Y\" value=\"2\"}%[%Y%]"), "[2]");
  assert_str(f.expand("%SET{\"TOPIC\" value=\"no\"}%%TOPIC%"), "Home");  // final and internal
  assert_str(f.expand("[%SET{}%]"), "[]");
  // VAR: the web's own settings only.
  assert_str(f.expand("%VAR{\"WEBCOLOUR\"}% %VAR{\"WEBCOLOUR\" web=\"Main\"}% [%VAR{\"WIKITOOLNAME\"}%]"),
             "red blue []");
  assert_str(f.expand("%VAR{\"SUBONLY\" web=\"Web.Sub\"}% %VAR{\"ONLYWEB\" web=\"Web/Sub\"}%"), "deep yes");
  assert_str(f.expand("[%VAR{\"TOPICSETTING\"}%][%VAR{\"LOCALONE\"}%][%VAR%]"), "[][][]");
  // NOP
  assert_str(f.expand("%NOP%|%NOP{}%|%NOP{ x }%|%NOP{0}%"), "<nop>|<nop>| x |<nop>");
  // SHOWPREFERENCE
  assert_str(f.expand("%SHOWPREFERENCE{\"WEBCOLOUR\"}%"),
             "   * Set WEBCOLOUR = \"red\"\n      * WEBCOLOUR was defined in <nop>Web.WebPreferences\n");
  assert_str(f.expand("%SHOWPREFERENCE{\"TOPIC\"}%"),
             "   * Set TOPIC = \"Home\"\n");
  assert_str(f.expand("%SHOWPREFERENCE{\"LOCALONE, NOPE\"}%"),
             "   * Set LOCALONE = \"mine\"\n   * Local LOCALONE = \"mine\"\n   * Set NOPE = \"\"\n");
  std::string all = f.expand("%ALLVARIABLES%");
  assert_true(all.find("   * Set WIKITOOLNAME = \"Foswiki\"\n      * WIKITOOLNAME was defined in "
                       "<nop>System.DefaultPreferences") != std::string::npos);
  assert_true(all.find("FINALPREFERENCES was defined") != std::string::npos);
}

void test_constants(void**) {
  Fixture f;
  assert_str(f.expand("%HOMETOPIC% %WEBPREFSTOPIC% %WIKIPREFSTOPIC% %WIKIUSERSTOPIC% %NOTIFYTOPIC% "
                      "%STATISTICSTOPIC%"),
             "WebHome WebPreferences DefaultPreferences WikiUsers WebNotify WebStatistics");
  assert_str(f.expand("%SYSTEMWEB% %TWIKIWEB% %USERSWEB% %MAINWEB% %SANDBOXWEB% %TRASHWEB%"),
             "System System Main Main Sandbox Trash");
  assert_str(f.expand("%NOFOLLOW% %CHARSET% %LANG% %ALLOWLOGINNAME% %WIKIADMINLOGIN% [%SCRIPTSUFFIX%]"),
             "rel=nofollow utf-8 en 0 admin []");
  f.cfg.web_master_email = "webmaster@example.org";
  f.cfg.site_locale = "de_AT.utf-8";
  assert_str(f.expand("%WIKIWEBMASTER% %WIKIAGENTEMAIL% %WIKIWEBMASTERNAME% %LANG%"),
             "webmaster@example.org webmaster@example.org Wiki Administrator de-AT");
  // A preference of the same name wins over the configuration.
  assert_str(f.expand("%SET{\"WIKIWEBMASTER\" value=\"me@example.org\"}%%WIKIWEBMASTER%"), "me@example.org");
  assert_str(f.expand("%WIKIVERSION%").substr(0, 2), "v2");
  assert_str(f.expand("%PLUGINVERSION% [%PLUGINVERSION{\"NoSuchPlugin\"}%]"), "2.4 []");
}

// ---- revisions ------------------------------------------------------------------

void test_revinfo(void**) {
  Fixture f(std::vector<std::pair<std::string, std::string>>{{"rev", "1.2"}});
  SaveOptions so;
  so.author = "scum";
  so.force_new_revision = true;
  so.forcedate = 1234567890;
  TopicDoc d;
  d.text = "one";
  f.store->save("Web", "Revved", d, so);
  so.forcedate = 1234567900;
  d.text = "two";
  f.store->save("Web", "Revved", d, so);
  TopicRef t{"Web", "Revved"};
  assert_str(f.expand("%REVINFO{\"$rev $date $time $epoch\" rev=\"1\"}%", t),
             "1 13 Feb 2009 23:31:30 1234567890");
  assert_str(f.expand("%REVINFO{\"$rev $iso $rcs $http $year$mo$day $web.$topic\"}%", t),
             "2 2009-02-13T23:31:40Z 2009/02/13 23:31:40 Fri, 13 Feb 2009 23:31:40 GMT 20090213 Web.Revved");
  assert_str(f.expand("%REVINFO{\"$username $wikiname $wikiusername\"}%", t), "scum ScumBag Main.ScumBag");
  assert_str(f.expand("%REVINFO{\"$topic(3)\"}%", t), "Rev- ved");
  assert_str(f.expand("%REVINFO{\"no tokens $here\"}%", t), "no tokens $here");
  assert_str(f.expand("%REVINFO{\"$rev$comma$quot\" topic=\"Web.Revved\"}%"), "2,\"");
  assert_str(f.expand("%REVINFO%", t), "r2 - 13 Feb 2009 - 23:31:40 - Main.ScumBag");
  // REVTITLE / REVARG from the rev URL parameter.
  assert_str(f.expand("%REVTITLE% %REVARG%"), "(r2) &rev=2");
  // Access rules apply to other topics.
  assert_str(f.expand("%REVINFO{\"$rev\" topic=\"Secret\"}%"),
             "<span class='foswikiAlert'>\n      No permission to view Web \n</span>");
  assert_int_equal(clean_up_rev_id("3"), 3);
  assert_int_equal(clean_up_rev_id("1.7"), 7);
  assert_int_equal(clean_up_rev_id("r3"), 0);
  assert_int_equal(clean_up_rev_id(""), 0);
  assert_int_equal(clean_up_rev_id("99999999999999999"), 1000000000);
}

// ---- zones ----------------------------------------------------------------------

void test_zone_ordering(void**) {
  Fixture f;
  f.expand("%ADDTOZONE{\"body\" id=\"c\" text=\"C\" requires=\"b\"}%"
           "%ADDTOZONE{\"body\" id=\"b\" text=\"B\" requires=\"a, missing\"}%"
           "%ADDTOZONE{\"body\" id=\"a\" text=\"A\"}%"
           "%ADDTOZONE{\"body\" id=\"0z\" text=\"Z\"}%");
  std::string page = f.expand("<body>%RENDERZONE{\"body\" format=\"$id=$item$missing\" separator=\",\" "
                              "header=\"[\" footer=\"]\"}%</body>");
  assert_str(render_zones(*f.s, page),
             "<body>[0z=Z0z,a=Aa,b=Bb: requires= missing ids: missing,c=Cc]</body>");
  // A zone renders once.
  f.expand("%ADDTOZONE{\"z\" id=\"x\" text=\"X\"}%");
  page = f.expand("%RENDERZONE{\"z\" format=\"$item\"}%|%RENDERZONE{zone=\"z\" format=\"$item\"}%|"
                  "%RENDERZONE{\"nozone\"}%");
  assert_str(render_zones(*f.s, page), "X||");
  // The same id again replaces the text; the default format marks each id.
  f.expand("%ADDTOZONE{\"z\" id=\"x\" text=\"one\"}%%ADDTOZONE{\"z\" id=\"x\" text=\" two \"}%");
  assert_str(render_zones(*f.s, f.expand("%RENDERZONE{\"z\"}%")), "two<!--<literal>x</literal>-->");
}

void test_zone_head_and_script(void**) {
  Fixture f;
  f.expand("%ADDTOZONE{\"script\" id=\"JQ\" text=\"<script src='jq.js'></script>\"}%"
           "%ADDTOZONE{\"script\" id=\"Mine\" requires=\"JQ\" text=\"<script class='own'>x()</script>\"}%"
           "%ADDTOHEAD{\"css\" text=\"<link rel='stylesheet' href='%WEB%.css' /><nop>\"}%"
           "%ADDTOZONE{\"head, body\" id=\"both\" text=\"<style media='all'>p{}</style>\"}%"
           "%ADDTOHEAD{\"fromtopic\" topic=\"HeadBits\"}%"
           "%ADDTOZONE{\"head\" id=\"inc\" topic=\"Web.HeadBits\"}%");
  std::string html = "<html><HEAD><title>t</title></HEAD><body>\n" +
                     f.expand("%RENDERZONE{\"body\"}%") + "</body></html>\n";
  std::string out = render_zones(*f.s, html);
  assert_str(out,
             "<html><HEAD><title>t</title>"
             "<style class='head both' media='all'>p{}</style><!--both-->\n"
             "<link class='head css' rel='stylesheet' href='Web.css' /><!--css-->\n"
             "<meta name=\"from-topic\" /><!--fromtopic-->\n"
             "<meta name=\"from-topic\" /><!--inc-->\n"
             "<script class='script JQ' src='jq.js'></script><!--JQ-->\n"
             "<script class='own'>x()</script><!--Mine-->\n"
             "</HEAD><body>\n"
             "<style class='body both' media='all'>p{}</style><!--<literal>both</literal>--></body></html>");
  // No </head>: the zones are dropped, the page stays.
  Fixture g;
  g.expand("%ADDTOZONE{\"head\" text=\"x\"}%");
  assert_str(render_zones(*g.s, "plain\n\n"), "plain\n");
}

void test_zone_render_callback_and_limits(void**) {
  Fixture f;
  f.expand("%ADDTOZONE{\"side\" id=\"s\" text=\"*bold*\"}%");
  std::string page = f.expand("%RENDERZONE{\"side\" format=\"$item\"}%");
  std::string out = render_zones(*f.s, page, [](std::string_view tml, const TopicRef& t) {
    return "<" + t.web + "." + t.topic + ">" + std::string(tml);
  });
  assert_str(out, "<Web.Home>*bold*");
  // A long chain of requires, and ids without text, cost no recursion.
  std::string calls;
  for (int i = 0; i < 20000; ++i)
    add_to_zone(*f.s, "long", "n" + std::to_string(i), "x", i ? "n" + std::to_string(i - 1) : "");
  add_to_zone(*f.s, "long", "", "auto", "");
  out = render_zones(*f.s, f.expand("%RENDERZONE{\"long\" format=\"$item\" separator=\"\"}%"));
  assert_int_equal(out.size(), 20000 + 4);
  // Markers that were not made by RENDERZONE are left alone.
  std::string odd = std::string("a\x03RENDERZONE{99}\x03 b \x03RENDERZONE{x");
  assert_str(render_zones(*f.s, odd), std::string("a b \x03RENDERZONE{x"));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_time_tokens),
      cmocka_unit_test(test_format_time_servertime),
      cmocka_unit_test(test_date_macros),
      cmocka_unit_test(test_script_urls),
      cmocka_unit_test(test_pub_urls),
      cmocka_unit_test(test_scripturl_macro),
      cmocka_unit_test(test_request_macros),
      cmocka_unit_test(test_urlparam),
      cmocka_unit_test(test_encodings),
      cmocka_unit_test(test_spaceout),
      cmocka_unit_test(test_maketext),
      cmocka_unit_test(test_settings),
      cmocka_unit_test(test_constants),
      cmocka_unit_test(test_revinfo),
      cmocka_unit_test(test_zone_ordering),
      cmocka_unit_test(test_zone_head_and_script),
      cmocka_unit_test(test_zone_render_callback_and_limits),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

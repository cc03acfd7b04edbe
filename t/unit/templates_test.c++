// The skin template language: finding templates along the skin path and the
// template path, TMPL:DEF / TMPL:P / TMPL:INCLUDE / TMPL:PREV, comments, the
// view's choice of template, the project's own skin, and Foswiki's stock
// templates (PatternSkin) when ../shared is there.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <vector>

#include "macros/expand.h"
#include "macros/registry.h"
#include "macros/session.h"
#include "store/fs.h"
#include "store/store.h"
#include "tmpl/templates.h"
#include "unit.h"  // last: cmocka's macros clash with standard headers

using namespace cwiki;

namespace {

std::string g_root;  // a fresh site per test: data/, templates/, share/

void put(const std::string& rel, const std::string& content) {
  std::string path = g_root + "/" + rel;
  for (size_t i = g_root.size() + 1; i < path.size(); ++i)
    if (path[i] == '/') ::mkdir(path.substr(0, i).c_str(), 0755);
  std::ofstream(path, std::ios::binary) << content;
}

// A template file of the site (templates/NAME.tmpl); its content defaults to its name.
void tmpl(const std::string& name, const std::string& content = "") {
  put("templates/" + name + ".tmpl", content.empty() ? name : content);
}

// A topic; its text defaults to "Web/Topic".
void topic(const std::string& web, const std::string& name, const std::string& text = "") {
  if (::access((g_root + "/data/" + web + "/WebPreferences.txt").c_str(), F_OK) != 0)
    put("data/" + web + "/WebPreferences.txt", "");
  put("data/" + web + "/" + name + ".txt", text.empty() ? web + "/" + name : text);
}

void age(const std::string& rel, long long seconds_ago) {
  posix_fs().set_mtime(g_root + "/" + rel, now_ns() / 1000000000LL - seconds_ago);
}

int setup(void**) {
  char dir[] = "/tmp/cwiki-tmpl-XXXXXX";
  if (!::mkdtemp(dir)) return -1;
  g_root = dir;
  put("data/Main/WebPreferences.txt", "");
  put("data/System/WebPreferences.txt", "");
  put("templates/.keep", "");
  return 0;
}

int teardown(void**) {
  std::string cmd = "rm -rf '" + g_root + "'";
  return std::system(cmd.c_str()) == 0 ? 0 : -1;
}

using Url = std::vector<std::pair<std::string, std::string>>;

// A request on the fixture site.
struct Req {
  Config cfg;
  std::unique_ptr<Store> store;
  Params params;
  NullLog log;
  std::unique_ptr<Session> s;

  explicit Req(const Url& url = {}) {
    cfg.root = g_root;
    cfg.skin_dir = g_root + "/share";
    StoreOptions so;
    so.data_dir = cfg.data();
    so.pub_dir = cfg.pub();
    store = std::make_unique<Store>(so);
    for (auto& [k, v] : url) params.add(k, v);
    s = std::make_unique<Session>(cfg, *store, params, log);
    s->base = {"Main", "WebHome"};
    s->prefs.push_session_level();
  }
  Templates& t() { return templates_of(*s); }
  std::string read(std::string_view name, std::string_view skins = {},
                   std::string_view web = {}) {
    auto r = t().read(name, skins, web);
    return r ? *r : std::string("<none>");
  }
};

bool has(const std::string& s, std::string_view what) { return s.find(what) != std::string::npos; }

std::string shared_dir() {
  const char* env = std::getenv("CWIKI_SHARED");
  std::string d = env && *env ? env : "../shared";
  struct stat st;
  if (::stat((d + "/foswiki/templates").c_str(), &st) != 0) return "";
  return d + "/foswiki";
}

}  // namespace

// ---- finding templates ------------------------------------------------------

static void lookup_plain_and_web(void**) {
  tmpl("page", "the page");
  {
    Req r;
    assert_str(r.read("page"), "the page");
    assert_str(r.read("page", "myskin"), "the page");
    assert_str(r.read("page", "myskin", "elsewhere"), "the page");
    assert_str(r.read("nosuch"), "<none>");
  }
  tmpl("page.myskin");
  tmpl("web/page");
  tmpl("web/page.myskin");
  Req r;
  assert_str(r.read("page"), "the page");
  assert_str(r.read("page", "myskin"), "page.myskin");
  assert_str(r.read("page", {}, "web"), "web/page");
  assert_str(r.read("page", "myskin", "web"), "web/page.myskin");
}

static void lookup_skin_order(void**) {
  tmpl("page");
  tmpl("list");
  tmpl("page.red");
  tmpl("page.blue");
  tmpl("list.blue");
  Req r;
  assert_str(r.read("page", "red"), "page.red");
  assert_str(r.read("page", "blue,red"), "page.blue");
  assert_str(r.read("page", "red,blue"), "page.red");
  // any skinned file comes before any plain one
  assert_str(r.read("list", "red,blue"), "list.blue");
  assert_str(r.read("list", "red"), "list");
  assert_str(r.read("list", ", ,, red,,  ,other,,"), "list");
}

static void lookup_include_takes_the_next_one(void**) {
  tmpl("box", "plain box");
  tmpl("box.base", "base box");
  tmpl("box.extra", "extra [%TMPL:INCLUDE{\"box\"}%]");
  tmpl("other.solo", "solo");
  Req r;
  assert_str(r.read("box", "extra,base"), "extra [base box]");
  assert_str(r.read("box", "extra"), "extra [plain box]");
  assert_str(r.read("other", "nothing", {}), "<none>");
  // an include of something missing is empty
  tmpl("holey", "a%TMPL:INCLUDE{\"missing\"}%b");
  assert_str(r.read("holey"), "ab");
}

static void lookup_dotted_names(void**) {
  tmpl("view.plain", "the view.plain file");
  tmpl("view.plainer.plain", "the view.plainer.plain file");
  Req r;
  assert_str(r.read("view.plain"), "the view.plain file");
  assert_str(r.read("view.plain", "pattern"), "the view.plain file");
  assert_str(r.read("view.plainer", "plain"), "the view.plainer.plain file");
  assert_str(r.read("view", "plainer.plain"), "the view.plainer.plain file");
  // "name.tmpl" is that file, and only from the template directories
  tmpl("explicit", "by file name");
  assert_str(r.read("explicit.tmpl", "whatever"), "by file name");
  assert_str(r.read("../templates/explicit.tmpl"), "<none>");
}

static void lookup_topics(void**) {
  topic("System", "FormTemplate");
  assert_str(Req().read("form"), "System/FormTemplate");
  assert_str(Req().read("form", "fancy", "Main"), "System/FormTemplate");
  topic("System", "FancySkinFormTemplate");
  assert_str(Req().read("form"), "System/FormTemplate");
  assert_str(Req().read("form", "fancy"), "System/FancySkinFormTemplate");
  topic("Main", "FormTemplate");
  assert_str(Req().read("form"), "Main/FormTemplate");
  assert_str(Req().read("form", "fancy"), "System/FancySkinFormTemplate");
  topic("Main", "FancySkinFormTemplate");
  assert_str(Req().read("form", "fancy"), "Main/FancySkinFormTemplate");
  // template files are looked at before the topics of the same rank
  tmpl("form.fancy", "fancy file");
  assert_str(Req().read("form", "fancy"), "fancy file");
  // the base web decides which web's topics count
  put("data/Other/WebPreferences.txt", "");
  assert_str(Req().read("form", {}, "Other"), "System/FormTemplate");
}

static void lookup_web_topic_names(void**) {
  topic("Main", "CardTemplate", "Main.CardTemplate");
  assert_str(Req().read("main.card", "blue"), "Main.CardTemplate");
  topic("Main", "BlueSkinCardTemplate", "blue card topic");
  assert_str(Req().read("main.card", "blue"), "blue card topic");
  tmpl("main.card.blue", "blue card file");
  assert_str(Req().read("main.card", "blue"), "blue card file");
  // an existing Web.Topic is taken as it is
  topic("Main", "Card", "the card itself");
  assert_str(Req().read("main.card", "blue"), "the card itself");
  assert_str(Req().read("Main.Card"), "the card itself");
}

static void lookup_topic_access(void**) {
  topic("System", "SecretTemplate", "system secret");
  topic("Main", "SecretTemplate", "hidden\n   * Set DENYTOPICVIEW = WikiGuest\n");
  // a topic the reader may not view is passed over
  assert_str(Req().read("secret"), "system secret");
  // named directly, it gives an inline alert
  topic("Main", "Locked", "no\n   * Set DENYTOPICVIEW = WikiGuest\n");
  std::string s = Req().read("Main.Locked");
  assert_true(has(s, "foswikiAlert"));
  assert_true(has(s, "Main.Locked"));
  assert_false(has(s, "no\n"));
}

static void lookup_project_skin_dir(void**) {
  put("share/sheet.tmpl", "project sheet");
  put("share/sheet.mine.tmpl", "project mine");
  assert_str(Req().read("sheet"), "project sheet");
  assert_str(Req().read("sheet", "mine"), "project mine");
  // the site's templates come first at the same rank
  tmpl("sheet", "site sheet");
  assert_str(Req().read("sheet"), "site sheet");
  assert_str(Req().read("sheet", "mine"), "project mine");
  tmpl("sheet.mine", "site mine");
  assert_str(Req().read("sheet", "mine"), "site mine");
  // and without a project directory, only the site's
  Req plain;
  plain.cfg.skin_dir.clear();
  assert_str(plain.read("sheet", "other"), "site sheet");
}

static void skin_path_sources(void**) {
  {
    Req r;
    r.s->prefs.set_session("SKIN", "natedit, pattern");
    assert_str(skin_path(*r.s), "natedit,pattern");
  }
  {
    Req r(Url{{"skin", "text"}});
    r.s->prefs.set_session("SKIN", "pattern");
    assert_str(skin_path(*r.s), "text");
  }
  {
    Req r(Url{{"skin", ""}, {"cover", "print"}});
    r.s->prefs.set_session("SKIN", "pattern");
    r.s->prefs.set_session("COVER", "a b");
    assert_str(skin_path(*r.s), "print,a,b,pattern");
  }
  {
    // only letters, digits, '.', ',' and spaces are taken
    Req r(Url{{"skin", "<script>x"}});
    assert_str(skin_path(*r.s), "script");
    Req none;
    assert_str(skin_path(*none.s), "");
  }
  // read() uses the skin path when none is given
  tmpl("page");
  tmpl("page.dark", "dark page");
  Req r(Url{{"skin", "dark"}});
  assert_str(r.read("page"), "dark page");
}

// ---- the language -----------------------------------------------------------

static void def_and_p(void**) {
  tmpl("doc",
       "%TMPL:DEF{\"greet\"}%Hello %who%!%TMPL:END%\n"
       "%TMPL:DEF{\"frame\" side=\"left\"}%[%side%:%TMPL:P{\"greet\" who=\"%side%\"}%]%TMPL:END%\n"
       "%TMPL:DEF{\"dyn\" label=\"%kind% item\"}%<%label%>%TMPL:END%\n"
       "A %TMPL:P{\"greet\" who=\"world\"}% B %TMPL:P{\"frame\"}% C %TMPL:P{\"frame\" side=\"right\"}%"
       " D %TMPL:P{\"dyn\" kind=\"red\"}% E %TMPL:P{\"dyn\"}% F %TMPL:P{\"nosuch\"}% G %TMPL:P{\"greet\"}%");
  Req r;
  assert_str(r.read("doc"),
             "A Hello world! B [left:Hello left!] C [right:Hello right!] D <red item> E < item> F  G "
             "Hello %who%!");
  assert_true(r.t().have("greet"));
  assert_false(r.t().have("nosuch"));
  assert_str(r.t().expand("\"greet\" who=\"you\""), "Hello you!");
  assert_str(expand_template(*r.s, "sep"), " | ");
  // only the definitions
  tmpl("blocks", "%TMPL:DEF{\"b\"}%B%who%%TMPL:END%top %TMPL:P{\"b\"}%");
  assert_true(r.t().define("blocks"));
  assert_str(r.t().expand("\"b\" who=\"!\""), "B!");
  assert_false(r.t().define("no-such-blocks"));
}

static void defaults_with_includes(void**) {
  tmpl("words", "\n%TMPL:DEF{\"Ask\"}%Is it?%TMPL:END%\n"
                "%TMPL:DEF{\"Yes\" mark=\"?\"}%Yes%mark%%TMPL:END%\n"
                "%TMPL:DEF{\"No\"}%No%mark%%TMPL:END%\n"
                "%TMPL:DEF{\"Maybe\" mark=\"\"}%Maybe%mark%%TMPL:END%\n");
  tmpl("words.welsh", "\n%TMPL:DEF{\"Ask\"}%Ydy e?%TMPL:END%\n"
                      "%TMPL:DEF{\"Yes\" mark=\"?\"}%Ydy%mark%%TMPL:END%\n"
                      "%TMPL:DEF{\"No\"}%Nac ydy%mark%%TMPL:END%\n"
                      "%TMPL:DEF{\"Maybe\" mark=\"\"}%Efallai%mark%%TMPL:END%\n");
  tmpl("base", "%TMPL:INCLUDE{\"words\"}%BASE ");
  tmpl("form", "%TMPL:INCLUDE{\"base\"}%%TMPL:P{\"Ask\"}%\n"
               "<b>%TMPL:P{\"No\" mark=\"!\"}%</b>\n<b>%TMPL:P{\"Yes\"}%</b>\n<b>%TMPL:P{\"Maybe\"}%</b>\n");
  Req r;
  assert_str(r.read("form", "base"), "\nBASE Is it?\n<b>No!</b>\n<b>Yes?</b>\n<b>Maybe</b>\n");
  Req w;
  assert_str(w.read("form", "welsh,base"),
             "\nBASE Ydy e?\n<b>Nac ydy!</b>\n<b>Ydy?</b>\n<b>Efallai</b>\n");
}

static void prev_definitions(void**) {
  tmpl("frame", "%TMPL:DEF{\"bar\"}%%TMPL:END%\n%TMPL:DEF{\"win\"}%%TMPL:END%\n%TMPL:P{\"win\"}%");
  tmpl("frame.one", "%TMPL:INCLUDE{\"frame\"}%%TMPL:DEF{\"bar\"}%a,b,%TMPL:END%\n"
                    "%TMPL:DEF{\"win\"}%%TMPL:P{\"bar\"}%body,%TMPL:END%");
  tmpl("frame.two", "%TMPL:INCLUDE{\"frame\"}%%TMPL:DEF{\"bar\"}%%TMPL:PREV%c,%TMPL:END%");
  tmpl("frame.three", "%TMPL:INCLUDE{\"frame\"}%%TMPL:DEF{\"bar\"}%z,%TMPL:PREV%%TMPL:END%");
  tmpl("frame.four",
       "%TMPL:INCLUDE{\"frame\"}%%TMPL:DEF{\"bar\"}%y,%TMPL:P{\"bar:_PREV:_PREV\"}%%TMPL:END%");
  assert_str(Req().read("frame", "one"), "a,b,body,");
  assert_str(Req().read("frame", "two,one"), "a,b,c,body,");
  assert_str(Req().read("frame", "three,two,one"), "z,a,b,c,body,");
  assert_str(Req().read("frame", "four,two,one"), "y,a,b,body,");
  // read again in the same request, the definitions are made again: each
  // one pushes the one before it down the chain
  Req twice;
  assert_str(twice.read("frame", "two,one"), "a,b,c,body,");
  assert_str(twice.t().expand("bar:_PREV"), "a,b,");
  assert_str(twice.read("frame", "two,one"), "a,b,c,body,");
  assert_str(twice.t().expand("bar:_PREV"), "a,b,");
  assert_str(twice.t().expand("bar:_PREV:_PREV"), "a,b,c,");
  // explicit definitions of a predecessor
  tmpl("chain", "%TMPL:DEF{\"k\"}%1%TMPL:END%%TMPL:DEF{\"k\"}%2%TMPL:END%"
                "%TMPL:DEF{\"k:_PREV\"}%X%TMPL:END%%TMPL:DEF{\"k:_PREV:_PREV:_PREV\"}%Y%TMPL:END%"
                "%TMPL:P{\"k\"}%%TMPL:P{\"k:_PREV\"}%%TMPL:P{\"k:_PREV:_PREV\"}%"
                "%TMPL:P{\"k:_PREV:_PREV:_PREV\"}%");
  assert_str(Req().read("chain"), "2X1Y");
}

static void comments_and_whitespace(void**) {
  tmpl("c", "%{ leading }%\n\nA  %{ eats the space on both sides }%  B\n"
            "%TMPL:DEF{\"x\"}%X%TMPL:END%   \n\n  C%{ unclosed");
  Req r;
  assert_str(r.read("c"), "AB\nC%{ unclosed");
  // three leading spaces become a tab (Foswiki's legacy clean-up)
  tmpl("tabs", "   * one\n      * two\n    four\n  two\n");
  assert_str(r.read("tabs"), "\t* one\n\t\t* two\n\t four\n  two\n");
  tmpl("tabs2", "%TMPL:DEF{\"t\"}%   x%TMPL:END%\n%TMPL:P{\"t\"}%\n   y");
  assert_str(r.read("tabs2"), "\tx\n\ty");
}

static void context_conditions(void**) {
  tmpl("ctx", "%TMPL:DEF{\"on\"}%ON%TMPL:END%%TMPL:DEF{\"off\"}%OFF%TMPL:END%"
              "%TMPL:DEF{\"both\"}%[%TMPL:P{context=\"view, inactive\" then=\"on\" else=\"off\"}%]%TMPL:END%"
              "1%TMPL:P{\"both\"}% 2%TMPL:P{context=\"view\" then=\"on\" else=\"off\"}%"
              " 3%TMPL:P{context=\"nope\" then=\"on\"}%");
  Req r;
  r.s->contexts.insert("view");
  // inside a block the context is looked at now; at the top, later
  std::string t = r.read("ctx");
  assert_str(t, "1[OFF] 2%TMPL:P{context=\"view\" then=\"on\" else=\"off\"}% 3%TMPL:P{context="
                "\"nope\" then=\"on\"}%");
  register_all_macros();
  r.s->contexts.insert("inactive");
  assert_str(expand_macros(*r.s, t, {"Main", "WebHome"}), "1[OFF] 2ON 3");
  assert_str(expand_macros(*r.s, "%TMPL:P{\"both\"}%|%SEP%", {"Main", "WebHome"}), "[ON]| | ");
}

static void recursion_is_stopped(void**) {
  tmpl("loop", " %TMPL:DEF{\"loop\"}% %TMPL:P{\"loop\"}% %TMPL:END%\n"
               "%TMPL:DEF{\"sub\"}% %TMPL:P{\"loop\"}% %TMPL:END%\n");
  Req r;
  r.read("loop");
  assert_str(r.t().error(), "");
  assert_str(r.t().expand("loop"), "");
  assert_str(r.t().error(), "template_recursion");
  assert_str(r.t().error_param(), "loop");
  // many expansions one after the other are fine
  std::string many = "%TMPL:DEF{\"one\"}%x%TMPL:END%%TMPL:DEF{\"all\"}%";
  for (int i = 0; i < 1500; ++i) many += "%TMPL:P{\"one\"}%";
  tmpl("many", many + "%TMPL:END%");
  Req q;
  q.read("many");
  assert_int_equal(q.t().expand("all").size(), 1500);
  assert_str(q.t().error(), "");
  // an include loop through explicit file names ends
  tmpl("self", "s%TMPL:INCLUDE{\"self.tmpl\"}%");
  std::string s = q.read("self");
  assert_true(s.size() >= 10);
  assert_false(has(s, "%TMPL"));
  // doubling blocks stop at the output limit
  std::string dbl = "%TMPL:DEF{\"d0\"}%0123456789abcdef%TMPL:END%";
  for (int i = 1; i < 40; ++i)
    dbl += "%TMPL:DEF{\"d" + std::to_string(i) + "\"}%%TMPL:P{\"d" + std::to_string(i - 1) +
           "\"}%%TMPL:P{\"d" + std::to_string(i - 1) + "\"}%%TMPL:END%";
  tmpl("dbl", dbl + "%TMPL:P{\"d39\"}%");
  Req d;
  std::string big = d.read("dbl");
  assert_true(big.size() <= kMaxTemplateOutput);
  assert_str(d.t().error(), "template_too_large");
}

static void odd_markup_is_safe(void**) {
  tmpl("odd", "a%TMPL:DEF{}%b%TMPL:END%c%TMPL:DEF{\"k\"%d%TMPL:P{\"k\"\n}%e%TMPL:END%%TMPL:"
              "f%TMPL:INCLUDE{\"odd\"%TMPL:DEF{\"u\"}%unterminated");
  Req r;
  std::string s = r.read("odd");
  assert_true(has(s, "a%TMPL:DEF{}%b"));
  assert_true(has(s, "%TMPL:P{\"k\"\n}%"));
  assert_false(r.t().have("u"));
  // a definition without a name keeps its text out of the page
  tmpl("noname", "1%TMPL:DEF{x=\"y\"}%hidden%TMPL:END%2");
  assert_str(r.read("noname"), "12");
}

static void files_are_cached_and_rechecked(void**) {
  tmpl("cached", "first version");
  age("templates/cached.tmpl", 60);
  assert_str(Req().read("cached"), "first version");
  assert_str(Req().read("cached"), "first version");
  tmpl("cached", "second, longer version");
  age("templates/cached.tmpl", 30);
  assert_str(Req().read("cached"), "second, longer version");
  ::unlink((g_root + "/templates/cached.tmpl").c_str());
  assert_str(Req().read("cached"), "<none>");
}

static void first_read_is_cached_and_checked(void**) {
  auto settle = [](const std::string& name) { age("templates/" + name + ".tmpl", 60); };
  tmpl("page", "%TMPL:INCLUDE{\"part\"}%[%TMPL:P{\"x\"}%]");
  tmpl("part", "%TMPL:DEF{\"x\"}%%TMPL:P{context=\"view\" then=\"yes\" else=\"no\"}%%TMPL:END%"
               "%TMPL:DEF{\"yes\"}%Y%TMPL:END%%TMPL:DEF{\"no\"}%N%TMPL:END%");
  settle("page");
  settle("part");
  auto read_as = [](bool view, std::string_view skins = "plain") {
    Req r;
    if (view) r.s->contexts.insert("view");
    return r.read("page", skins);
  };
  assert_str(read_as(true), "[Y]");
  assert_str(read_as(false), "[N]");  // the contexts are part of the key
  {
    Req again;
    again.s->contexts.insert("view");
    assert_str(again.read("page", "plain"), "[Y]");
    // the definitions come along, and later reads build on them
    assert_true(again.t().have("yes"));
    assert_str(again.t().expand("x"), "Y");
    tmpl("more", "%TMPL:DEF{\"x\"}%<%TMPL:PREV%>%TMPL:END%%TMPL:DEF{\"yes\"}%Z%TMPL:END%");
    assert_str(again.read("more"), "");
    assert_str(again.t().expand("x"), "<Z>");
    assert_str(again.t().expand("x:_PREV"), "Z");
  }
  // a changed file is seen
  tmpl("part", "%TMPL:DEF{\"x\"}%changed%TMPL:END%");
  settle("part");
  assert_str(read_as(true), "[changed]");
  // so is a new file that comes first on the template path
  tmpl("Main/part", "%TMPL:DEF{\"x\"}%web-specific%TMPL:END%");
  age("templates/Main/part.tmpl", 60);
  assert_str(read_as(true), "[web-specific]");
  // and a new topic that comes first
  assert_str(read_as(true, "sk"), "[web-specific]");
  topic("Main", "SkSkinPartTemplate", "%TMPL:DEF{\"x\"}%from a topic%TMPL:END%");
  assert_str(read_as(true, "sk"), "[from a topic]");
}

// define() right after a cached first read is kept too (ICON defines "icons"
// on every page): later requests get the same blocks, and see a change.
static void define_after_cached_read(void**) {
  tmpl("page", "%TMPL:DEF{\"a\"}%A1%TMPL:END%%TMPL:DEF{\"b\"}%B1%TMPL:END%page");
  tmpl("extra", "%TMPL:DEF{\"b\"}%B2 %TMPL:PREV%%TMPL:END%%TMPL:DEF{\"c\" p=\"d\"}%C%p%%TMPL:END%");
  age("templates/page.tmpl", 60);
  age("templates/extra.tmpl", 60);
  // directories just written to are not trusted yet
  for (const char* dir : {"templates", "data/Main", "data/System", "data", "."}) age(dir, 60);
  auto blocks = [] {
    Req r;
    std::string out = r.read("page", "plain");
    assert_true(r.t().define("extra", "plain"));
    unsigned long long g = r.t().generation();
    out += "|" + r.t().expand("a") + "|" + r.t().expand("b") + "|" + r.t().expand("b:_PREV") +
           "|" + r.t().expand("c") + "|" + r.t().expand("\"c\" p=\"q\"");
    // a definition made after the define lands on top of the kept ones
    r.t().define("page", "plain");
    assert_true(r.t().generation() != g);
    out += "|" + r.t().expand("b") + "|" + r.t().expand("b:_PREV");
    return out;
  };
  const std::string want = "page|A1|B2 B1|B1|Cd|Cq|B1|B2 B1";
  for (int i = 0; i < 4; ++i) assert_str(blocks(), want);
  tmpl("extra", "%TMPL:DEF{\"b\"}%B3%TMPL:END%");
  age("templates/extra.tmpl", 30);
  age("templates", 30);
  assert_str(blocks(), "page|A1|B3|B1|||B1|B3");
  assert_str(blocks(), "page|A1|B3|B1|||B1|B3");
  assert_str(blocks(), "page|A1|B3|B1|||B1|B3");
}

// ---- what the view uses -----------------------------------------------------

static void view_template_choice(void**) {
  {
    Req r;
    assert_str(view_template_name(*r.s, true, ""), "view");
    assert_str(view_template_name(*r.s, false, "on"), "TopicDoesNotExistView");
    r.s->prefs.set_session("VIEW_TEMPLATE", "Faq");
    assert_str(view_template_name(*r.s, true, ""), "Faq");
    assert_str(view_template_name(*r.s, true, "on"), "view");
    assert_str(view_template_name(*r.s, true, "all"), "view");
    assert_str(view_template_name(*r.s, true, "text"), "Faq");
  }
  Req r(Url{{"template", "Special"}});
  r.s->prefs.set_session("VIEW_TEMPLATE", "Faq");
  assert_str(view_template_name(*r.s, true, ""), "Special");
  // a template that does not exist falls back to "view"
  assert_false(read_view_template(*r.s, true, "").has_value());
  tmpl("view", "the view");
  assert_str(*read_view_template(*r.s, true, ""), "the view");
  tmpl("Special", "special view");
  assert_str(*read_view_template(*r.s, true, ""), "special view");
}

static void view_split(void**) {
  ViewParts p = split_view_template("<h>%TEXT%<f>", "T");
  assert_str(p.header, "<h>");
  assert_str(p.body, "T");
  assert_str(p.footer, "<f>");
  p = split_view_template("a%TEXT%b%TEXT%c", "T");  // the last %TEXT% counts
  assert_str(p.header, "a%TEXT%b");
  assert_str(p.footer, "c");
  p = split_view_template("h%STARTTEXT%toc%TEXT%after%ENDTEXT%f", "T");
  assert_str(p.header, "h");
  assert_str(p.body, "tocTafter");
  assert_str(p.footer, "f");
  p = split_view_template("only%STARTTEXT%", "T");  // nothing after the marker
  assert_str(p.header, "only%STARTTEXT%");
  p = split_view_template("no text here", "T");
  assert_str(p.header, "no text here");
  assert_str(p.body, "");
  assert_str(p.footer, "");
}

static void view_tokens(void**) {
  std::string t = "<title>%REVTITLE% x</title><META NAME=\"robots\" content=\"noindex\">"
                  "<a href=\"?raw=on%REVARG%\">%REVISIONS%</a><meta name=\"robots\">";
  std::string old = t;
  substitute_view_tokens(old, "(r2)", "&rev=2", false);
  assert_str(old, "<title>(r2) x</title><META NAME=\"robots\" content=\"noindex\">"
                  "<a href=\"?raw=on&rev=2\">%REVISIONS%</a><meta name=\"robots\">");
  std::string revs = "r1 r2";
  substitute_view_tokens(t, "", "", true, &revs);
  assert_str(t, "<title> x</title><a href=\"?raw=on\">r1 r2</a>");
}

static void oops_pages(void**) {
  tmpl("oops", "<page>%TMPL:P{\"heading\"}%: %TMPL:P{\"message\"}%</page>");
  tmpl("oopsdenied", "%TMPL:INCLUDE{\"oops\"}%%TMPL:DEF{\"heading\"}%Denied%TMPL:END%"
                     "%TMPL:DEF{\"message\"}%%INSTANTIATE%%TMPL:END%"
                     "%TMPL:DEF{\"why\"}%mode %PARAM1% (%PARAM2%) %PARAM3%.%TMPL:END%");
  register_all_macros();
  Req r;
  auto t = oops_text(*r.s, "denied", "why", {"VIEW", "<b>&\"x\""}, {"Main", "WebHome"});
  assert_true(t.has_value());
  assert_str(*t, "<page>Denied: mode VIEW (&#60;b&#62;&#38;&#34;x&#34;) .</page>");
  assert_false(oops_text(*r.s, "nosuch", "", {}, {"Main", "WebHome"}).has_value());
  assert_str(entity_encode("a%b_c\n\x01"), "a&#37;b&#95;c\n&#1;");
}

// ---- real skins ---------------------------------------------------------------

// The markers that must not survive reading a template.
void assert_resolved(const std::string& text, const std::string& what) {
  for (const char* m : {"%TMPL:DEF", "%TMPL:END", "%TMPL:INCLUDE", "%TMPL:PREV"}) {
    if (has(text, m)) fail_msg("%s: %s left in the text", what.c_str(), m);
  }
  // only TMPL:P calls with a context, or spread over lines, wait for the
  // page expansion
  for (size_t at = text.find("%TMPL:P{"); at != std::string::npos;
       at = text.find("%TMPL:P{", at + 1)) {
    size_t end = text.find("}%", at);
    std::string call = text.substr(at, end == std::string::npos ? 40 : end - at);
    if (!has(call, "context=") && !has(call, "\n")) fail_msg("%s: %s left in the text", what.c_str(), call.c_str());
  }
}

static void stock_pattern_skin(void**) {
  std::string shared = shared_dir();
  if (shared.empty()) {
    skip();
    return;
  }
  Req r;
  r.cfg.template_dir = shared + "/templates";
  r.s->prefs.set_session("SKIN", "pattern");
  r.s->contexts.insert("view");
  auto t = read_view_template(*r.s, true, "");
  assert_true(t.has_value());
  assert_str(r.t().error(), "");
  assert_resolved(*t, "view.pattern");
  for (const char* piece : {"<!DOCTYPE html>", "<html", "<head>", "</head>", "<body",
                            "patternViewPage", "%TEXT%", "patternTopicActions", "</html>"})
    if (!has(*t, piece)) fail_msg("view.pattern: no %s", piece);
  ViewParts parts = split_view_template(*t, "BODY");
  assert_true(has(parts.header, "<body"));
  assert_true(has(parts.footer, "</html>"));

  // the page expansion takes care of the rest of the template language
  register_all_macros();
  std::string page = expand_macros(*r.s, *t, {"Main", "WebHome"});
  assert_false(has(page, "%TMPL:"));

  // skin=text and skin=print read other files
  Req text(Url{{"skin", "text"}});
  text.cfg.template_dir = shared + "/templates";
  std::string tt = *read_view_template(*text.s, true, "");
  assert_str(tt, "%TEXT%");
}

static void stock_templates_all_parse(void**) {
  std::string shared = shared_dir();
  if (shared.empty()) {
    skip();
    return;
  }
  std::string dir = shared + "/templates";
  DIR* d = ::opendir(dir.c_str());
  assert_non_null(d);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.ends_with(".tmpl")) names.push_back(n);
  }
  ::closedir(d);
  assert_true(names.size() > 100);
  for (const std::string& n : names) {
    for (const char* skin : {"pattern", ""}) {
      Req r;
      r.cfg.template_dir = dir;
      r.s->contexts.insert("view");
      auto t = r.t().read(n, skin);
      if (!t) fail_msg("%s: not read", n.c_str());
      if (!r.t().error().empty()) fail_msg("%s: %s", n.c_str(), r.t().error().c_str());
      assert_resolved(*t, n);
    }
  }
}

static void own_skin(void**) {
  struct stat st;
  if (::stat("share/templates/view.cwiki.tmpl", &st) != 0) {
    skip();
    return;
  }
  char cwd[4096];
  assert_non_null(::getcwd(cwd, sizeof cwd));
  register_all_macros();
  for (const char* skin : {"cwiki", "pattern", ""}) {
    // the project's skin on a site without templates: "cwiki" by name, and
    // also what any other skin falls back to
    Req r;
    r.cfg.skin_dir = std::string(cwd) + "/share/templates";
    r.s->prefs.set_session("SKIN", skin);
    r.s->contexts.insert("view");
    auto t = read_view_template(*r.s, true, "");
    assert_true(t.has_value());
    assert_str(r.t().error(), "");
    assert_resolved(*t, std::string("cwiki view, SKIN=") + skin);
    for (const char* piece :
         {"<!DOCTYPE html>", "<html lang=", "<main", "id=\"cwiki-main\"", "href=\"#cwiki-main\"",
          "<header", "<footer", "<nav", "aria-label=", "%TEXT%", "%META{\"form\"}%",
          "%META{\"attachments\"}%", "%REVINFO", "%META{\"parent\"", "WebLeftBar",
          "name=\"viewport\"", "</html>"})
      if (!has(*t, piece)) fail_msg("cwiki view: no %s", piece);
    // exactly one %TEXT%: the page splits around it
    assert_int_equal(t->find("%TEXT%"), t->rfind("%TEXT%"));
    std::string page = expand_macros(*r.s, *t, {"Main", "WebHome"});
    assert_false(has(page, "%TMPL:"));
  }
  // skin=text: the topic alone
  Req text(Url{{"skin", "text"}});
  text.cfg.skin_dir = std::string(cwd) + "/share/templates";
  assert_str(*read_view_template(*text.s, true, ""), "%TEXT%");
  // the pages the view shows for a missing topic and for errors
  Req missing;
  missing.cfg.skin_dir = std::string(cwd) + "/share/templates";
  missing.s->prefs.set_session("SKIN", "cwiki");
  missing.s->contexts.insert("new_topic");
  auto m = read_view_template(*missing.s, false, "");
  assert_true(m.has_value());
  assert_resolved(*m, "TopicDoesNotExistView");
  assert_true(has(*m, "does not exist"));
  // the tables the META macro fills in
  Req tables;
  tables.cfg.skin_dir = std::string(cwd) + "/share/templates";
  assert_true(tables.t().define("formtables"));
  assert_true(tables.t().define("attachtables"));
  for (const char* block :
       {"FORM:display:header", "FORM:display:row", "FORM:display:footer", "ATTACH:files:header",
        "ATTACH:files:row", "ATTACH:files:footer", "ATTACH:files:header:A", "ATTACH:files:row:A",
        "ATTACH:files:footer:A", "ATTACH:versions:header", "ATTACH:versions:row",
        "ATTACH:versions:footer"})
    if (!tables.t().have(block)) fail_msg("no block %s", block);
  assert_true(has(tables.t().expand("\"FORM:display:row\""), "$value(display)"));
  assert_true(has(tables.t().expand("\"ATTACH:files:row\""), "%A_FILE%"));
  for (const char* tmpl_name : {"accessdenied", "attention"}) {
    for (const char* def : {"topic_access", "no_such_web", "no_such_topic", "bad_web_name",
                            "template_recursion", "no_such_template", "generic"}) {
      Req o;
      o.cfg.skin_dir = std::string(cwd) + "/share/templates";
      o.s->prefs.set_session("SKIN", "cwiki");
      auto page = oops_text(*o.s, tmpl_name, def, {"VIEW", "a reason"}, {"Main", "WebHome"});
      if (!page) fail_msg("oops%s not found", tmpl_name);
      assert_false(has(*page, "%TMPL:"));
      assert_false(has(*page, "%INSTANTIATE%"));
      assert_false(has(*page, "%PARAM"));
      if (!has(*page, "<main")) fail_msg("oops%s/%s: no page", tmpl_name, def);
    }
  }
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(lookup_plain_and_web, setup, teardown),
      cmocka_unit_test_setup_teardown(lookup_skin_order, setup, teardown),
      cmocka_unit_test_setup_teardown(lookup_include_takes_the_next_one, setup, teardown),
      cmocka_unit_test_setup_teardown(lookup_dotted_names, setup, teardown),
      cmocka_unit_test_setup_teardown(lookup_topics, setup, teardown),
      cmocka_unit_test_setup_teardown(lookup_web_topic_names, setup, teardown),
      cmocka_unit_test_setup_teardown(lookup_topic_access, setup, teardown),
      cmocka_unit_test_setup_teardown(lookup_project_skin_dir, setup, teardown),
      cmocka_unit_test_setup_teardown(skin_path_sources, setup, teardown),
      cmocka_unit_test_setup_teardown(def_and_p, setup, teardown),
      cmocka_unit_test_setup_teardown(defaults_with_includes, setup, teardown),
      cmocka_unit_test_setup_teardown(prev_definitions, setup, teardown),
      cmocka_unit_test_setup_teardown(comments_and_whitespace, setup, teardown),
      cmocka_unit_test_setup_teardown(context_conditions, setup, teardown),
      cmocka_unit_test_setup_teardown(recursion_is_stopped, setup, teardown),
      cmocka_unit_test_setup_teardown(odd_markup_is_safe, setup, teardown),
      cmocka_unit_test_setup_teardown(files_are_cached_and_rechecked, setup, teardown),
      cmocka_unit_test_setup_teardown(first_read_is_cached_and_checked, setup, teardown),
      cmocka_unit_test_setup_teardown(define_after_cached_read, setup, teardown),
      cmocka_unit_test_setup_teardown(view_template_choice, setup, teardown),
      cmocka_unit_test_setup_teardown(view_split, setup, teardown),
      cmocka_unit_test_setup_teardown(view_tokens, setup, teardown),
      cmocka_unit_test_setup_teardown(oops_pages, setup, teardown),
      cmocka_unit_test_setup_teardown(stock_pattern_skin, setup, teardown),
      cmocka_unit_test_setup_teardown(stock_templates_all_parse, setup, teardown),
      cmocka_unit_test_setup_teardown(own_skin, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

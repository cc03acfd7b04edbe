// The data macros (META, FORMFIELD, FORMAT, EXPAND, PARENTTOPIC, TOPICLIST,
// WEBLIST, ICON*, users and groups) and the users directory, on a small site
// built per test: what the conformance corpus does not cover, and bad input.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "auth/users.h"
#include "macros/data_format.h"
#include "macros/data_util.h"
#include "macros/expand.h"
#include "macros/registry.h"
#include "macros/session.h"
#include "store/store.h"
#include "unit.h"  // last: cmocka's macros clash with standard headers

using namespace cwiki;

namespace {

std::string g_root;

void put(const std::string& rel, const std::string& content) {
  std::string path = g_root + "/" + rel;
  for (size_t i = g_root.size() + 1; i < path.size(); ++i)
    if (path[i] == '/') ::mkdir(path.substr(0, i).c_str(), 0755);
  std::ofstream(path, std::ios::binary) << content;
}

std::string shared_templates() {
  const char* env = std::getenv("CWIKI_SHARED");
  std::string dir = std::string(env ? env : "../shared") + "/foswiki/templates";
  struct stat st;
  return ::stat((dir + "/foswiki.tmpl").c_str(), &st) == 0 ? dir : std::string();
}

int setup(void**) {
  char tmpl[] = "/tmp/cwiki-data-XXXXXX";
  if (!::mkdtemp(tmpl)) return -1;
  g_root = tmpl;
  put("data/System/WebPreferences.txt", "   * Set WEBBGCOLOR = #FFD8AA\n");
  put("data/System/DefaultPreferences.txt",
      "   * Set ICONTOPIC = %SYSTEMWEB%.DocumentGraphics\n   * Set SKIN = pattern\n");
  put("data/System/DocumentGraphics.txt", "Icons\n");
  put("pub/System/DocumentGraphics/else.png", "png");
  put("pub/System/DocumentGraphics/doc.png", "png");
  put("pub/System/DocumentGraphics/zip.gif", "gif");
  put("data/Main/WebPreferences.txt", "Preferences\n");
  put("data/Main/WikiUsers.txt",
      "---+ Users\n"
      "   * A - <a name=\"A\">- - - -</a>\n"
      "   * JaneDoe - jane.doe - 01 Jan 2020\n"
      "   * JohnSmith - 02 Jan 2020\n"
      "   * Main.ScumBag - scum - 25 Nov 2026\n"
      "   * WikiGuest - guest - 10 Feb 1999\n"
      "   * not a user line\n");
  put("data/Main/ScumBag.txt",
      "%META:TOPICINFO{author=\"BaseUserMapping_222\" date=\"1700000000\" format=\"1.1\" version=\"1\"}%\n"
      "Scum's page\n"
      "%META:FORM{name=\"UserForm\"}%\n"
      "%META:FIELD{name=\"Email\" title=\"Email\" value=\"topic@example.com\"}%\n");
  put("data/Main/JohnSmith.txt", "   * Email: john@example.com;js@example.com\n");
  put("data/.htpasswd",
      "scum:$apr1$abc$def:scum@example.com;scum2@example.com\n"
      "jane.doe:$apr1$x$y:jane@example.com\n"
      "orphan:$apr1$x$y:\n");
  put("data/Main/GropeGroup.txt", "   * Set GROUP = ScumBag, %USERSWEB%.WikiGuest\n");
  put("data/Main/NestingGroup.txt", "   * Set GROUP = GropeGroup, <b>JohnSmith</b>\n");
  put("data/Main/LoopAGroup.txt", "   * Set GROUP = LoopBGroup, JaneDoe\n");
  put("data/Main/LoopBGroup.txt", "   * Set GROUP = LoopAGroup, ScumBag\n");
  put("data/Main/SelfGroup.txt", "   * Set GROUP = SelfGroup\n");
  put("data/Main/AdminGroup.txt", "   * Set GROUP = JaneDoe\n");
  put("data/Main/HiddenGroup.txt", "   * Set GROUP = ScumBag\n   * Set ALLOWTOPICVIEW = AdminUser\n");
  put("data/Main/NobodyGroup.txt", "   * Set GROUP = \n");
  put("data/Main/UnknownsGroup.txt", "   * Set GROUP = NoSuchPerson, nosuchlogin\n");
  {
    // a very large group
    std::string big = "   * Set GROUP = ";
    for (int i = 0; i < 20000; ++i) big += "Member" + std::to_string(i) + "Person, ";
    put("data/Main/BigGroup.txt", big + "ScumBag\n");
    // a long chain of nested groups: Chain0Group -> Chain1Group -> ...
    for (int i = 0; i < 60; ++i)
      put("data/Main/Chain" + std::to_string(i) + "Group.txt",
          "   * Set GROUP = Chain" + std::to_string(i + 1) + "Group, Person" + std::to_string(i) + "X\n");
  }
  put("data/TestWeb/WebPreferences.txt", "Preferences\n");
  put("data/TestWeb/TestForm.txt",
      "| *Name* | *Type* | *Size* | *Values* | *Tooltip* | *Attributes* |\n"
      "| Colour | select+values | 1 | Red=r,Green=g | | |\n"
      "| Secret | text | 10 | | | H |\n"
      "| !WikiTitle | text | 10 | | | |\n"
      "| Notes | textarea | 40 | | | |\n"
      "\n| not | part | of | the | form |\n");
  put("data/TestWeb/FormTopic.txt",
      "%META:TOPICINFO{author=\"scum\" date=\"1700000000\" format=\"1.1\" version=\"1\"}%\n"
      "%META:TOPICPARENT{name=\"ParentA\"}%\n"
      "Body with a WikiWord.\n"
      "%META:FORM{name=\"TestForm\"}%\n"
      "%META:FIELD{name=\"Colour\" title=\"Colour\" value=\"r, g\"}%\n"
      "%META:FIELD{name=\"Secret\" title=\"Secret\" value=\"hush\"}%\n"
      "%META:FIELD{name=\"WikiTitle\" title=\"!WikiTitle\" value=\"!NopMe\"}%\n"
      "%META:FIELD{name=\"Notes\" title=\"Notes\" value=\"line1%0aline2|bar\"}%\n"
      "%META:FILEATTACHMENT{name=\"z.doc\" attr=\"\" comment=\"c\" date=\"0\" size=\"1\" user=\"scum\" version=\"1\"}%\n");
  put("data/TestWeb/ParentA.txt", "%META:TOPICPARENT{name=\"ParentB\"}%\nA\n");
  put("data/TestWeb/ParentB.txt", "%META:TOPICPARENT{name=\"ParentA\"}%\nB\n");
  put("data/TestWeb/NoFormDef.txt",
      "%META:FORM{name=\"MissingForm\"}%\n"
      "%META:FIELD{name=\"F\" title=\"Eff\" value=\"v\"}%\n");
  put("data/TestWeb/Secret.txt", "   * Set ALLOWTOPICVIEW = AdminUser\n%META:FIELD{name=\"F\" value=\"x\"}%\n");
  put("data/TestWeb/Sub/WebPreferences.txt", "Preferences\n");
  put("data/TestWeb/_Template/WebPreferences.txt", "Preferences\n");
  put("data/Hidden/WebPreferences.txt", "   * Set ALLOWWEBVIEW = AdminUser\n");
  put("data/Hidden/Topic.txt", "x\n");
  put("data/NoSearch/WebPreferences.txt", "   * Set NOSEARCHALL = on\n");
  return 0;
}

int teardown(void**) {
  std::string cmd = "rm -rf '" + g_root + "'";
  return std::system(cmd.c_str()) == 0 ? 0 : -1;
}

// One request on the test site.
struct Site {
  Config cfg;
  std::unique_ptr<Store> store;
  Params params;
  NullLog log;
  std::unique_ptr<Session> s;

  explicit Site(const std::string& login = "guest", bool templates = false) {
    register_all_macros();
    cfg.root = g_root;
    cfg.view_url_path = "";
    cfg.template_dir = templates ? shared_templates() : g_root + "/no-templates";
    StoreOptions o;
    o.data_dir = g_root + "/data";
    o.pub_dir = g_root + "/pub";
    store = std::make_unique<Store>(o);
    start(login);
  }
  void start(const std::string& login) {
    s = std::make_unique<Session>(cfg, *store, params, log);
    s->login = login;
    s->cuid = login == "guest" ? "BaseUserMapping_666" : login;
    s->base = {"TestWeb", "TestTopic"};
    s->init_prefs();
  }
  std::string x(const std::string& text, TopicRef t = {"TestWeb", "TestTopic"}) {
    return expand_macros(*s, text, t);
  }
  Users& users() { return users_of(*s); }
};

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

// ---- the users directory ----

static void base_users(void**) {
  Site site;
  Users& u = site.users();
  assert_str(u.cuid_of("guest").value_or("-"), "BaseUserMapping_666");
  assert_str(u.cuid_of("WikiGuest").value_or("-"), "BaseUserMapping_666");
  assert_str(u.cuid_of("Main.AdminUser").value_or("-"), "BaseUserMapping_333");
  assert_str(u.cuid_of("admin").value_or("-"), "BaseUserMapping_333");
  assert_str(u.cuid_of("unknown").value_or("-"), "BaseUserMapping_999");
  // a cUID is no login or wiki name
  assert_false(u.cuid_of("BaseUserMapping_333").has_value());
  assert_false(u.cuid_of("").has_value());
  assert_str(u.login_of("BaseUserMapping_111").value_or("-"), "ProjectContributor");
  assert_str(u.wikiname_of("BaseUserMapping_222"), "RegistrationAgent");
  assert_str(u.web_dot_wikiname("BaseUserMapping_999"), "Main.UnknownUser");
  // unknown cUIDs are shown as they are
  assert_str(u.wikiname_of("nobody_x"), "nobody_x");
  assert_false(u.login_of("nobody_x").has_value());
  assert_str(u.wikiname_of(""), "UnknownUser");
  // the configured admin login
  site.cfg.admin_login = "root";
  Users u2(*site.store, site.cfg);
  assert_str(u2.cuid_of("root").value_or("-"), "BaseUserMapping_333");
  assert_false(u2.cuid_of("admin").has_value());
}

static void topic_users(void**) {
  Site site;
  Users& u = site.users();
  assert_str(u.cuid_of("scum").value_or("-"), "scum");
  assert_str(u.cuid_of("ScumBag").value_or("-"), "scum");
  assert_str(u.cuid_of("Main.ScumBag").value_or("-"), "scum");
  assert_str(u.cuid_of("Main/ScumBag").value_or("-"), "scum");
  assert_false(u.cuid_of("Sandbox.ScumBag").has_value());
  assert_str(u.cuid_of("jane.doe").value_or("-"), "jane_2edoe");
  assert_str(u.cuid_of("JaneDoe").value_or("-"), "jane_2edoe");
  assert_str(u.login_of("jane_2edoe").value_or("-"), "jane.doe");
  assert_str(u.wikiname_of("jane_2edoe"), "JaneDoe");
  // no login column: the wiki name is the login
  assert_str(u.cuid_of("JohnSmith").value_or("-"), "JohnSmith");
  // a login only in the password file
  assert_str(u.cuid_of("orphan").value_or("-"), "orphan");
  assert_str(u.wikiname_of("orphan"), "orphan");
  // WikiUsers cannot take over a base user
  assert_str(u.cuid_of("WikiGuest").value_or("-"), "BaseUserMapping_666");
  assert_false(u.cuid_of("NoSuchPerson").has_value());
  assert_false(u.cuid_of("A").has_value());
  // a cUID that does not decode to a real login is unknown
  assert_false(u.login_of("jane_2Edoe").has_value());
  assert_str(login_to_cuid("a.b c\xc3\xa9"), "a_2eb_20c_c3_a9");
  assert_str(u.resolve("root", "root"), "root");  // nobody: kept as it is
  assert_str(u.resolve("scum", "scum"), "scum");
  assert_str(u.resolve("BaseUserMapping_666", "guest"), "BaseUserMapping_666");
  assert_str(u.resolve("admin", "admin"), "BaseUserMapping_333");
}

static void groups_and_membership(void**) {
  Site site;
  Users& u = site.users();
  assert_true(u.is_group("AdminGroup"));
  assert_true(u.is_group("BaseGroup"));
  assert_true(u.is_group("GropeGroup"));
  assert_false(u.is_group("NoSuchGroup"));
  assert_false(u.is_group("ScumBag"));
  auto groups = u.groups();
  assert_str(groups[0], "AdminGroup");
  assert_str(groups[1], "BaseGroup");
  assert_int_equal(std::count(groups.begin(), groups.end(), "AdminGroup"), 1);  // the topic too
  auto m = u.group_members("GropeGroup");
  assert_int_equal(m.size(), 2);
  assert_str(m[0], "scum");
  assert_str(m[1], "BaseUserMapping_666");
  auto nested = u.group_members("NestingGroup");  // HTML tags dropped, nesting expanded
  assert_int_equal(nested.size(), 3);
  assert_str(nested[2], "JohnSmith");
  auto flat = u.group_members("NestingGroup", false);
  assert_int_equal(flat.size(), 2);
  assert_str(flat[0], "GropeGroup");
  // AdminGroup: the admin user, and Main.AdminGroup's members
  auto admins = u.group_members("AdminGroup");
  assert_int_equal(admins.size(), 2);
  assert_true(u.is_admin("BaseUserMapping_333"));
  assert_true(u.is_admin("jane_2edoe"));
  assert_false(u.is_admin("scum"));
  assert_false(u.is_admin(""));
  // unknown names in a GROUP setting are kept
  auto unknowns = u.group_members("UnknownsGroup");
  assert_int_equal(unknowns.size(), 2);
  assert_str(unknowns[0], "NoSuchPerson");
  assert_true(u.group_members("NobodyGroup").empty());
  assert_true(u.group_members("NoSuchGroup").empty());
  assert_true(u.group_members("../../etc/passwd").empty());
  // memberships, nested ones included
  auto ms = u.memberships("scum");
  assert_true(std::find(ms.begin(), ms.end(), "GropeGroup") != ms.end());
  assert_true(std::find(ms.begin(), ms.end(), "NestingGroup") != ms.end());
  assert_true(std::find(ms.begin(), ms.end(), "BaseGroup") == ms.end());
  auto gm = u.memberships("BaseUserMapping_666");
  assert_str(gm[0], "BaseGroup");  // the base mapping's groups first for base users
  assert_true(u.memberships("nobody_x").empty());
  assert_true(u.is_in_group("JohnSmith", "NestingGroup"));
  assert_false(u.is_in_group("JohnSmith", "NestingGroup", true) == false);
  assert_false(u.is_in_group("scum", "NestingGroup", false));
  // access lists
  assert_true(u.is_in_list("scum", "JaneDoe, Main.ScumBag"));
  assert_true(u.is_in_list("scum", "%USERSWEB%.GropeGroup"));
  assert_true(u.is_in_list("scum", "*"));
  assert_true(u.is_in_list("scum", "scum"));
  assert_false(u.is_in_list("scum", "JaneDoe AdminGroup"));
  assert_true(u.is_in_list("jane_2edoe", "AdminGroup"));
  assert_false(u.is_in_list("", "*"));
}

static void recursive_and_huge_groups(void**) {
  Site site;
  Users& u = site.users();
  // cycles end
  auto a = u.group_members("LoopAGroup");
  assert_true(std::find(a.begin(), a.end(), "scum") != a.end());
  assert_true(std::find(a.begin(), a.end(), "jane_2edoe") != a.end());
  assert_true(u.group_members("SelfGroup").empty());
  assert_true(u.is_in_group("scum", "LoopAGroup"));
  // nesting deeper than the limit is cut, not followed
  auto chain = u.group_members("Chain0Group");
  assert_true(chain.size() > 10);
  assert_true(chain.size() <= static_cast<size_t>(kMaxGroupDepth) + 2);
  // a very large group, quickly
  auto t0 = std::chrono::steady_clock::now();
  auto big = u.group_members("BigGroup");
  assert_int_equal(big.size(), 20001);
  assert_true(u.is_in_group("scum", "BigGroup"));
  for (int i = 0; i < 50; ++i) u.memberships("scum");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  assert_true(ms.count() < 20000);
}

static void emails(void**) {
  Site site;
  Users& u = site.users();
  auto e = u.emails("scum");  // from the password file
  assert_int_equal(e.size(), 2);
  assert_str(e[0], "scum@example.com");
  assert_true(u.emails("orphan").empty());
  assert_str(u.emails("BaseUserMapping_333").at(0), "email not set");
  assert_true(u.emails("BaseUserMapping_666").empty());
  auto g = u.emails("LoopAGroup");  // every member's, once
  assert_int_equal(g.size(), 3);
  assert_true(u.emails("").empty());
  // without a password file, the user topics hold them
  site.cfg.htpasswd_file = g_root + "/none";
  Users t(*site.store, site.cfg);
  assert_str(t.emails("scum").at(0), "topic@example.com");
  auto j = t.emails("JohnSmith");
  assert_int_equal(j.size(), 2);
  assert_str(j[1], "js@example.com");
}

// ---- the users macros ----

static void user_macros(void**) {
  Site site("scum");
  assert_str(site.x("%USERNAME%|%WIKINAME%|%WIKIUSERNAME%"), "scum|ScumBag|Main.ScumBag");
  assert_str(site.x("%USERINFO%"), "scum, Main.ScumBag, scum@example.com, scum2@example.com");
  // another user's details are hidden from a user who is no admin
  assert_str(site.x("%USERINFO{\"JaneDoe\" format=\"$cUID $username $isadmin $groups\"}%"), "   ");
}

static void user_macros_cloak(void**) {
  Site site("scum");
  // another user's details are hidden ({AntiSpam}{HideUserDetails})
  assert_str(site.x("%USERINFO{\"JaneDoe\" format=\"[$cUID][$username][$emails][$groups][$isadmin][$wikiname][$isgroup]\"}%"),
             "[][][][][][JaneDoe][false]");
  site.cfg.hide_user_details = false;
  site.start("scum");
  assert_str(site.x("%USERINFO{\"JaneDoe\" format=\"[$cUID][$username][$emails][$isadmin]\"}%"),
             "[jane_2edoe][jane.doe][jane@example.com][true]");
  // admins see everything
  site.cfg.hide_user_details = true;
  site.start("jane.doe");
  assert_str(site.x("%USERINFO{\"scum\" format=\"$emails\"}%"), "scum@example.com, scum2@example.com");
  // unknown users and groups
  assert_str(site.x("%USERINFO{\"NoSuchPerson\"}%"), "");
  assert_str(site.x("%USERINFO{\"GropeGroup\" format=\"$wikiname $isgroup $username\"}%"),
             "GropeGroup true unknown");
  assert_str(site.x("%USERINFO{format=\"0\"}%"), "jane.doe, Main.JaneDoe, jane@example.com");
}

static void groupinfo_and_groups(void**) {
  Site site;
  assert_str(site.x("%GROUPINFO{\"GropeGroup\"}%"), "Main.ScumBag, Main.WikiGuest");
  assert_str(site.x("%GROUPINFO{\"Main.GropeGroup\" format=\"$username\" separator=\";\"}%"), "scum;guest");
  assert_str(site.x("%GROUPINFO{\"Sandbox.GropeGroup\"}%"), "");
  assert_str(site.x("%GROUPINFO{\"NoSuchGroup\" zeroresults=\"none\"}%"), "none");
  assert_str(site.x("%GROUPINFO{\"GropeGroup\" limit=\"1\" limited=\"...\" header=\"[\" footer=\"]\"}%"),
             "[Main.ScumBag...]");
  assert_str(site.x("%GROUPINFO{\"GropeGroup\" format=\"$name:$wikiname\"}%"),
             "GropeGroup:ScumBag, GropeGroup:WikiGuest");
  // recursive groups do not hang
  std::string loop = site.x("%GROUPINFO{\"LoopAGroup\"}%");
  assert_true(contains(loop, "Main.ScumBag"));
  assert_str(site.x("%GROUPINFO{\"SelfGroup\"}%"), "");
  // the guest may not see the hidden group
  std::string all = site.x("%GROUPINFO%");
  assert_true(contains(all, "GropeGroup"));
  assert_false(contains(all, "HiddenGroup"));
  assert_true(contains(site.x("%GROUPINFO{show=\"denychange\"}%"), "NobodyGroup"));
  assert_false(contains(site.x("%GROUPINFO{show=\"allowchange\"}%"), "NobodyGroup"));
  std::string table = site.x("%GROUPS%");
  assert_true(table.rfind("| *Group* | *Members* |\n", 0) == 0);
  assert_true(contains(table, "| [[Main.GropeGroup][GropeGroup]] | [[Main.ScumBag][ScumBag]] [[Main.WikiGuest][WikiGuest]] |"));
  assert_true(contains(table, "| <nop>BaseGroup |"));
  assert_false(contains(table, "HiddenGroup"));
  // a big group is cut in the table
  assert_true(contains(table, "user list truncated"));
  // the admin sees the hidden group
  Site admin("admin");
  assert_true(contains(admin.x("%GROUPINFO%"), "HiddenGroup"));
}

// ---- FORMFIELD and META ----

static void formfield(void**) {
  Site site;
  TopicRef ft{"TestWeb", "FormTopic"};
  assert_str(site.x("%FORMFIELD{\"Colour\"}%", ft), "r, g");
  assert_str(site.x("%FORMFIELD{\"Colour\" format=\"$value(display)\"}%", ft), "Red, Green");
  assert_str(site.x("%FORMFIELD{\"Secret\"}%", ft), "hush");  // FORMFIELD shows hidden fields
  assert_str(site.x("%FORMFIELD{\"WikiTitle\" format=\"$title=$value\"}%", ft), "<nop>WikiTitle=<nop>NopMe");
  assert_str(site.x("%FORMFIELD{\"Notes\"}%", ft), "line1\nline2&#124;bar");
  assert_str(site.x("%FORMFIELD{\"Colour\" topic=\"FormTopic\" format=\"$name $type $size $attributes\"}%"),
             "Colour select+values 1 ");
  assert_str(site.x("%FORMFIELD{\"Colour\" topic=\"NoSuchTopic\" alttext=\"alt\"}%"), "alt");
  assert_str(site.x("%FORMFIELD{\"Colour\" topic=\"Bad..Name\" alttext=\"alt\"}%"), "alt");
  assert_str(site.x("%FORMFIELD{\"Colour\" topic=\"FormTopic\" rev=\"99\"}%"), "r, g");
  assert_str(site.x("%FORMFIELD{\"F\" topic=\"Secret\" alttext=\"denied\"}%"), "denied");
  assert_str(site.x("%FORMFIELD{\"F\" topic=\"NoFormDef\" format=\"$title:$value\"}%"), "Eff:v");
  assert_str(site.x("%FORMFIELD{\"Colour\" topic=\"FormTopic\" format=\"$formname\"}%"), "TestForm");
  assert_str(site.x("%FORMFIELD{}%", ft), "");
}

static void meta(void**) {
  Site site;
  TopicRef ft{"TestWeb", "FormTopic"};
  assert_str(site.x("%META{\"formfield\" name=\"Notes\" newline=\"/\" bar=\"!\"}%", ft), "line1/line2!bar");
  assert_str(site.x("%META{\"formfield\" name=\"Secret\"}%", ft), "");  // hidden
  assert_str(site.x("%META{\"formfield\" name=\"Secret\" showhidden=\"1\"}%", ft), "hush");
  assert_str(site.x("%META{\"nonsense\"}%", ft), "");
  assert_str(site.x("%META{\"parent\"}%", ft), "[[TestWeb.ParentB][ParentB]] &gt; [[TestWeb.ParentA][ParentA]]");
  assert_str(site.x("%META{\"parent\" dontrecurse=\"on\" prefix=\"<\" suffix=\">\"}%", ft),
             "<[[TestWeb.ParentA][ParentA]]>");
  assert_str(site.x("%META{\"parent\" format=\"$topic\" separator=\"$n()\"}%", ft), "ParentB\nParentA");
  assert_str(site.x("%META{\"moved\"}%", ft), "");
  assert_str(site.x("%META{\"attachments\"}%", TopicRef{"TestWeb", "ParentA"}), "");
  // missing topic: nothing
  assert_str(site.x("%META{\"form\"}%", TopicRef{"TestWeb", "Nothing"}), "");
  if (shared_templates().empty()) return;
  Site t("guest", true);
  std::string form = t.x("%META{\"form\"}%", ft);
  assert_true(contains(form, "TestWeb.TestForm"));
  assert_true(contains(form, "Red, Green"));
  assert_false(contains(form, "hush"));
  std::string missing = t.x("%META{\"form\"}%", TopicRef{"TestWeb", "NoFormDef"});
  assert_true(contains(missing, "foswikiAlert"));
  assert_true(contains(missing, "MissingForm"));
  std::string att = t.x("%META{\"attachments\"}%", ft);
  assert_true(contains(att, "z.doc"));
  assert_true(contains(att, "Main.ScumBag"));
}

// ---- FORMAT ----

static void format_macro(void**) {
  Site site;
  assert_str(site.x("%FORMAT{\"a, b,c,,\" type=\"string\" format=\"$index=$item\" separator=\";\"}%"),
             "1=a;2=b;3=c");
  assert_str(site.x("%FORMAT{\"\" type=\"string\" format=\"$item\" header=\"H\" footer=\"F\"}%"), "");
  assert_str(site.x("%FORMAT{\"x\" type=\"string\" format=\"$topic$web$summary\"}%"), "$topic$web$summary");
  // topics: rev info of a missing topic is the guest's, at time 0
  assert_str(site.x("%FORMAT{\"NoSuchTopic\" format=\"$web.$topic $rev $wikiusername $date\"}%"),
             "TestWeb.NoSuchTopic 0 Main.WikiGuest 01 Jan 1970 - 00:00");
  assert_str(site.x("%FORMAT{\"FormTopic\" format=\"$parent|$formname|$formfield(Colour)|$formfield(Colour, display)|$topic(4, ...)\"}%"),
             "ParentA|TestForm|r, g|Red, Green|Form...");
  assert_str(site.x("%FORMAT{\"FormTopic\" format=\"$pattern(.*?with a (\\w+).*)|$count(.*W.*)\"}%"),
             "WikiWord|1");
  // a bad pattern yields nothing, and no crash
  assert_str(site.x("%FORMAT{\"FormTopic\" format=\"[$pattern(.*(((.*)]\"}%"), "[]");
  assert_str(site.x("%FORMAT{\"FormTopic\" format=\"[$pattern((a+)+$.*)]\"}%"), "[]");
  assert_str(site.x("%FORMAT{\"FormTopic,Other.Topic\" format=\"$ntopics:$web\" header=\"<$ntopics>\" footer=\"<$ntopics/$index>\"}%"),
             "<0>1:TestWeb\n1:Other<1/2>");
  assert_true(contains(site.x("%FORMAT{\"FormTopic\" format=\"$summary\"}%"), "<nop>WikiWord"));
  // a long list, in linear time
  std::string list;
  for (int i = 0; i < 20000; ++i) list += "i" + std::to_string(i) + ",";
  auto t0 = std::chrono::steady_clock::now();
  std::string out = site.x("%FORMAT{\"" + list + "\" type=\"string\" format=\"$item\" separator=\",\"}%");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  assert_int_equal(out.size(), list.size() - 1);
  assert_true(ms.count() < 20000);
}

// ---- EXPAND, PARENTTOPIC ----

static void expand_and_parenttopic(void**) {
  Site site;
  assert_true(contains(site.x("%EXPAND{}%"), "EXPAND failed - no macro"));
  assert_true(contains(site.x("%EXPAND{\"x\" scope=\"NoSuch\"}%"), "no such topic 'NoSuch'"));
  assert_true(contains(site.x("%EXPAND{\"x\" scope=\"Secret\"}%"), "access to 'Secret' denied"));
  assert_str(site.x("%EXPAND{\"$percentTOPIC$percent\" scope=\"FormTopic\"}%"), "FormTopic");
  assert_str(site.x("%EXPAND{\"$percentTOPIC$percent\"}%"), "TestTopic");
  // a TOPICPARENT loop ends
  assert_str(site.x("%PARENTTOPIC{topic=\"ParentA\" recurse=\"on\"}%"), "[[TestWeb.ParentB][ParentB]]");
  assert_str(site.x("%PARENTTOPIC{topic=\"FormTopic\" recurse=\"on\" depth=\"2\"}%"), "[[TestWeb.ParentB][ParentB]]");
  assert_str(site.x("%PARENTTOPIC{topic=\"NoSuchTopic\"}%"), "");
  assert_str(site.x("%PARENTTOPIC{topic=\"/../..\"}%"), "");
}

// ---- TOPICLIST, WEBLIST ----

static void lists(void**) {
  Site site;
  std::string topics = site.x("%TOPICLIST{web=\"Main\" separator=\",\"}%");
  assert_true(contains(topics, "GropeGroup,"));
  assert_false(contains(topics, "HiddenGroup"));  // its ALLOWTOPICVIEW excludes the guest
  assert_str(site.x("%TOPICLIST{web=\"Hidden\"}%"), "");
  assert_str(site.x("%TOPICLIST{web=\"No/Such\"}%"), "");
  assert_str(site.x("%TOPICLIST{web=\"../etc\"}%"), "");
  assert_str(site.x("%TOPICLIST{\"$qname$marker\" web=\"TestWeb.Sub\" selection=\"WebPreferences\" marker=\"*\"}%"),
             "\"WebPreferences\"*");
  std::string webs = site.x("%WEBLIST{separator=\" \"}%");
  assert_true(contains(webs, "TestWeb/Sub"));
  assert_false(contains(webs, "Hidden"));
  assert_false(contains(webs, "NoSearch"));
  assert_false(contains(webs, "_Template"));
  assert_str(site.x("%WEBLIST{webs=\"webtemplate\" subwebs=\"TestWeb\"}%"), "TestWeb/_Template");
  assert_str(site.x("%WEBLIST{\"$indentedname\" subwebs=\"TestWeb\" webs=\"public\"}%"),
             "<span class='foswikiWebIndent'></span>Sub");
  assert_str(site.x("%WEBLIST{webs=\"NoSuch, TestWeb\" format=\"$qname/$web\" web=\"X.Y\"}%"), "\"TestWeb\"/X/Y");
  assert_str(site.x("%WEBLIST{subwebs=\"No/Such\"}%"), "");
  Site admin("admin");
  assert_true(contains(admin.x("%WEBLIST{separator=\" \"}%"), "Hidden"));
  assert_true(contains(admin.x("%WEBLIST{separator=\" \"}%"), "NoSearch"));
}

// ---- ICON ----

static void icons(void**) {
  Site site;
  assert_str(site.x("%ICONURLPATH{\"doc\"}%"), "/foswiki/pub/System/DocumentGraphics/doc.png");
  assert_str(site.x("%ICONURLPATH{\"report.doc\"}%"), "/foswiki/pub/System/DocumentGraphics/doc.png");
  assert_str(site.x("%ICONURLPATH{\"archive.tgz\"}%"), "/foswiki/pub/System/DocumentGraphics/zip.gif");
  assert_str(site.x("%ICONURLPATH{\"nothing\"}%"), "/foswiki/pub/System/DocumentGraphics/else.png");
  assert_str(site.x("%ICONURLPATH{\"../../x\"}%"), "/foswiki/pub/System/DocumentGraphics/else.png");
  assert_str(site.x("%ICONURL{\"doc\"}%"), "http://localhost/foswiki/pub/System/DocumentGraphics/doc.png");
  assert_str(site.x("%ICON{\"doc\"}%"),
             "<span class='foswikiIcon'><img src='/foswiki/pub/System/DocumentGraphics/doc.png' "
             "width='16' height='16' alt='doc' /></span>");
  assert_true(contains(site.x("%ICON{\"doc\" quote=\"\\\"\"}%"), "src=\"/foswiki"));
  assert_true(contains(site.x("%ICON{\"x.zip\" alt=\"Zip\"}%"), "alt='Zip'"));
  // no icon topic at all (the icon topic is looked up once per request)
  Site none;
  none.s->prefs.set_session("ICONTOPIC", "Nowhere.NoTopic");
  assert_str(none.x("%ICONURLPATH{\"doc\"}%"), "");
}

// ---- helpers ----

static void helpers(void**) {
  assert_str(format_time(0, ""), "01 Jan 1970 - 00:00");
  assert_str(format_time(1700000000, "$iso"), "2023-11-14T22:13:20Z");
  assert_str(format_time(1700000000, "$rcs"), "2023/11/14 22:13:20");
  assert_str(format_time(1700000000, "$http"), "Tue, 14 Nov 2023 22:13:20 GMT");
  assert_str(format_time(1700000000, "$wday $dow $week $we $mo $ye $epoch $hours:$minutes:$seconds"),
             "Tue 2 46 46 11 23 1700000000 22:13:20");
  assert_str(break_name("ABCDEFG", "3"), "ABC- DEF- G");
  assert_str(break_name("ABCDEFG", "3, ..."), "ABC...");
  assert_str(break_name("ABCDEF", "3"), "ABC- DEF");
  assert_str(break_name("AB", ""), "AB");  // no arguments: unchanged
  auto l = split_comma_list(",a, b,,");
  assert_int_equal(l.size(), 3);
  assert_str(l[0], "");
  assert_str(protect_plain_text("See Main.WebHome, ABC and a@b 100%"),
             "See <nop>Main.WebHome, <nop>ABC and a<nop>@<nop>b 100<nop>%<nop>");
  assert_str(nop_bang_wikiwords("!WikiWord !notword x!AnotherOne"), "<nop>WikiWord !notword x<nop>AnotherOne");
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(base_users, setup, teardown),
      cmocka_unit_test_setup_teardown(topic_users, setup, teardown),
      cmocka_unit_test_setup_teardown(groups_and_membership, setup, teardown),
      cmocka_unit_test_setup_teardown(recursive_and_huge_groups, setup, teardown),
      cmocka_unit_test_setup_teardown(emails, setup, teardown),
      cmocka_unit_test_setup_teardown(user_macros, setup, teardown),
      cmocka_unit_test_setup_teardown(user_macros_cloak, setup, teardown),
      cmocka_unit_test_setup_teardown(groupinfo_and_groups, setup, teardown),
      cmocka_unit_test_setup_teardown(formfield, setup, teardown),
      cmocka_unit_test_setup_teardown(meta, setup, teardown),
      cmocka_unit_test_setup_teardown(format_macro, setup, teardown),
      cmocka_unit_test_setup_teardown(expand_and_parenttopic, setup, teardown),
      cmocka_unit_test_setup_teardown(lists, setup, teardown),
      cmocka_unit_test_setup_teardown(icons, setup, teardown),
      cmocka_unit_test(helpers),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

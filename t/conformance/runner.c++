// The conformance runner: replays the input/expected vectors taken from
// Foswiki's own unit tests (../shared/foswiki/conformance) against the
// engine, and prints how many pass, per source file and per category:
//
//   rendering   TML to HTML, anchors, plain text: the renderer's job
//   macros      cases whose input needs macro expansion (or newtopic
//               expansion), counted apart until the macro engine exists
//
// It fails (exit 1) when a category passes fewer cases than its floor in the
// floor file, so a change that breaks rendering cannot land unnoticed.
//
//   conformance [--corpus DIR] [--floor FILE] [--failures] [--only TEXT] [--verbose]
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "html_equal.h"
#include "http/message.h"
#include "macros/expand.h"
#include "macros/include_macros.h"
#include "macros/registry.h"
#include "macros/session.h"
#include "site/config.h"
#include "store/fs.h"
#include "store/names.h"
#include "store/store.h"
#include "tml/render.h"
#include "util/escape.h"
#include "util/regex.h"

using json = nlohmann::json;
using namespace cwiki;

namespace {

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Saves without fsync: the fixtures live for one case only.
class ScratchFs : public PosixFs {
 public:
  std::string write_atomic(const std::string& path, std::string_view data) const override {
    std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary);
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!out) return "cannot write " + tmp;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) return "cannot rename " + tmp;
    return "";
  }
};

bool has_macro(std::string_view s) {
  static const Regex re(R"(%[A-Za-z_][A-Za-z0-9_:]*(\{|%))");
  return re.search(s);
}

struct Case {
  json rec;
  bool regex = false;
  std::string category;
  std::string source;
};

std::string category_of(const json& rec) {
  const auto& pipe = rec["context"]["pipeline"];
  bool macros = false;
  for (const auto& step : pipe) {
    std::string op = step["op"];
    if (op == "expandNewTopic") macros = true;
    if (op == "expandMacros" && has_macro(rec["input"].get<std::string>())) macros = true;
  }
  return macros ? "macros" : "rendering";
}

class CaseLinks final : public LinkResolver {
 public:
  CaseLinks(const Store& s, std::string base, std::string parent)
      : s_(s), base_(std::move(base)), parent_(std::move(parent)) {}
  bool topic_exists(std::string_view web, std::string_view topic) const override {
    return s_.topic_exists(web, topic);
  }
  bool web_exists(std::string_view web) const override { return s_.web_exists(web); }
  std::string view_url(std::string_view web, std::string_view topic) const override {
    return base_ + "/foswiki/bin/view/" + url_encode(normalize_web(web), true) + "/" + url_encode(topic);
  }
  std::string edit_url(std::string_view web, std::string_view topic) const override {
    return base_ + "/foswiki/bin/edit/" + url_encode(normalize_web(web), true) + "/" +
           url_encode(topic) + "?topicparent=" + parent_;
  }

 private:
  const Store& s_;
  std::string base_, parent_;
};

// The base fixture, the webs and topics a case saves, in a fresh directory.
class Fixture {
 public:
  Fixture(const std::string& corpus, const std::string& shared_data, const json& ctx) {
    char tmpl[] = "/tmp/cwiki-conformance-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
    data_ = root_ + "/data";
    ::mkdir(data_.c_str(), 0755);
    ::mkdir((root_ + "/pub").c_str(), 0755);
    // The installation's System and _default webs (and System's
    // attachments, the icons among them), read only.
    for (const char* w : {"System", "_default"})
      if (is_dir(shared_data + "/" + w))
        (void)::symlink((shared_data + "/" + w).c_str(), (data_ + "/" + w).c_str());
    std::string shared_pub = shared_data + "/../pub/System";
    if (is_dir(shared_pub)) (void)::symlink(shared_pub.c_str(), (root_ + "/pub/System").c_str());
    // The registered user's e-mail lives in Foswiki's password file.
    {
      std::ofstream pw(data_ + "/.htpasswd");
      pw << "scum:$apr1$fixture$0000000000000000000000:scumbag@example.com\n";
    }
    // The base fixture, hard-linked: the store replaces files by rename and
    // never writes into one, so the shared copies stay as they are.
    std::string base = corpus + "/fixtures/base";
    for (const auto& web : posix_fs().list(base)) {
      ::mkdir((data_ + "/" + web).c_str(), 0755);
      for (const auto& f : posix_fs().list(base + "/" + web)) {
        std::string from = base + "/" + web + "/" + f, to = data_ + "/" + web + "/" + f;
        if (::link(from.c_str(), to.c_str()) != 0 && posix_fs().copy_file(from, to) != "")
          throw std::runtime_error("cannot copy the base fixture");
      }
    }
    StoreOptions o;
    o.data_dir = data_;
    o.pub_dir = root_ + "/pub";
    store_ = std::make_unique<Store>(o, fs_);
    if (ctx.contains("webs_created"))
      for (const auto& w : ctx["webs_created"]) create_web(w);
    if (ctx.contains("fixture_topics"))
      for (const auto& t : ctx["fixture_topics"]) save_topic(t);
  }
  ~Fixture() {
    ::nftw(root_.c_str(), [](const char* p, const struct stat*, int flag, struct FTW*) {
      return flag == FTW_DP ? ::rmdir(p) : ::unlink(p);
    }, 16, FTW_DEPTH | FTW_PHYS);
  }
  const Store& store() const { return *store_; }
  const std::string& root() const { return root_; }

 private:
  void create_web(const json& w) {
    std::string web = w["web"];
    SaveOptions so;
    so.author = "BaseUserMapping_333";
    if (w.contains("template") && w["template"].is_string()) {
      std::string err = store_->create_web(web, w["template"].get<std::string>(), so);
      if (err.empty()) return;
    }
    TopicDoc d;
    d.text = "Preferences";
    store_->save(web, "WebPreferences", d, so);
  }

  void save_topic(const json& t) {
    std::string web = t["web"], topic = t["topic"];
    if (!store_->web_exists(web)) create_web(json{{"web", web}});
    auto save_one = [&](const json& rev) {
      TopicDoc d;
      const json& meta = rev.contains("meta") ? rev["meta"] : json::object();
      if (meta.contains("_embedded_store_form")) {
        d = parse_topic(rev["text"].get<std::string>());
      } else {
        d.text = rev.value("text", "");
        for (auto it = meta.begin(); it != meta.end(); ++it) {
          const json& items = it.value().is_array() ? it.value() : json::array({it.value()});
          for (const auto& item : items) {
            if (!item.is_object()) continue;
            MetaItem m;
            m.type = it.key();
            for (auto a = item.begin(); a != item.end(); ++a)
              m.attrs.emplace_back(a.key(), a.value().is_string() ? a.value().get<std::string>()
                                                                   : a.value().dump());
            if (m.type != "TOPICINFO") d.meta.push_back(std::move(m));
          }
        }
      }
      SaveOptions so;
      so.author = rev.value("author", t.value("author", "guest"));
      so.force_new_revision = true;
      if (rev.contains("forcedate")) {
        const json& fd = rev["forcedate"];
        if (fd.contains("epoch")) so.forcedate = fd["epoch"].get<long long>();
        if (fd.contains("seconds_from_now"))
          so.forcedate = now_ns() / 1000000000LL + fd["seconds_from_now"].get<long long>();
      }
      store_->save(web, topic, std::move(d), so);
    };
    if (t.contains("earlier_revisions"))
      for (const auto& r : t["earlier_revisions"]) save_one(r);
    save_one(t);
  }

  std::string root_, data_;
  ScratchFs fs_;
  std::unique_ptr<Store> store_;
};

// A string field of a JSON object; `fallback` when absent or null.
std::string str_or(const json& o, const char* key, const std::string& fallback) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

// The corpus's "uri" comparison (its README): the query and the fragment
// become a sorted set of %-normalised key=value pairs.
std::string uri_normal(const std::string& u) {
  auto norm = [](std::string_view v) {
    std::string dec;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
        dec.push_back(static_cast<char>(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else {
        dec.push_back(v[i]);
      }
    }
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : dec) {
      if (std::isalnum(c) || std::strchr("-_.:~!*'/", c)) {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('%');
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
    }
    return out;
  };
  size_t cut = u.find_first_of("?#");
  if (cut == std::string::npos) return u;
  std::string base = u.substr(0, cut), query, fragment;
  bool has_fragment = false;
  std::string rest = u.substr(cut);
  if (rest[0] == '?') {
    size_t h = rest.find('#');
    query = rest.substr(1, h == std::string::npos ? std::string::npos : h - 1);
    if (h != std::string::npos) {
      fragment = rest.substr(h + 1);
      has_fragment = true;
    }
  } else {
    fragment = rest.substr(1);
    has_fragment = true;
  }
  std::vector<std::string> pairs;
  size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    size_t e = query.find_first_of(";&", i);
    if (e == std::string::npos) e = query.size();
    std::string p = query.substr(i, e - i);
    if (!p.empty()) {
      size_t eq = p.find('=');
      pairs.push_back(norm(p.substr(0, eq)) + "=" + (eq == std::string::npos ? "" : norm(p.substr(eq + 1))));
    }
    i = e + 1;
  }
  if (has_fragment) pairs.push_back("%23=" + norm(fragment));
  std::sort(pairs.begin(), pairs.end());
  std::string out = base + "?";
  for (size_t k = 0; k < pairs.size(); ++k) out += (k ? ";" : "") + pairs[k];
  return out;
}

struct Outcome {
  bool pass = false;
  std::string actual;
  std::string why;
};

std::string chomp(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

Outcome run_case(const Case& c, const std::string& corpus, const std::string& shared_data) {
  const json& rec = c.rec;
  const json& ctx = rec["context"];
  Outcome o;
  Fixture fx(corpus, shared_data, ctx);
  const json& session = ctx.contains("session") ? ctx["session"] : json::object();
  bool absolute = session.value("no_request", false);
  RenderOptions ro;
  if (ctx.contains("config")) {
    const json& cfg = ctx["config"];
    auto get = [&](const char* k) -> const json* { return cfg.contains(k) ? &cfg[k] : nullptr; };
    if (auto v = get("{AntiSpam}{EmailPadding}"); v && v->is_string()) ro.email_padding = *v;
    if (auto v = get("{AntiSpam}{EntityEncode}")) ro.entity_encode_email = v->is_number() ? v->get<int>() != 0 : false;
    if (auto v = get("{AntiSpam}{HideUserDetails}")) ro.hide_user_details = v->is_number() ? v->get<int>() != 0 : false;
    if (auto v = get("{AllowInlineScript}")) ro.allow_inline_script = v->is_number() ? v->get<int>() != 0 : false;
    if (auto v = get("{NameFilter}"); v && v->is_string()) ro.name_filter = *v;
  }
  // The session: the case's configuration, user, request and preferences.
  Config cfg;
  cfg.root = fx.root();
  cfg.view_url_path = "";  // the corpus has no short URLs
  cfg.admin_login = "root";  // the corpus's {AdminUserLogin}
  if (ctx.contains("config")) {
    const json& c = ctx["config"];
    if (c.contains("{ScriptSuffix}") && c["{ScriptSuffix}"].is_string())
      cfg.script_suffix = c["{ScriptSuffix}"];
    if (c.contains("{AntiSpam}{HideUserDetails}"))
      cfg.hide_user_details = c["{AntiSpam}{HideUserDetails}"].is_number() &&
                              c["{AntiSpam}{HideUserDetails}"].get<int>() != 0;
    if (c.contains("{WebMasterEmail}") && c["{WebMasterEmail}"].is_string())
      cfg.web_master_email = c["{WebMasterEmail}"];
    if (c.contains("{Languages}") && c["{Languages}"].is_object())
      for (auto it = c["{Languages}"].begin(); it != c["{Languages}"].end(); ++it)
        if (it.value().is_object() && it.value().value("Enabled", 0) != 0) cfg.languages.push_back(it.key());
    for (auto it = c.begin(); it != c.end(); ++it) {
      const std::string& k = it.key();
      if (k.rfind("{ScriptUrlPaths}{", 0) == 0 && it.value().is_string())
        cfg.script_url_paths[k.substr(17, k.size() - 18)] = it.value().get<std::string>();
    }
  }
  Params params;
  if (session.contains("url_params"))
    for (const auto& p : session["url_params"]) {
      std::string name = p[0];
      if (p[1].is_array()) {
        for (const auto& v : p[1]) params.add(name, v.is_string() ? v.get<std::string>() : v.dump());
      } else {
        params.add(name, p[1].is_string() ? p[1].get<std::string>() : p[1].dump());
      }
    }
  NullLog quiet;
  Session sess(cfg, fx.store(), params, quiet);
  sess.login = str_or(session, "user", "guest");
  sess.wikiname = str_or(session, "wikiname", "WikiGuest");
  sess.cuid = sess.login == "guest" ? "BaseUserMapping_666" : sess.login;
  sess.base = {str_or(session, "web", str_or(ctx, "web", "TestWeb")),
               str_or(session, "topic", str_or(ctx, "topic", "TestTopic"))};
  sess.absolute_urls = absolute;
  if (session.contains("context") && session["context"].is_object())
    for (auto it = session["context"].begin(); it != session["context"].end(); ++it) sess.contexts.insert(it.key());
  else if (session.contains("context") && session["context"].is_array())
    for (const auto& c : session["context"]) sess.contexts.insert(c.get<std::string>());
  if (absolute) sess.contexts.insert("command_line");
  sess.init_prefs();
  if (ctx.contains("preferences")) {
    const json& p = ctx["preferences"];
    for (const char* level : {"session", "func"})
      if (p.contains(level))
        for (auto it = p[level].begin(); it != p[level].end(); ++it)
          sess.prefs.set_session(it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    if (p.contains("internal"))
      for (auto it = p["internal"].begin(); it != p["internal"].end(); ++it)
        sess.prefs.set_internal(it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  }

  std::string text = rec["input"];
  for (const auto& step : ctx["pipeline"]) {
    std::string op = step["op"];
    RenderContext rc;
    rc.web = str_or(step, "web", str_or(ctx, "web", "TestWeb"));
    rc.topic = str_or(step, "topic", str_or(ctx, "topic", "TestTopic"));
    CaseLinks links(fx.store(), absolute ? "http://localhost" : "", rc.web + "." + rc.topic);
    rc.links = &links;
    rc.options = ro;
    rc.base_web = sess.base.web;
    rc.base_topic = sess.base.topic;
    if (op == "expandMacros") {
      TopicRef t{rc.web, rc.topic};
      if (step.contains("topic_object_text") && step["topic_object_text"].is_string())
        sess.scratch["topic_object_text"] = step["topic_object_text"].get<std::string>();
      text = expand_macros(sess, text, t);
    } else if (op == "renderTML") {
      text = render_tml(text, rc);
    } else if (op == "expandNewTopic") {
      std::string source = step.contains("topic_object_text") && step["topic_object_text"].is_string()
                               ? step["topic_object_text"].get<std::string>()
                               : text;
      text = expand_new_topic(sess, source, TopicRef{rc.web, rc.topic});
    } else if (op == "Anchors::make") {
      text = make_anchor(text);
    } else if (op == "TML2PlainText") {
      std::string opts = step.contains("opts") && step["opts"].is_string() ? step["opts"].get<std::string>() : "";
      text = tml_to_plain(text, rc, opts);
    } else {
      o.why = "operation " + op + " is not available";
      return o;
    }
  }
  if (ctx.contains("postprocess")) {
    for (const auto& p : ctx["postprocess"]) {
      if (p.value("chomp", false)) {
        text = chomp(text);
      } else if (p.value("perl_subst", "") == "s/<nop>//g") {
        for (size_t at; (at = text.find("<nop>")) != std::string::npos;) text.erase(at, 5);
      } else {
        o.why = "post-processing by Perl code is not replayed";
        o.actual = text;
        return o;
      }
    }
  }
  o.actual = text;
  if (c.regex) {
    Regex re(rec["pcre"].get<std::string>());
    bool m = re.search(text);
    o.pass = rec.value("negate", false) ? !m : m;
    if (!o.pass) o.why = rec.value("negate", false) ? "matches a pattern it must not match" : "does not match";
    return o;
  }
  std::string mode = rec["compare"];
  std::string expected = rec["expected"];
  if (mode == "exact") {
    o.pass = text == expected;
  } else if (mode == "html") {
    o.pass = conformance::html_equal(expected, text);
  } else if (mode == "uri") {
    o.pass = uri_normal(expected) == uri_normal(text);
  } else {
    o.why = "comparison mode " + mode + " is not replayed yet";
    return o;
  }
  if (!o.pass) o.why = "output differs";
  return o;
}

std::vector<Case> load(const std::string& file, bool regex) {
  std::vector<Case> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Case c;
    c.rec = json::parse(line);
    c.regex = regex;
    c.category = category_of(c.rec);
    std::string src = c.rec["source"];
    c.source = src.substr(src.rfind('/') + 1);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared = std::getenv("CWIKI_SHARED") ? std::getenv("CWIKI_SHARED") : "../shared";
  std::string corpus = shared + "/foswiki/conformance";
  std::string floor_file = "t/conformance/floors";
  bool failures = false, verbose = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--corpus" && i + 1 < argc) corpus = argv[++i];
    else if (a == "--floor" && i + 1 < argc) floor_file = argv[++i];
    else if (a == "--failures") failures = true;
    else if (a == "--verbose") verbose = failures = true;
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: conformance [--corpus DIR] [--floor FILE] [--failures] [--verbose] [--only TEXT]\n");
      return 2;
    }
  }
  if (!is_dir(corpus)) {
    std::printf("conformance: no corpus at %s; skipped\n", corpus.c_str());
    return 0;
  }
  std::string shared_data = corpus + "/../data";
  if (char* real = ::realpath(shared_data.c_str(), nullptr)) {  // the fixtures link to it
    shared_data = real;
    std::free(real);
  }
  register_all_macros();
  std::vector<Case> cases = load(corpus + "/tml-cases.jsonl", false);
  for (auto& c : load(corpus + "/tml-regex-cases.jsonl", true)) cases.push_back(std::move(c));

  std::map<std::string, std::pair<int, int>> by_category;                 // passed, total
  std::map<std::pair<std::string, std::string>, std::pair<int, int>> by_source;
  for (const auto& c : cases) {
    std::string id = c.rec["id"];
    if (!only.empty() && id.find(only) == std::string::npos) continue;
    Outcome o;
    try {
      o = run_case(c, corpus, shared_data);
    } catch (const std::exception& e) {
      o.why = std::string("exception: ") + e.what();
    }
    auto& cat = by_category[c.category];
    auto& src = by_source[{c.source, c.category}];
    ++cat.second;
    ++src.second;
    if (o.pass) {
      ++cat.first;
      ++src.first;
    } else if (failures && (c.category == "rendering" || !only.empty())) {
      std::printf("FAIL %s (%s): %s\n", id.c_str(), c.category.c_str(), o.why.c_str());
      if (verbose) {
        std::printf("  input:    %s\n", json(c.rec["input"]).dump().c_str());
        if (c.regex)
          std::printf("  pattern:  %s%s\n", c.rec.value("negate", false) ? "NOT " : "",
                      c.rec["pcre"].get<std::string>().c_str());
        else
          std::printf("  expected: %s\n", json(c.rec["expected"]).dump().c_str());
        std::printf("  actual:   %s\n", json(o.actual).dump(-1, ' ', false, json::error_handler_t::replace).c_str());
      }
    }
  }
  std::printf("%-28s %-10s %s\n", "source", "category", "passed");
  for (const auto& [k, v] : by_source)
    std::printf("%-28s %-10s %4d / %-4d\n", k.first.c_str(), k.second.c_str(), v.first, v.second);
  std::map<std::string, int> floors;
  {
    std::ifstream in(floor_file);
    std::string name;
    int n;
    while (in >> name >> n) floors[name] = n;
  }
  int rc = 0;
  for (const auto& [cat, v] : by_category) {
    int floor = floors.count(cat) ? floors[cat] : 0;
    bool below = only.empty() && v.first < floor;
    std::printf("conformance %-10s %4d / %-4d passed (%.1f%%), floor %d%s\n", cat.c_str(), v.first,
                v.second, v.second ? 100.0 * v.first / v.second : 0.0, floor,
                below ? "  <-- BELOW THE FLOOR" : "");
    if (below) rc = 1;
  }
  return rc;
}

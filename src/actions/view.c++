// view: a topic as a page, the way Foswiki's view script builds it.
//
// The view template (template=, VIEW_TEMPLATE, or "view"; for a missing
// topic TopicDoesNotExistView) is read through the skin path, split around
// %TEXT%, and each part (header, the topic text, footer) has its macros
// expanded and its TML rendered on its own; the zones (ADDTOZONE) are filled
// in last.  Parameters: rev=N (also rN, 1.N), section=, raw=on (the source in
// the page), raw=text (text/plain), raw=all / raw=debug (the whole file with
// META), template=, skin= / cover=, contenttype=.
#include <ctime>
#include <optional>

#include "actions/actions.h"
#include "actions/page.h"
#include "auth/access.h"
#include "macros/core.h"
#include "macros/expand.h"
#include "macros/include_util.h"
#include "macros/registry.h"
#include "macros/session.h"
#include "site/urls.h"
#include "tmpl/templates.h"
#include "tml/render.h"
#include "util/chars.h"
#include "util/escape.h"

namespace cwiki {
namespace {

class StoreLinks final : public LinkResolver {
 public:
  StoreLinks(const Config& cfg, const Store& store, std::string parent)
      : cfg_(cfg), store_(store), parent_(std::move(parent)) {}
  bool topic_exists(std::string_view web, std::string_view topic) const override {
    return store_.topic_exists(web, topic);
  }
  bool web_exists(std::string_view web) const override { return store_.web_exists(web); }
  std::string view_url(std::string_view web, std::string_view topic) const override {
    return cwiki::view_url(cfg_, web, topic);
  }
  std::string edit_url(std::string_view web, std::string_view topic) const override {
    return script_url(cfg_, "edit", web, topic) + "?topicparent=" + url_encode(parent_);
  }

 private:
  const Config& cfg_;
  const Store& store_;
  std::string parent_;
};

// An HTTP date (RFC 9110 IMF-fixdate) for seconds since the epoch.
std::string http_date(long long t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// Foswiki's view removes the <nop> and <noautolink> markers from a rendered
// part, with the spaces before them (keeping one) and a newline after.
std::string strip_markers(std::string_view s) {
  auto ieq = [&](size_t at, std::string_view w) {
    if (at + w.size() > s.size()) return false;
    for (size_t k = 0; k < w.size(); ++k)
      if (ascii_lower(s[at + k]) != w[k]) return false;
    return true;
  };
  std::string out;
  out.reserve(s.size());
  size_t run = 0;  // start of the text not yet copied
  for (size_t lt = s.find('<'); lt != std::string_view::npos; lt = s.find('<', lt + 1)) {
    size_t k = lt + 1;
    if (k < s.size() && s[k] == '/') ++k;
    size_t len = ieq(k, "nop") ? 3 : ieq(k, "noautolink") ? 10 : 0;
    if (!len) continue;
    size_t m = k + len;
    if (m < s.size() && s[m] == '/') ++m;
    if (m >= s.size() || s[m] != '>') continue;
    ++m;
    if (m < s.size() && s[m] == '\n') ++m;
    // "( ?) *" before the marker: the spaces go, one is kept
    size_t sp = lt;
    while (sp > run && s[sp - 1] == ' ') --sp;
    out.append(s.substr(run, sp - run));
    if (sp < lt) out.push_back(' ');
    run = m;
    lt = m - 1;
  }
  out.append(s.substr(run));
  return out;
}

// Foswiki's cleanUpRevID: "3", "r3" and "1.3" all mean revision 3; anything
// else means the latest (0).
int parse_rev(std::string_view s) {
  if (s.starts_with("r")) s.remove_prefix(1);
  else if (s.starts_with("1.")) s.remove_prefix(2);
  if (s.empty() || s.size() > 9) return 0;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

class ViewPage {
 public:
  ViewPage(const Context& ctx)
      : ctx_(ctx),
        s_(ctx.cfg, ctx.store, ctx.params, ctx.log),
        links_(ctx.cfg, ctx.store, ctx.route.web + "." + ctx.route.topic) {
    register_all_macros();
    s_.base = {ctx.route.web, ctx.route.topic};
    s_.action = "view";
    s_.request = &ctx.req;
    s_.query_string = ctx.req.query;
    if (const std::string* host = ctx.req.header("host"))
      s_.url_host = (ctx.req.secure ? "https://" : "http://") + *host;
    else
      s_.url_host = ctx.cfg.default_url_host;
    s_.secure = ctx.req.secure;
    s_.remote_addr = ctx.req.remote_addr;
    s_.contexts.insert("view");
    s_.init_prefs();
  }

  Session& session() { return s_; }

  // Expands and renders one part of the page, as Foswiki's view _prepare does.
  std::string prepare(std::string_view text, const char* context) {
    s_.contexts.insert(context);
    TopicRef t = s_.base;
    std::string expanded = expand_macros(s_, text, t);
    std::string html = render_tml(expanded, render_context(t));
    s_.contexts.erase(context);
    return strip_markers(html);
  }

  RenderContext render_context(const TopicRef& t) {
    RenderContext rc;
    rc.web = t.web;
    rc.topic = t.topic;
    rc.links = &links_;
    rc.base_web = s_.base.web;
    rc.base_topic = s_.base.topic;
    rc.options.users_web = ctx_.cfg.users_web;
    rc.options.system_web = ctx_.cfg.system_web;
    rc.options.home_topic = ctx_.cfg.default_topic;
    rc.options.pub_url_path = ctx_.cfg.pub_url_path;
    rc.pref = [this](std::string_view name) { return s_.prefs.get(name); };
    return rc;
  }

  // The whole page for `text` through the view template; nullopt when the
  // skin has no view template at all.
  std::optional<std::string> build(std::string_view text, bool exists, const std::string& raw,
                                   int rev, int latest) {
    std::optional<std::string> tmpl = read_view_template(s_, exists, raw);
    if (!tmpl) return std::nullopt;
    std::string rev_title, rev_arg;
    if (rev > 0 && rev < latest) {
      rev_title = "(r" + std::to_string(rev) + ")";
      rev_arg = "&rev=" + std::to_string(rev);
    }
    bool indexable = exists && raw.empty() && ctx_.params.size() == 0;
    std::string revisions;
    substitute_view_tokens(*tmpl, rev_title, rev_arg, indexable, &revisions);
    ViewParts parts = split_view_template(*tmpl, text);
    std::string page = prepare(parts.header, "header_text");
    if (!raw.empty()) {
      if (!parts.body.empty()) {
        page += "<textarea readonly=\"readonly\" class=\"foswikiTextarea foswikiTextareaRawView\" "
                "id=\"topic\" rows=\"22\" cols=\"70\">";
        append_html_escaped(page, parts.body);
        page += "</textarea>";
      }
    } else {
      page += prepare(parts.body, "body_text");
    }
    page += prepare(parts.footer, "footer_text");
    return render_zones(s_, std::move(page), [this](std::string_view tml, const TopicRef& t) {
      return render_tml(tml, render_context(t));
    });
  }

  // An oops page (accessdenied, attention...) with `status`, or nullopt when
  // the skin has no such template.
  std::optional<Response> oops(int status, std::string_view tmpl, std::string_view def,
                               const std::vector<std::string>& params, const TopicRef& topic) {
    auto text = oops_text(s_, tmpl, def, params, topic);
    if (!text) return std::nullopt;
    Response r;
    r.status = status;
    r.body = strip_markers(render_tml(*text, render_context(topic)));
    r.body = render_zones(s_, std::move(r.body), [this](std::string_view tml, const TopicRef& t) {
      return render_tml(tml, render_context(t));
    });
    r.set_header("Cache-Control", "no-cache");
    return r;
  }

 private:
  const Context& ctx_;
  Session s_;
  StoreLinks links_;
};

}  // namespace

Response view_action(const Context& ctx) {
  const Config& cfg = ctx.cfg;
  const std::string& web = ctx.route.web;
  const std::string& topic = ctx.route.topic;

  if (!ctx.store.web_exists(web)) {
    ViewPage page(ctx);
    if (auto r = page.oops(404, "accessdenied", "no_such_web", {"view"}, {web, "WebPreferences"}))
      return *r;
    return error_response(cfg, 404, "Web not found",
                          "The web \"" + web + "\" does not exist on this wiki.");
  }

  std::string err;
  TopicPtr snap = ctx.store.read(web, topic, &err);
  if (!snap && ctx.store.topic_exists(web, topic)) {
    ctx.log.write(LogLevel::error, 101, "cannot read topic " + web + "." + topic + ": " + err);
    return error_response(cfg, 500, "Topic cannot be read",
                          "The topic exists but could not be read; the server log has details.",
                          web, topic);
  }

  // rev=N: an earlier revision.  The access rules of the latest revision and
  // of the one shown both apply.
  std::optional<TopicSnapshot> older;
  AccessDecision acc;
  int latest = snap ? snap->info.version : 1;
  int rev = parse_rev(ctx.params.get_or("rev", ""));
  if (snap) {
    acc = guest_access(ctx.store, cfg, "VIEW", web, snap);
    if (acc.allowed && rev > 0 && rev < latest) {
      older = ctx.store.read_rev(web, topic, rev, &err);
      if (!older) {
        ctx.log.write(LogLevel::error, 103, "cannot read revision " + std::to_string(rev) +
                                                " of " + web + "." + topic + ": " + err);
        return error_response(cfg, 500, "Revision cannot be read",
                              "Revision " + std::to_string(rev) +
                                  " of this topic could not be read; the server log has details.",
                              web, topic);
      }
      acc = guest_access(ctx.store, cfg, "VIEW", web, older->doc);
    }
  }
  if (rev <= 0 || rev > latest) rev = latest;

  ViewPage page(ctx);
  if (!acc.allowed) {
    ctx.log.write(LogLevel::info, 102, "view of " + web + "." + topic + " denied: " + acc.reason);
    if (auto r = page.oops(403, "accessdenied", "topic_access", {"VIEW", acc.reason}, {web, topic}))
      return *r;
    return error_response(cfg, 403, "Access denied",
                          "You are not allowed to view " + web + "." + topic + ": " + acc.reason + ".",
                          web, topic);
  }

  Response r;
  std::string raw = snap ? ctx.params.get_or("raw", "") : "";
  std::string text;
  if (snap) {
    const TopicSnapshot& shown = older ? *older : *snap;
    r.set_header("Last-Modified", http_date(shown.info.date));
    text = shown.doc.text;
    if (const std::string* section = ctx.params.get("section"); section && !section->empty()) {
      SectionedText st = parse_sections(text);
      std::string picked;
      for (const auto& sec : st.sections)
        if (sec.type == "section" && sec.name == *section) {
          picked = st.text.substr(sec.start, sec.end - sec.start);
          break;
        }
      text = std::move(picked);
    }
    if (raw == "debug" || raw == "all") text = serialize_topic(shown.doc);
    if (rev < latest) page.session().contexts.insert("inactive");
  } else {
    page.session().contexts.insert("new_topic");
    r.status = 404;
  }

  const std::string* ct = ctx.params.get("contenttype");
  if (raw == "text" || raw == "all") {
    r.content_type = ct ? *ct : "text/plain; charset=utf-8";
    r.body = text;
    return r;
  }

  std::optional<std::string> html = page.build(text, snap != nullptr, raw, rev, latest);
  if (!html) {
    // No view template anywhere (no templates/ and no skin directory): a
    // plain page still shows the topic.
    if (!snap)
      return error_response(cfg, 404, "Topic not found",
                            "The topic \"" + topic + "\" does not exist in the web \"" + web + "\".",
                            web, topic);
    Page p{web, topic, topic, "", ""};
    if (!raw.empty()) {
      p.body_html = "<pre class=\"foswikiRaw\">" + html_escape(text) + "</pre>";
    } else {
      p.body_html = page.prepare(text, "body_text");
    }
    std::string base = html_escape(view_url(cfg, web, topic));
    p.actions_html = "<a href=\"" + base + "?raw=on\">Raw view</a> &middot; <a href=\"" + base +
                     "?raw=text\">Raw text</a>";
    html = ctx.params.get_or("skin", "") == "text" ? p.body_html : render_page(cfg, p);
  }
  r.body = std::move(*html);
  if (ct) r.content_type = *ct;
  return r;
}

}  // namespace cwiki

// view: a topic rendered as a page.
//
// Parameters: raw=on (the topic text, escaped, in the page), raw=all or
// raw=debug (the whole file with META), raw=text (text/plain), skin=text
// (only the rendered topic body).
#include "actions/actions.h"
#include "actions/page.h"

#include <ctime>
#include <optional>

#include "auth/access.h"
#include "site/urls.h"
#include "tml/render.h"
#include "util/escape.h"

namespace cwiki {
namespace {

class StoreLinks final : public LinkResolver {
 public:
  StoreLinks(const Config& cfg, const Store& store, std::string_view web, std::string_view topic)
      : cfg_(cfg), store_(store), parent_(std::string(web) + "." + std::string(topic)) {}
  bool topic_exists(std::string_view web, std::string_view topic) const override {
    return store_.topic_exists(web, topic);
  }
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

}  // namespace

Response view_action(const Context& ctx) {
  const Config& cfg = ctx.cfg;
  const std::string& web = ctx.route.web;
  const std::string& topic = ctx.route.topic;

  if (!ctx.store.web_exists(web))
    return error_response(cfg, 404, "Web not found",
                          "The web \"" + web + "\" does not exist on this wiki.");
  std::string err;
  TopicPtr snap = ctx.store.read(web, topic, &err);
  if (!snap) {
    if (!ctx.store.topic_exists(web, topic))
      return error_response(cfg, 404, "Topic not found",
                            "The topic \"" + topic + "\" does not exist in the web \"" + web +
                                "\". It can be created once editing is available.",
                            web, topic);
    ctx.log.write(LogLevel::error, 101, "cannot read topic " + web + "." + topic + ": " + err);
    return error_response(cfg, 500, "Topic cannot be read",
                          "The topic exists but could not be read; the server log has details.",
                          web, topic);
  }
  // rev=N (also "rN" or "1.N", as Foswiki accepts): an earlier revision.
  // The access rules of the latest revision and of the one shown both apply.
  AccessDecision acc = guest_access(ctx.store, cfg, "VIEW", web, snap->doc);
  int rev = parse_rev(ctx.params.get_or("rev", ""));
  std::optional<TopicSnapshot> older;
  if (acc.allowed && rev > 0 && rev < snap->info.version) {
    older = ctx.store.read_rev(web, topic, rev, &err);
    if (!older) {
      ctx.log.write(LogLevel::error, 103,
                    "cannot read revision " + std::to_string(rev) + " of " + web + "." + topic + ": " + err);
      return error_response(cfg, 500, "Revision cannot be read",
                            "Revision " + std::to_string(rev) +
                                " of this topic could not be read; the server log has details.",
                            web, topic);
    }
    acc = guest_access(ctx.store, cfg, "VIEW", web, older->doc);
  }
  const TopicDoc& parsed = older ? older->doc : snap->doc;
  if (!acc.allowed) {
    ctx.log.write(LogLevel::info, 102, "view of " + web + "." + topic + " denied: " + acc.reason);
    return error_response(cfg, 403, "Access denied",
                          "You are not allowed to view " + web + "." + topic + ": " + acc.reason +
                              ".",
                          web, topic);
  }

  Response r;
  r.set_header("Last-Modified", http_date(older ? older->info.date : snap->info.date));
  const std::string raw = ctx.params.get_or("raw", "");
  if (raw == "text") {
    r.content_type = "text/plain; charset=utf-8";
    r.body = parsed.text;
    return r;
  }
  if (!raw.empty()) {
    Page p{web, topic, topic, "", ""};
    p.body_html = "<pre class=\"foswikiRaw\">";
    append_html_escaped(p.body_html, raw == "all" || raw == "debug" ? serialize_topic(parsed)
                                                                   : parsed.text);
    p.body_html += "</pre>";
    p.actions_html = "<a href=\"" + html_escape(view_url(cfg, web, topic)) + "\">View topic</a>";
    r.body = render_page(cfg, p);
    return r;
  }

  StoreLinks links(cfg, ctx.store, web, topic);
  RenderContext rctx;
  rctx.web = web;
  rctx.topic = topic;
  rctx.links = &links;
  rctx.options.users_web = cfg.users_web;
  rctx.options.system_web = cfg.system_web;
  rctx.options.home_topic = cfg.default_topic;
  rctx.options.pub_url_path = cfg.pub_url_path;
  std::string body = render_tml(parsed.text, rctx);
  if (ctx.params.get_or("skin", "") == "text") {
    r.body = std::move(body);
    return r;
  }
  Page p{web, topic, topic, std::move(body), ""};
  std::string base = html_escape(view_url(cfg, web, topic));
  p.actions_html = "<a href=\"" + base + "?raw=on\">Raw view</a> &middot; <a href=\"" + base +
                   "?raw=text\">Raw text</a>";
  r.body = render_page(cfg, p);
  return r;
}

}  // namespace cwiki

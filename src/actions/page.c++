#include "actions/page.h"

#include "site/urls.h"
#include "util/escape.h"

namespace cwiki {
namespace {

constexpr std::string_view kStyle = R"css(
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#fff}
header{background:#1d3a5f;color:#fff;padding:.6em 1em}
header a{color:#fff;text-decoration:none}
header nav{font-size:.9em;opacity:.9}
main{max-width:60em;margin:0 auto;padding:1em}
footer{max-width:60em;margin:0 auto;padding:.5em 1em 2em;border-top:1px solid #ddd;font-size:.9em;color:#555}
pre{background:#f6f6f6;padding:.6em;overflow:auto}
table.foswikiTable{border-collapse:collapse}
table.foswikiTable td,table.foswikiTable th{border:1px solid #ccc;padding:.2em .5em}
a.foswikiNewLink{color:#a33}
)css";

}  // namespace

std::string render_page(const Config& cfg, const Page& p) {
  std::string out;
  out.reserve(p.body_html.size() + 2048);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  append_html_escaped(out, p.title);
  if (!p.web.empty()) {
    out += " &lt; ";
    append_html_escaped(out, p.web);
  }
  out += " &lt; ";
  append_html_escaped(out, cfg.site_name);
  out += "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<header><a href=\"";
  append_html_escaped(out, view_url(cfg, cfg.default_web, cfg.default_topic));
  out += "\"><strong>";
  append_html_escaped(out, cfg.site_name);
  out += "</strong></a>";
  if (!p.web.empty()) {
    out += "\n<nav aria-label=\"Breadcrumb\"><a href=\"";
    append_html_escaped(out, view_url(cfg, p.web, cfg.default_topic));
    out += "\">";
    append_html_escaped(out, p.web);
    out += "</a>";
    if (!p.topic.empty()) {
      out += " &rsaquo; ";
      append_html_escaped(out, p.topic);
    }
    out += "</nav>";
  }
  out += "</header>\n<main>\n<div class=\"foswikiTopic\">\n";
  out += p.body_html;
  out += "\n</div>\n</main>\n";
  if (!p.actions_html.empty()) {
    out += "<footer>";
    out += p.actions_html;
    out += "</footer>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

Response error_response(const Config& cfg, int status, std::string_view title,
                        std::string_view message, std::string_view web, std::string_view topic) {
  Response r;
  r.status = status;
  Page p;
  p.web = std::string(web);
  p.topic = std::string(topic);
  p.title = std::string(title);
  p.body_html = "<h1>";
  append_html_escaped(p.body_html, title);
  p.body_html += "</h1>\n<p>";
  append_html_escaped(p.body_html, message);
  p.body_html += "</p>\n";
  r.body = render_page(cfg, p);
  r.set_header("Cache-Control", "no-cache");
  return r;
}

}  // namespace cwiki

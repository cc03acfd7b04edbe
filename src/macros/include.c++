// The INCLUDE family: %INCLUDE%, the section and include-region markers,
// %TOC% (include_toc.c++) and the new-topic expansion.  Behaviour follows
// Foswiki 2 (Macros/INCLUDE.pm, IncludeHandlers/http.pm, parseSections and
// expandMacrosOnTopicCreation in Foswiki.pm) and its documentation
// (System.VarINCLUDE, VarSTARTSECTION, IncludeTopicsAndWebPages).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>

#include "macros/data_util.h"
#include "macros/expand.h"
#include "macros/include_macros.h"
#include "macros/include_util.h"
#include "macros/registry.h"
#include "store/names.h"
#include "util/escape.h"

namespace cwiki {

// Registered in include_toc.c++.
std::optional<std::string> toc_macro(Session& s, const Attrs& a, const TopicRef& topic);

namespace {

using incl::Pcre;
using incl::inline_alert;
using incl::normalize_web_topic;
using incl::perl_true;

constexpr int kMaxActiveIncludes = 99;  // Foswiki's hard limit on nested includes
// Our own limit on the topics included in one request, against pages whose
// includes fan out (A includes B twice, B includes C twice, ...).
constexpr long kMaxIncludesPerRequest = 10000;
const std::string kActivePrefix = "INCLUDE\x01";  // Session::scratch keys of includes in progress
const std::string kCountKey = "INCLUDE\x01count";  // Session::scratch: includes so far

const std::string* pref_ptr(Session& s, std::string_view name, std::optional<std::string>& hold) {
  hold = s.prefs.get(name);
  return hold ? &*hold : nullptr;
}

// What controls one INCLUDE (the parameters that are not passed on).
struct Control {
  std::string what;  // the current entry of the default parameter (or the URL)
  std::optional<std::string> pattern, rev, section, raw, warn;
  std::string args_key;  // the call's parameters, for the recursion guard
  TopicRef including;
  bool quiet = false;  // a failure's warning would be dropped: not worth writing
};

// Foswiki's _includeWarning: "on" gives the inline alert, another true value
// is the text to show ($topic standing for the argument), false is silence.
std::string include_warning(const Control& c, std::string_view def,
                            const std::vector<std::string>& params) {
  if (!c.warn || c.quiet) return "";
  if (*c.warn == "on") return inline_alert(def, params);
  if (!foswiki_is_true(&*c.warn)) return "";
  std::string argument;
  if (def == "topic_not_found" && params.size() >= 2) argument = params[0] + "." + params[1];
  else if (!params.empty()) argument = params[0];
  std::string w = *c.warn;
  if (!argument.empty()) {
    std::string out;
    size_t i = 0;
    for (size_t at; (at = w.find("$topic", i)) != std::string::npos; i = at + 6) {
      out.append(w, i, at - i);
      out += argument;
    }
    out.append(w, i, std::string::npos);
    w.swap(out);
  }
  return expand_standard_escapes(w);
}

// Foswiki's cleanUpRevID: "r3", "1.3" and "3" are revision 3; anything else 0.
int revision_number(const std::optional<std::string>& rev) {
  if (!rev) return 0;
  std::string_view r = *rev;
  if (r.size() >= 3 && (r[0] == 'r' || r[0] == 'R') && (r[1] == 'e' || r[1] == 'E') &&
      (r[2] == 'v' || r[2] == 'V'))
    r.remove_prefix(3);
  else if (!r.empty() && (r[0] == 'r' || r[0] == 'R'))
    r.remove_prefix(1);
  size_t dot = r.find('.');
  if (dot != std::string_view::npos) r.remove_prefix(dot + 1);
  if (r.empty() || r.size() > 9) return 0;
  int n = 0;
  for (char ch : r) {
    if (ch < '0' || ch > '9') return 0;
    n = n * 10 + (ch - '0');
  }
  return n;
}

// Foswiki's validatePattern: unescaped $ and @ become literal.
std::string defuse_pattern(std::string_view p) {
  static const Pcre re("(^|[^\\\\])([\\$\\@])");
  return re.replace(p, [](const Pcre::Match& m) {
    return std::string(m.str(1)) + "\\" + std::string(m.str(2));
  });
}

// Foswiki's applyPatternToIncludedText: the first group of the first match
// of `pattern` (case-insensitive, '.' matching newlines), or "".
std::string apply_pattern(std::string_view text, std::string_view pattern) {
  try {
    Pcre re(defuse_pattern(pattern) + "()", PCRE2_CASELESS | PCRE2_DOTALL);
    Pcre::Match m;
    if (!re.find(text, 0, m)) return "";
    return std::string(m.str(1));
  } catch (const std::exception&) {
    return "";
  }
}

// ---- links in text included from another web (_fixupIncludedTopic) ----

const Pcre& wikiword_re() {
  static const Pcre re("(?:^|(?<=[\\s\\(]))((:?" + std::string(incl::kWikiWord) + ")(:?" +
                       std::string(incl::kAnchor) + ")?)(?:$|(?=[\\s,.;:!?)]))");
  return re;
}
const Pcre& acronym_re() {
  static const Pcre re("(?:^|(?<=[\\s\\(]))(" + std::string(incl::kAbbrev) + ")(" +
                       std::string(incl::kAnchor) + ")?(?:$|(?=[\\s,.;:!?)]))");
  return re;
}
const Pcre& bracket_link_re() {
  static const Pcre re("\\[\\[([^\\]]+)\\](?:\\[([^\\]]+)\\])?\\]");
  return re;
}
const Pcre& qualified_link_re() {
  static const Pcre re("^(?:" + std::string(incl::kWebName) + "\\.|" +
                       std::string(incl::kDefaultWebName) + "\\.|" +
                       std::string(incl::kLinkProtocols) + ":|/)");
  return re;
}

// Foswiki's _fixIncludeLink: [[link][label]] gets the included topic's web,
// unless it is already qualified, a URL, an anchor or no topic name.
std::string fix_bracket_link(std::string_view web, std::string_view link,
                             std::optional<std::string_view> label) {
  if (qualified_link_re().search(link)) {
    if (label && !label->empty())
      return "[[" + std::string(link) + "][" + std::string(*label) + "]]";
    return "[[" + std::string(link) + "]]";
  }
  std::string lab(label && !label->empty() ? *label : link);
  if (!link.empty() && link[0] == '#') return "[[" + std::string(link) + "][" + lab + "]]";
  // A spaced-out WikiWord collapses: upper-case the first letter and each
  // letter or digit after white space.
  std::string topic;
  for (size_t i = 0; i < link.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(link[i]);
    if (i == 0 && c >= 'a' && c <= 'z') {
      topic.push_back(static_cast<char>(c - 32));
    } else if ((c == ' ' || c == '\t') && i + 1 < link.size() &&
               std::isalnum(static_cast<unsigned char>(link[i + 1]))) {
      unsigned char n = static_cast<unsigned char>(link[++i]);
      topic.push_back(static_cast<char>(n >= 'a' && n <= 'z' ? n - 32 : n));
    } else {
      topic.push_back(static_cast<char>(c));
    }
  }
  if (is_valid_topic_name(topic, true)) return "[[" + std::string(web) + "." + topic + "][" + lab + "]]";
  return "[[" + topic + "][" + lab + "]]";
}

std::string fixup_line(Session& s, std::string_view line, const std::string& web, bool autolink) {
  std::string t(line);
  if (autolink) {
    t = wikiword_re().replace(t, [&](const Pcre::Match& m) { return web + "." + std::string(m.str(1)); });
    t = acronym_re().replace(t, [&](const Pcre::Match& m) {
      std::string word(m.str(1)), anchor(m.str(2));
      if (s.store.topic_exists(web, word)) return web + "." + word + anchor;
      return word + anchor;
    });
  }
  return bracket_link_re().replace(t, [&](const Pcre::Match& m) {
    std::optional<std::string_view> label;
    if (m.has(2)) label = m.str(2);
    return fix_bracket_link(web, m.str(1), label);
  });
}

bool tag_line(std::string_view line, std::string_view tag, bool closing, bool to_end) {
  // ^\s*<tag\b[^>]*>\s*$  or  ^\s*</tag>\s*$ (to_end false: anything may follow)
  size_t i = 0;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  if (i >= line.size() || line[i] != '<') return false;
  ++i;
  if (closing) {
    if (i >= line.size() || line[i] != '/') return false;
    ++i;
  }
  if (line.size() - i < tag.size()) return false;
  for (size_t k = 0; k < tag.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(line[i + k])) != tag[k]) return false;
  i += tag.size();
  if (closing) {
    if (i >= line.size() || line[i] != '>') return false;
    ++i;
  } else {
    if (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_'))
      return false;
    size_t gt = line.find('>', i);
    if (gt == std::string_view::npos) return false;
    i = gt + 1;
  }
  if (!to_end) return true;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  return i == line.size();
}

// Foswiki's forEachLine with the options INCLUDE uses (pre and noautolink
// lines are visited, verbatim and literal ones are not), applying the link
// fix-up to each visited line.
std::string fixup_included_text(Session& s, std::string_view text, const std::string& web,
                                bool noautolink_pref) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  int in_verbatim = 0, in_literal = 0, in_noautolink = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find_first_of("\r\n", i);
    std::string_view line = text.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
    if (tag_line(line, "verbatim", false, true)) ++in_verbatim;
    if (tag_line(line, "verbatim", true, true)) --in_verbatim;
    if (tag_line(line, "literal", false, true)) ++in_literal;
    if (tag_line(line, "literal", true, true)) --in_literal;
    if (in_verbatim <= 0 && in_literal <= 0) {
      // <pre> only matters for the option that skips pre blocks; INCLUDE
      // visits them, so it is not tracked.
      if (tag_line(line, "noautolink", false, true)) ++in_noautolink;
      if (tag_line(line, "noautolink", true, false)) --in_noautolink;
    }
    if (in_verbatim > 0 || in_literal > 0) out.append(line);
    else out += fixup_line(s, line, web, !noautolink_pref && in_noautolink <= 0);
    if (nl == std::string_view::npos) break;
    size_t e = text.find_first_not_of("\r\n", nl);
    if (e == std::string_view::npos) e = text.size();
    out.append(text.substr(nl, e - nl));
    i = e;
  }
  return out;
}

// ---- URL includes (IncludeHandlers/http.pm) ----

bool truthy_param(const Attrs& a, std::string_view name) { return perl_true(a.get(name)); }

// Relative URLs in included HTML made absolute (_rewriteURLInInclude).
std::string rewrite_url(std::string_view host, std::string_view abs_path, std::string_view url) {
  std::string dir(abs_path);
  size_t slash = dir.rfind('/');
  dir = slash == std::string::npos ? std::string() : dir.substr(0, slash + 1);
  static const Pcre proto("^" + std::string(incl::kLinkProtocols) + ":");
  if (!url.empty() && url[0] == '/') return std::string(host) + std::string(url);
  if (!url.empty() && url[0] == '.') return std::string(host) + dir + "/" + std::string(url);
  if (proto.search(url)) return std::string(url);
  if (!url.empty() && url[0] == '#') return std::string(url);
  if (!url.empty()) return std::string(host) + dir + "/" + std::string(url);
  return std::string(url);
}

// Foswiki's _cleanupIncludedHTML: head, scripts and body tags go, tags lose
// their newlines, relative URLs become absolute; each step can be disabled.
std::string cleanup_included_html(std::string text, std::string_view host, std::string_view path,
                                  const Attrs& opts) {
  auto cut = [&](const char* pattern, uint32_t flags) {
    Pcre re(pattern, flags);
    text = re.replace(text, [](const Pcre::Match&) { return std::string(); });
  };
  const uint32_t is = PCRE2_CASELESS | PCRE2_DOTALL;
  if (!truthy_param(opts, "disableremoveheaders")) {
    Pcre re("^.*?</head>", is);
    text = re.replace(text, [](const Pcre::Match&) { return std::string(); }, false);
  }
  if (!truthy_param(opts, "disableremovescript")) cut("<script.*?</script>", is);
  if (!truthy_param(opts, "disableremovebody")) {
    Pcre body("^.*?<body[^>]*>", is);
    text = body.replace(text, [](const Pcre::Match&) { return std::string(); }, false);
    Pcre end("\\n</body>.*", is);
    text = end.replace(text, [](const Pcre::Match&) { return std::string(); }, false);
  }
  if (!truthy_param(opts, "disableremoveheaders")) {
    Pcre re("\\n</html>.*", is);
    text = re.replace(text, [](const Pcre::Match&) { return std::string(); }, false);
  }
  if (!truthy_param(opts, "disablecompresstags")) {
    Pcre re("(<[^>]*>)", PCRE2_DOTALL);
    text = re.replace(text, [](const Pcre::Match& m) {
      std::string tag(m.str(1)), out;
      for (size_t i = 0; i < tag.size(); ++i) {
        if (tag[i] == '\r' || tag[i] == '\n') {
          while (i + 1 < tag.size() && (tag[i + 1] == '\r' || tag[i + 1] == '\n')) ++i;
          out.push_back(' ');
        } else {
          out.push_back(tag[i]);
        }
      }
      return out;
    });
  }
  if (!truthy_param(opts, "disablerewriteurls")) {
    Pcre re("(\\s(?:href|src|action)=([\"']))(.*?)\\2", is);
    text = re.replace(text, [&](const Pcre::Match& m) {
      return std::string(m.str(1)) + rewrite_url(host, path, m.str(3)) + std::string(m.str(2));
    });
  }
  return text;
}

std::string include_url(Session& s, const Control& c, const Attrs& params) {
  const std::string& url = c.what;
  // A URL of one of this site's attachments (.txt, .htm, .html) is read
  // from the store, without the network.
  std::string pub = s.url_host + s.cfg.pub_url_path + "/";
  if (url.compare(0, pub.size(), pub) == 0) {
    static const Pcre att("^(" + std::string(incl::kWebName) + ")/([^/.]+)/([^/]+)$");
    Pcre::Match m;
    std::string_view rest = std::string_view(url).substr(pub.size());
    static const Pcre textual("\\.(txt|html?)$", PCRE2_CASELESS);
    if (att.find(rest, 0, m) && textual.search(m.str(3))) {
      std::string web = normalize_web(m.str(1)), topic(m.str(2)), file(m.str(3));
      if (!is_valid_web_name(web) || !is_valid_topic_name(topic, true) ||
          !is_valid_attachment_name(file) || !s.store.attachment_exists(web, topic, file))
        return include_warning(c, "bad_attachment", {url});
      if (web != normalize_web(c.including.web) || topic != c.including.topic) {
        if (!may_access(s, "VIEW", web, topic, s.store.read(web, topic)))
          return include_warning(c, "access_denied", {web + "." + topic});
      }
      auto data = s.store.read_attachment(web, topic, file);
      std::string text = data ? *data : std::string();
      if (!perl_true(c.raw)) {
        // As Foswiki does, host and path come from the (relative) pub URL.
        static const Pcre hp("^((?:[a-z]+:)?/*[^/]*)(/[^#?]*)");
        Pcre::Match h;
        std::string host, path;
        if (hp.find(s.cfg.pub_url_path, 0, h)) {
          host = std::string(h.str(1));
          path = std::string(h.str(2));
        }
        text = cleanup_included_html(std::move(text), host, path, params);
      }
      if (perl_true(c.pattern)) text = apply_pattern(text, *c.pattern);
      if (truthy_param(params, "literal")) text = "<literal>\n" + text + "\n</literal>";
      return text;
    }
  }
  // {INCLUDE}{AllowURLs} is off: the network is never used.
  return include_warning(c, "urls_not_allowed", {});
}

// ---- topic includes ----

struct ActiveInclude {
  Session& s;
  std::string key;
  ActiveInclude(Session& sess, std::string k) : s(sess), key(kActivePrefix + std::move(k)) {
    s.scratch[key] = "1";
    ++s.include_depth;
  }
  ~ActiveInclude() {
    s.scratch.erase(key);
    --s.include_depth;
  }
};

struct ContextGuard {
  Session& s;
  explicit ContextGuard(Session& sess, const TopicRef& t) : s(sess) { s.push_topic_context(t); }
  ~ContextGuard() { s.pop_topic_context(); }
};

// Foswiki's _includeTopic: the text of one topic of the list, or a warning;
// `error` names what failed ("" on success).
std::string include_topic(Session& s, const Control& c, const Attrs& params, std::string& error) {
  std::string name = c.what;
  if (name.size() >= 4 && name.compare(name.size() - 4, 4, ".txt") == 0) name.resize(name.size() - 4);
  auto [web, topic] = normalize_web_topic(c.including.web, name, s.cfg.users_web, s.cfg.default_topic);
  if (!is_valid_topic_name(topic, true)) {
    error = "bad_include_path";
    return include_warning(c, "bad_include_path", {c.what});
  }
  if (!is_valid_web_name(web) || !s.store.topic_exists(web, topic)) {
    error = "topic_not_found";
    return include_warning(c, "topic_not_found", {web, topic});
  }
  // Recursion guard: the same call from the same topic cannot be active
  // twice, and at most kMaxActiveIncludes includes nest.
  std::string key = normalize_web(c.including.web) + "." + c.including.topic + c.args_key;
  if (s.scratch.count(kActivePrefix + key) || s.include_depth > kMaxActiveIncludes) {
    error = "already_included";
    return include_warning(c, "already_included", {web + "." + topic, ""});
  }

  {
    std::string& count = s.scratch[kCountKey];
    long n = count.empty() ? 0 : std::stol(count);
    if (n >= kMaxIncludesPerRequest) {
      if (n == kMaxIncludesPerRequest)
        s.log.write(LogLevel::warning, 251, "INCLUDE: too many topics included in one page; stopped");
      count = std::to_string(n + 1);
      error = "too_many_includes";
      return "<span class='foswikiAlert'>\n   Warning: Can't INCLUDE <nop>" + web + "." + topic +
             ", the page includes too many topics. \n</span>";
    }
    count = std::to_string(n + 1);
  }

  // Access follows the latest revision's settings, also when an older
  // revision is included (as Foswiki's preferences always do).
  TopicPtr latest = s.store.read(web, topic);
  if (!may_access(s, "VIEW", web, topic, latest)) {
    error = "access_denied";
    return include_warning(c, "access_denied", {web + "." + topic, ""});
  }
  std::string text;
  if (int rev = revision_number(c.rev); rev > 0) {
    if (auto snap = s.store.read_rev(web, topic, rev)) text = std::move(snap->doc.text);
  } else if (latest) {
    text = latest->doc.text;
  }

  // As Foswiki does, the context pushed is the request's topic: the
  // included topic's own settings do not apply, but what it sets with %SET%
  // stays within the include.
  ContextGuard context(s, s.base);
  ActiveInclude active(s, key);
  for (const auto& [n, v] : params.values())
    if (!n.empty() && n[0] != '_') s.prefs.set_session(n, v);
  s.prefs.set_internal("INCLUDINGWEB", c.including.web);
  s.prefs.set_internal("INCLUDINGTOPIC", c.including.topic);

  {  // leading newlines become one, trailing ones go
    size_t a = 0;
    while (a < text.size() && (text[a] == '\r' || text[a] == '\n')) ++a;
    if (a > 0) text.replace(0, a, "\n");
    size_t b = text.size();
    while (b > 0 && (text[b - 1] == '\r' || text[b - 1] == '\n')) --b;
    text.resize(b);
  }
  bool named = perl_true(c.section);
  if (!named) {
    size_t st = text.find("%STARTINCLUDE%");
    if (st != std::string::npos) text.erase(0, st + 14);
    size_t e1 = text.find("%STOPINCLUDE%"), e2 = text.find("%ENDINCLUDE%");
    size_t e = std::min(e1, e2);
    if (e != std::string::npos) text.resize(e);
  }

  SectionedText parsed = parse_sections(text);
  bool interesting = c.section.has_value();
  if (interesting || !parsed.sections.empty()) {
    text.clear();
    for (const TextSection& sec : parsed.sections) {
      bool take = (named && sec.type == "section" && sec.name == *c.section) ||
                  (sec.type == "include" && !named);
      if (!take) continue;
      interesting = true;
      text.append(parsed.text, sec.start, sec.end - sec.start);
      // The section's other parameters are defaults for macros of the same
      // name, unless a (true) value is set already.  As in Foswiki, "end"
      // (the section's end offset) is one of them.
      auto set_default = [&](const std::string& n, const std::string& v) {
        std::optional<std::string> cur = s.prefs.get(n);
        if (!perl_true(cur)) s.prefs.set_session(n, v);
      };
      for (const auto& [n, v] : sec.attrs.values())
        if (!n.empty() && n[0] != '_' && n != "name" && n != "type" && n != "start" && n != "end")
          set_default(n, v);
      set_default("end", std::to_string(sec.end));
      if (named) break;
    }
  }

  if (interesting && text.empty()) {
    error = "topic_section_not_found";
    return include_warning(c, "topic_section_not_found", {web, topic, c.section ? *c.section : ""});
  }
  if (!interesting) text = std::move(parsed.text);
  if (perl_true(c.pattern)) text = apply_pattern(text, *c.pattern);
  std::optional<std::string> hold;
  if (foswiki_is_true(pref_ptr(s, "TOC_HIDE_IF_INCLUDED", hold))) {
    static const Pcre toc("%TOC(?:\\{(.*?)\\})?%");
    text = toc.replace(text, [](const Pcre::Match&) { return std::string(); });
  }
  TopicRef included{web, topic};
  text = expand_inner(s, text, included);
  // Foswiki expands a second time, after the plugins' commonTagsHandler.
  text = expand_inner(s, text, included);
  if (web != normalize_web(c.including.web)) {
    bool noautolink = foswiki_is_true(pref_ptr(s, "NOAUTOLINK", hold));
    text = fixup_included_text(s, text, web, noautolink);
    text = expand_inner(s, text, included);
  }
  return text;
}

// A canonical form of the call's parameters (Foswiki's Attrs::stringify).
std::string args_key(const Attrs& a) {
  std::vector<std::pair<std::string, std::string>> v = a.values();
  std::sort(v.begin(), v.end());
  std::string out;
  for (const auto& [n, val] : v) {
    out += ' ';
    if (n != "_DEFAULT") out += n + "=";
    out += '"';
    for (char ch : val) {
      if (ch == '"') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out;
}

std::optional<std::string> include_macro(Session& s, const Attrs& a, const TopicRef& including) {
  Control c;
  c.args_key = args_key(a);
  c.including = including;
  Attrs params = a;
  auto take = [&](std::string_view n) -> std::optional<std::string> {
    const std::string* v = params.get(n);
    std::optional<std::string> r;
    if (v) r = *v;
    params.remove(n);
    return r;
  };
  std::optional<std::string> def = take("_DEFAULT");
  c.pattern = take("pattern");
  c.rev = take("rev");
  c.section = take("section");
  c.raw = take("raw");
  c.warn = take("warn");
  if (!perl_true(c.warn)) c.warn = s.prefs.get("INCLUDEWARNING");

  std::string text;
  if (!perl_true(def)) {
    text = include_warning(c, "bad_include_path", {""});
  } else if (def->find("..") != std::string::npos) {  // {DenyDotDotInclude}
    text = include_warning(c, "bad_include_path", {*def});
  } else {
    if (c.section && c.section->empty()) c.section.reset();
    size_t colon = 0;
    while (colon < def->size() && (*def)[colon] >= 'a' && (*def)[colon] <= 'z') ++colon;
    if (colon > 0 && colon < def->size() && (*def)[colon] == ':') {
      std::string handler = def->substr(0, colon);
      c.what = *def;
      if (handler == "http" || handler == "https") text = include_url(s, c, params);
      else if (handler == "doc") text = "";  // no Perl modules to document here
      else text = include_warning(c, "bad_include_path", {"BROKEN " + handler + " for " + *def});
    } else {
      // A comma-separated list: the first topic that can be included.
      std::vector<std::string> list;
      const std::string& d = *def;
      size_t i = 0;
      while (true) {
        size_t comma = d.find(',', i);
        list.push_back(d.substr(i, comma == std::string::npos ? std::string::npos : comma - i));
        if (comma == std::string::npos) break;
        i = comma + 1;
        while (i < d.size() && std::isspace(static_cast<unsigned char>(d[i]))) ++i;
      }
      while (!list.empty() && list.back().empty()) list.pop_back();  // as Perl's split
      for (size_t k = 0; k < list.size(); ++k) {
        const std::string& t = list[k];
        c.what = t;
        c.quiet = k + 1 < list.size();  // only the last entry's warning is shown
        std::string error;
        text = include_topic(s, c, params, error);
        if (error.empty()) break;
      }
    }
  }

  // headingoffset: the renderer shifts the headings between the markers.
  if (const std::string* h = params.get("headingoffset")) {
    std::string_view v = *h;
    bool ok = !v.empty();
    size_t k = (ok && (v[0] == '+' || v[0] == '-')) ? 1 : 0;
    ok = ok && k < v.size() && v.size() - k <= 9;
    for (size_t j = k; ok && j < v.size(); ++j) ok = v[j] >= '0' && v[j] <= '9';
    if (ok) {
      int off = std::stoi(std::string(v.substr(k)));
      if (v[0] == '-') off = -off;
      if (off != 0)
        text = "<ho off=\"" + std::to_string(off) + "\"/>\n" + text + "\n<ho off=\"" +
               std::to_string(-off) + "\">";
    }
  }
  return text;
}

std::optional<std::string> nothing(Session&, const Attrs&, const TopicRef&) { return std::string(); }

// ---- new-topic expansion ----

bool legacy_creation_macro(std::string_view tag) {
  for (std::string_view n : {"URLPARAM", "DATE", "SERVERTIME", "GMTIME", "USERNAME", "WIKINAME",
                             "WIKIUSERNAME", "USERINFO"})
    if (tag == n) return true;
  return false;
}

std::string creation_pass(Session& s, std::string_view text, const TopicRef& topic, bool legacy) {
  return process_macros(s, text, [&](std::string_view tag, std::optional<std::string_view> args)
                                     -> std::optional<std::string> {
    if (tag == "NOP" && args) return std::string();
    if (tag.size() > 7 && tag.compare(0, 7, "CREATE:") == 0)
      return expand_call(s, tag.substr(7), args, topic);
    if (legacy && legacy_creation_macro(tag)) return expand_call(s, tag, args, topic);
    return std::nullopt;
  });
}

std::string remove_nop(std::string t) {
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 5, "%NOP%") == 0) {
      i += 5;
      continue;
    }
    out.push_back(t[i++]);
  }
  return out;
}

std::string with_section_tags(const std::string& text, const TextSection& sec) {
  std::string raw = sec.raw ? *sec.raw : std::string();
  return text.substr(0, sec.start) + "%STARTSECTION{" + raw + "}%" +
         text.substr(sec.start, sec.end - sec.start) + "%ENDSECTION{" + raw + "}%" +
         text.substr(sec.end);
}

}  // namespace

std::string expand_new_topic(Session& s, std::string_view input, const TopicRef& topic,
                             bool legacy_subset) {
  std::string text(input);
  if (text.empty()) return text;
  {
    SectionedText p = parse_sections(text);
    if (!p.sections.empty()) {
      // templateonly regions are blanked (keeping the offsets), the tags of
      // the other sections written back, then the blanks go.
      std::string t = std::move(p.text);
      for (auto it = p.sections.rbegin(); it != p.sections.rend(); ++it)
        if (it->type == "templateonly") std::fill(t.begin() + it->start, t.begin() + it->end, '\0');
      for (auto it = p.sections.rbegin(); it != p.sections.rend(); ++it)
        if (it->type != "templateonly") t = with_section_tags(t, *it);
      t.erase(std::remove(t.begin(), t.end(), '\0'), t.end());
      text = std::move(t);
    }
  }
  text = creation_pass(s, text, topic, legacy_subset);
  {
    SectionedText p = parse_sections(text);
    if (!p.sections.empty()) {
      std::string t = std::move(p.text);
      for (auto it = p.sections.rbegin(); it != p.sections.rend(); ++it) {
        if (it->type == "expandvariables") {
          std::string inner = expand_inner(s, std::string_view(t).substr(it->start, it->end - it->start), topic);
          t = t.substr(0, it->start) + inner + t.substr(it->end);
        } else {
          t = with_section_tags(t, *it);
        }
      }
      text = std::move(t);
    }
  }
  return remove_nop(std::move(text));
}

std::string expand_new_topic_value(Session& s, std::string_view value, const TopicRef& topic,
                                   bool legacy_subset) {
  return remove_nop(creation_pass(s, value, topic, legacy_subset));
}

void register_include_macros() {
  register_macro("INCLUDE", include_macro);
  for (const char* n : {"STARTSECTION", "ENDSECTION", "STOPSECTION", "STARTINCLUDE", "STOPINCLUDE",
                        "ENDINCLUDE"})
    register_macro(n, nothing);
  register_macro(std::string(kTocHook), toc_macro);
}

}  // namespace cwiki

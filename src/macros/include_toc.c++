// %TOC%: the table of contents of the page being expanded, or of another
// topic, as Foswiki 2 builds it (Macros/TOC.pm).  The engine calls it after
// every other macro, with the whole expanded text in "_TEXT" and the number
// of this TOC in the page in "_INSTANCE" (see kTocHook in expand.h).
//
// The result is TML: a <div> holding a bulleted list of links (one tab per
// heading level) that the renderer turns into nested lists.  Anchor names are
// made as the renderer makes them for the headings (make_anchor), numbered
// _AN1, _AN2, ... when they repeat.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>
#include <set>

#include "macros/data_util.h"
#include "macros/expand.h"
#include "macros/include_util.h"
#include "site/urls.h"
#include "store/names.h"
#include "tml/anchors.h"
#include "tml/render.h"
#include "util/escape.h"

namespace cwiki {

std::optional<std::string> toc_macro(Session& s, const Attrs& a, const TopicRef& topic);

namespace {

using incl::Pcre;
using incl::inline_alert;
using incl::normalize_web_topic;
using incl::perl_true;

// Perl's numeric value of a string: leading blanks, a sign, digits.
long perl_number(const std::string* v) {
  if (!v) return 0;
  size_t i = 0;
  while (i < v->size() && std::isspace(static_cast<unsigned char>((*v)[i]))) ++i;
  bool neg = false;
  if (i < v->size() && ((*v)[i] == '-' || (*v)[i] == '+')) neg = (*v)[i++] == '-';
  long n = 0;
  while (i < v->size() && (*v)[i] >= '0' && (*v)[i] <= '9' && n < 1000000) n = n * 10 + ((*v)[i++] - '0');
  return neg ? -n : n;
}

// `value` when Perl-true, else the preference when Perl-true, else nullopt.
std::optional<std::string> param_or_pref(Session& s, const std::string* value, std::string_view pref) {
  if (perl_true(value)) return *value;
  std::optional<std::string> p = s.prefs.get(pref);
  if (perl_true(p)) return p;
  return std::nullopt;
}

// Heading lines that start an HTML comment keep it (it is part of the
// heading's anchor); every other comment goes.
std::string strip_comments(std::string text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    size_t e = nl == std::string::npos ? text.size() : nl;
    std::string_view line(text.data() + i, e - i);
    size_t c = std::string_view::npos;
    if (line.size() >= 3 && line.compare(0, 3, "---") == 0) c = line.find("<!--", 3);
    if (c != std::string_view::npos) {
      std::string_view right = line.substr(c + 4);
      out.append(line.substr(0, c));
      out += right.find("-->") != std::string_view::npos ? std::string("\0!--", 4) : std::string("<!..");
      out.append(right);
    } else {
      out.append(line);
    }
    if (nl == std::string::npos) break;
    out.push_back('\n');
    i = nl + 1;
  }
  std::string res;
  res.reserve(out.size());
  for (size_t k = 0; k < out.size();) {
    if (out.compare(k, 4, "<!--") == 0) {
      size_t end = out.find("-->", k + 4);
      if (end != std::string::npos) {
        k = end + 3;
        continue;
      }
    }
    res.push_back(out[k] == '\0' ? '<' : out[k]);
    ++k;
  }
  return res;
}

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

struct Target {
  std::string anchor, text;
  long level;
};

// The heading text as the TOC shows it: emphasis markers, <nop>, links and
// id attributes go; WikiWords, acronyms and Site: prefixes get <nop>.
std::string toc_text(std::string t) {
  static const std::string end = "($|[\\s\\,\\.\\;\\:\\!\\?\\)])";
  static const Pcre bold("(^|[\\s\\(])\\*([^\\s]+?|[^\\s].*?[^\\s])\\*" + end);
  static const Pcre italic("(^|[\\s\\(])_+([^\\s]+?|[^\\s].*?[^\\s])_+" + end);
  static const Pcre fixed("(^|[\\s\\(])=+([^\\s]+?|[^\\s].*?[^\\s])=+" + end);
  static const Pcre anchor_tag("<[\\/]?a\\b[^>]*>", PCRE2_CASELESS);
  static const Pcre link2("\\[\\[.*?\\]\\[(.*?)\\]\\]");
  static const Pcre link1("\\[\\[(.*?)\\]\\]");
  static const Pcre webword("(^|[\\s\\(])(" + std::string(incl::kWebName) + ")\\.(" +
                            std::string(incl::kWikiWord) + ")");
  static const Pcre word("(^|[\\s\\(])(" + std::string(incl::kWikiWord) + ")");
  static const Pcre abbrev("(^|[\\s\\(])(" + std::string(incl::kAbbrev) + ")");
  static const Pcre site("(^|[\\s\\-\\*\\(])([[:alnum:]]+\\:)");
  static const Pcre ids("id=[\"'][^\"']*?[\"']", PCRE2_CASELESS);
  auto keep123 = [](const Pcre::Match& m) {
    return std::string(m.str(1)) + std::string(m.str(2)) + std::string(m.str(3));
  };
  auto group1 = [](const Pcre::Match& m) { return std::string(m.str(1)); };
  auto nop2 = [](const Pcre::Match& m) { return std::string(m.str(1)) + "<nop>" + std::string(m.str(2)); };
  auto none = [](const Pcre::Match&) { return std::string(); };
  t = bold.replace(t, keep123);
  t = italic.replace(t, keep123);
  t = fixed.replace(t, keep123);
  for (size_t at; (at = t.find("<nop>")) != std::string::npos;) t.erase(at, 5);
  t = anchor_tag.replace(t, none);
  t = link2.replace(t, group1);
  t = link1.replace(t, group1);
  t = webword.replace(t, [](const Pcre::Match& m) {
    return std::string(m.str(1)) + "<nop>" + std::string(m.str(3));
  });
  t = word.replace(t, nop2);
  t = abbrev.replace(t, nop2);
  t = site.replace(t, nop2);
  t = ids.replace(t, none);
  return t;
}

}  // namespace

std::optional<std::string> toc_macro(Session& s, const Attrs& a, const TopicRef& topic) {
  std::string text = a.get_or("_TEXT", "");
  const std::string* instance = a.get("_INSTANCE");
  const std::string* toc_topic = a.default_value();
  const std::string* toc_web = a.get("web");

  std::string id;
  if (const std::string* given = a.get("id")) id = *given;
  else id = "foswikiTOC" + ((!instance || *instance == "1") ? std::string() : *instance);

  TopicRef where{normalize_web(topic.web), topic.topic};
  bool same_topic = true;
  if (perl_true(toc_topic) || perl_true(toc_web)) {
    auto [w, t] = normalize_web_topic(perl_true(toc_web) ? *toc_web : topic.web,
                                      perl_true(toc_topic) ? *toc_topic : topic.topic,
                                      s.cfg.users_web, s.cfg.default_topic);
    if (w != where.web || t != where.topic) {
      same_topic = false;
      where = {w, t};
      TopicPtr snap;
      if (is_valid_web_name(w) && is_valid_topic_name(t, true)) snap = s.store.read(w, t);
      TopicDoc empty;
      const TopicDoc& doc = snap ? snap->doc : empty;
      if (!may_access(s, "VIEW", w, t, snap))
        return inline_alert("access_denied", {w, t});
      text = doc.text;
    }
  }

  // Verbatim and pre blocks hold no headings; neither do comments.
  {
    BlockMap junk;
    unsigned counter = 0;
    text = take_out_blocks(text, "verbatim", junk, counter);
    text = take_out_blocks(text, "pre", junk, counter);
  }
  text = strip_comments(std::move(text));

  long max_depth;
  {
    std::optional<std::string> v = param_or_pref(s, a.get("depth"), "TOC_MAX_DEPTH");
    std::string d = v ? *v : "6";
    max_depth = perl_number(&d);
  }
  long min_depth;
  {
    std::optional<std::string> v = param_or_pref(s, nullptr, "TOC_MIN_DEPTH");
    std::string d = v ? *v : "1";
    min_depth = perl_number(&d);
  }
  std::string title;
  if (std::optional<std::string> t = param_or_pref(s, a.get("title"), "TOC_TITLE"))
    title = "<span class=\"foswikiTocTitle\">" + *t + "</span>";

  // The request's parameters go into every link (first value of each name).
  std::string query;
  {
    std::set<std::string> seen;
    for (const auto& [n, v] : s.params.items()) {
      if (n == "keywords" || n == "validation_key" || n == "topic" || n == "text" ||
          n == "refresh" || n == "POSTDATA" || !seen.insert(n).second)
        continue;
      query += query.empty() ? "?" : "&";
      query += foswiki_url_encode(n) + "=" + foswiki_url_encode(v);
    }
  }

  // The renderer's preparation that affects anchors: no \r, joined lines.
  {
    std::string t;
    t.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r') continue;
      if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
        continue;
      }
      t.push_back(text[i]);
    }
    text.swap(t);
  }

  tml::AnchorSet anchors;
  {
    static const Pcre hash_word("^(\\#" + std::string(incl::kWikiWord) + ")", PCRE2_MULTILINE);
    Pcre::Match m;
    for (size_t pos = 0; hash_word.find(text, pos, m);) {
      anchors.add(make_anchor(m.str(1)));
      pos = m.end() > pos ? m.end() : pos + 1;
    }
  }

  static const Pcre ho("<ho .*?\\boff=([\"'])([-+]?\\d+)\\1.*?>");
  static const Pcre html_heading("^<h([1-6])>(.+?)</h\\1>", PCRE2_CASELESS);
  static const Pcre dash_heading("^---+(\\++|\\#+)(.*)$");
  static const Pcre notoc("\\s*(\\!\\!+|%NOTOC%).*");
  std::vector<Target> targets;
  long hoff = 0;
  size_t i = 0;
  while (i <= text.size()) {
    size_t nl = text.find('\n', i);
    std::string line = text.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
    i = nl == std::string::npos ? text.size() + 1 : nl + 1;
    Pcre::Match m;
    while (ho.find(line, 0, m)) {
      std::string n(m.str(2));
      hoff += perl_number(&n);
      line.erase(m.begin(), m.end() - m.begin());
    }
    for (int which = 0; which < 2; ++which) {
      const Pcre& re = which == 0 ? html_heading : dash_heading;
      if (!re.find(line, 0, m)) continue;
      std::string heading = trim(m.str(2));
      std::string shown = notoc.replace(heading, [](const Pcre::Match&) { return std::string(); }, false);
      if (!perl_true(&shown)) continue;
      std::string lv(m.str(1));
      long level = which == 0 ? perl_number(&lv) : static_cast<long>(lv.size());
      level += hoff;
      if (level >= min_depth && level <= max_depth) {
        targets.push_back({anchors.add_unique(make_anchor(heading)), std::move(shown), level});
        break;
      }
    }
  }

  std::string result;
  long highest = 99;
  std::string base;
  if (!same_topic) base = (s.absolute_urls ? s.url_host : std::string()) + view_url(s.cfg, where.web, where.topic);
  for (Target& t : targets) {
    if (t.level < highest) highest = t.level;
    std::string href = base + query + "#" + foswiki_url_encode(t.anchor);
    result += "\n";
    result.append(static_cast<size_t>(std::max(0L, std::min(t.level, 1000L))), '\t');
    result += "* <a href=\"" + html_escape(href) + "\"> " + toc_text(std::move(t.text)) + " </a>";
  }
  if (result.empty()) return std::string();
  if (highest > 1) {
    size_t shift = static_cast<size_t>(highest - 1);
    std::string shifted;
    shifted.reserve(result.size());
    size_t p = 0;
    while (p <= result.size()) {
      size_t nl = result.find('\n', p);
      size_t e = nl == std::string::npos ? result.size() : nl;
      size_t tabs = 0;
      while (p + tabs < e && result[p + tabs] == '\t') ++tabs;
      if (tabs >= shift) p += shift;
      shifted.append(result, p, e - p);
      if (nl == std::string::npos) break;
      shifted.push_back('\n');
      p = nl + 1;
    }
    result.swap(shifted);
  }
  std::string cls = "foswikiToc";
  if (const std::string* align = a.get("align")) {
    if (align->find("right") != std::string::npos) cls += " foswikiRight";
    if (align->find("left") != std::string::npos) cls += " foswikiLeft";
  }
  return "<div class=\"" + html_escape(cls) + "\" id=\"" + html_escape(id) + "\">" + title + result +
         "\n</div>";
}

}  // namespace cwiki

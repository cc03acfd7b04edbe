#include "tml/render.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "store/names.h"
#include "util/escape.h"

namespace cwiki {
namespace {

constexpr size_t kEmphasisLookahead = 500;  // how far a closing marker is looked for
constexpr int kMaxInlineDepth = 8;          // emphasis nested in emphasis
constexpr int kMaxListDepth = 32;

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}
bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

class Renderer {
 public:
  Renderer(std::string_view web, std::string_view topic, const LinkResolver& links)
      : web_(web), topic_(topic), links_(links) {}

  std::string run(std::string_view text);

 private:
  void line(std::string_view l);
  void inline_text(std::string_view s, int depth = 0);
  bool try_link(std::string_view s, size_t& i);
  bool try_wikiword(std::string_view s, size_t& i);
  bool try_emphasis(std::string_view s, size_t& i, int depth);
  bool try_url(std::string_view s, size_t& i);
  void topic_link(std::string_view target, std::string_view label, bool label_is_html);

  void close_lists(size_t keep = 0);
  void close_table();
  void close_blocks() {
    close_lists();
    close_table();
  }

  std::string_view web_, topic_;
  const LinkResolver& links_;
  std::string out_;
  std::vector<std::string> lists_;  // open list tags, innermost last ("ul", "ol", "dl")
  bool in_table_ = false;
  bool no_links_ = false;  // inside a link label
};

size_t indent_units(std::string_view l, size_t& pos) {
  size_t units = 0;
  pos = 0;
  for (;;) {
    if (pos < l.size() && l[pos] == '\t') {
      ++pos;
    } else if (l.substr(pos, 3) == "   ") {
      pos += 3;
    } else {
      break;
    }
    ++units;
  }
  return units;
}

std::string anchor_for(std::string_view text) {
  std::string a;
  bool sep = false;
  for (unsigned char c : text) {
    if (is_alnum(c)) {
      if (sep && !a.empty()) a.push_back('_');
      a.push_back(static_cast<char>(c));
      sep = false;
    } else {
      sep = true;
    }
    if (a.size() >= 32) break;
  }
  return a.empty() ? "heading" : a;
}

std::string Renderer::run(std::string_view text) {
  out_.reserve(text.size() * 5 / 4 + 64);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t line_start = pos;
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);

    // <verbatim> and <pre> blocks: kept as written (verbatim is escaped).
    size_t vt = l.find("<verbatim");
    if (vt != std::string_view::npos) {
      size_t open_end = l.find('>', vt);
      if (open_end != std::string_view::npos) {
        close_blocks();
        inline_text(l.substr(0, vt));
        out_ += "<pre>";
        // The body runs from after the opening tag to </verbatim> (or the end).
        size_t body_start = std::min(text.size(), line_start + open_end + 1);
        size_t close = text.find("</verbatim>", body_start);
        size_t body_end = close == std::string_view::npos ? text.size() : close;
        append_html_escaped(out_, text.substr(body_start, body_end - body_start));
        out_ += "</pre>";
        if (close == std::string_view::npos) {
          out_ += '\n';
          return out_;
        }
        size_t after = close + 11;
        size_t eol = text.find('\n', after);
        if (eol == std::string_view::npos) eol = text.size();
        inline_text(text.substr(after, eol - after));
        out_ += '\n';
        pos = eol + 1;
        continue;
      }
    }
    line(l);
  }
  close_blocks();
  return out_;
}

void Renderer::close_lists(size_t keep) {
  while (lists_.size() > keep) {
    const std::string& t = lists_.back();
    out_ += t == "dl" ? "</dd></dl>\n" : "</li></" + t + ">\n";
    lists_.pop_back();
  }
}

void Renderer::close_table() {
  if (in_table_) {
    out_ += "</table>\n";
    in_table_ = false;
  }
}

void Renderer::line(std::string_view l) {
  // blank line: paragraph break
  bool blank = true;
  for (char c : l)
    if (!is_space(c)) blank = false;
  if (blank) {
    close_blocks();
    out_ += "<p></p>\n";
    return;
  }

  // ---+ headings and --- rules
  if (l.starts_with("---")) {
    size_t i = 3;
    while (i < l.size() && l[i] == '-') ++i;
    size_t plus = i;
    while (i < l.size() && (l[i] == '+' || l[i] == '#')) ++i;
    size_t level = i - plus;
    if (level >= 1) {
      close_blocks();
      if (level > 6) level = 6;
      if (l.substr(i, 2) == "!!") i += 2;
      while (i < l.size() && is_space(l[i])) ++i;
      std::string_view title = l.substr(i);
      out_ += "<h" + std::to_string(level) + " id=\"";
      append_html_escaped(out_, anchor_for(title));
      out_ += "\">";
      inline_text(title);
      out_ += "</h" + std::to_string(level) + ">\n";
      return;
    }
    bool rule = true;
    for (size_t k = i; k < l.size(); ++k)
      if (!is_space(l[k])) rule = false;
    if (rule) {
      close_blocks();
      out_ += "<hr />\n";
      return;
    }
  }

  // tables
  {
    std::string_view t = l;
    while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
    while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
    if (t.size() >= 2 && t.front() == '|' && t.back() == '|') {
      close_lists();
      if (!in_table_) {
        out_ += "<table class=\"foswikiTable\">\n";
        in_table_ = true;
      }
      out_ += "<tr>";
      t = t.substr(1, t.size() - 2);
      size_t s = 0;
      while (s <= t.size()) {
        size_t e = t.find('|', s);
        if (e == std::string_view::npos) e = t.size();
        std::string_view cell = t.substr(s, e - s);
        s = e + 1;
        while (!cell.empty() && is_space(cell.front())) cell.remove_prefix(1);
        while (!cell.empty() && is_space(cell.back())) cell.remove_suffix(1);
        bool head = cell.size() >= 2 && cell.front() == '*' && cell.back() == '*';
        out_ += head ? "<th>" : "<td>";
        inline_text(head ? cell.substr(1, cell.size() - 2) : cell);
        out_ += head ? "</th>" : "</td>";
        if (e == t.size()) break;
      }
      out_ += "</tr>\n";
      return;
    }
  }
  close_table();

  // lists: bullets, numbers, definitions
  size_t pos;
  size_t depth = indent_units(l, pos);
  if (depth > 0) {
    std::string_view rest = l.substr(pos);
    std::string tag;
    std::string_view body;
    std::string type_attr;
    if (rest.starts_with("* ")) {
      tag = "ul";
      body = rest.substr(2);
    } else if (rest.starts_with("$ ") && rest.find(':') != std::string_view::npos) {
      tag = "dl";
      body = rest.substr(2);
    } else if (!rest.empty()) {
      size_t k = 0;
      while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9') ++k;
      if (k > 0 && rest.substr(k, 2) == ". ") {
        tag = "ol";
        body = rest.substr(k + 2);
      } else if (rest.size() >= 3 && (rest[0] == 'A' || rest[0] == 'a' || rest[0] == 'I' || rest[0] == 'i') &&
                 rest.substr(1, 2) == ". ") {
        tag = "ol";
        type_attr = std::string(" type=\"") + rest[0] + "\"";
        body = rest.substr(3);
      }
    }
    if (!tag.empty()) {
      if (depth > static_cast<size_t>(kMaxListDepth)) depth = kMaxListDepth;
      close_table();
      if (lists_.size() > depth) close_lists(depth);
      if (lists_.size() == depth && lists_.back() != tag) close_lists(depth - 1);
      if (lists_.size() == depth) {
        out_ += tag == "dl" ? "</dd>\n" : "</li>\n";
      }
      while (lists_.size() < depth) {
        out_ += "<" + tag + (lists_.size() + 1 == depth ? type_attr : std::string()) + ">\n";
        lists_.push_back(tag);
        if (lists_.size() < depth) out_ += tag == "dl" ? "<dd>" : "<li>";
      }
      if (tag == "dl") {
        size_t colon = body.find(':');
        out_ += "<dt>";
        inline_text(body.substr(0, colon));
        out_ += "</dt><dd>";
        body = body.substr(colon + 1);
      } else {
        out_ += "<li>";
      }
      inline_text(body);
      out_ += '\n';
      return;
    }
    if (!lists_.empty()) {  // an indented line continues the list item
      inline_text(rest);
      out_ += '\n';
      return;
    }
  }
  close_lists();
  inline_text(l);
  out_ += '\n';
}

void Renderer::topic_link(std::string_view target, std::string_view label, bool label_is_html) {
  std::string_view anchor;
  size_t hash = target.find('#');
  if (hash != std::string_view::npos) {
    anchor = target.substr(hash);
    target = target.substr(0, hash);
  }
  std::string web(web_), topic;
  size_t dot = target.rfind('.');
  if (dot != std::string_view::npos) {
    web = normalize_web(target.substr(0, dot));
    topic = std::string(target.substr(dot + 1));
  } else {
    topic = std::string(target);
  }
  if (topic.empty() && !anchor.empty()) {  // [[#Anchor]]: a link within this topic
    out_ += "<a href=\"";
    append_html_escaped(out_, anchor);
    out_ += "\">";
    if (label_is_html) out_ += label;
    else append_html_escaped(out_, label);
    out_ += "</a>";
    return;
  }
  // "[[some words]]" names the topic SomeWords
  if (topic.find(' ') != std::string::npos) {
    std::string joined;
    bool up = true;
    for (char c : topic) {
      if (c == ' ') {
        up = true;
        continue;
      }
      joined.push_back(up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
      up = false;
    }
    topic = joined;
  }
  topic = ucfirst(topic);
  if (!is_valid_web_name(web) || !is_valid_topic_name(topic)) {
    if (label_is_html) out_ += label;
    else append_html_escaped(out_, label);
    return;
  }
  if (links_.topic_exists(web, topic)) {
    out_ += "<a href=\"";
    append_html_escaped(out_, links_.view_url(web, topic));
    append_html_escaped(out_, anchor);
    out_ += "\">";
  } else {
    out_ += "<a class=\"foswikiNewLink\" rel=\"nofollow\" title=\"Create this topic\" href=\"";
    append_html_escaped(out_, links_.edit_url(web, topic));
    out_ += "\">";
  }
  if (label_is_html) out_ += label;
  else append_html_escaped(out_, label);
  out_ += "</a>";
}

bool Renderer::try_link(std::string_view s, size_t& i) {
  size_t close = s.find("]]", i + 2);
  if (close == std::string_view::npos) return false;
  std::string_view inner = s.substr(i + 2, close - i - 2);
  std::string_view target = inner, label = inner;
  size_t sep = inner.find("][");
  if (sep != std::string_view::npos) {
    target = inner.substr(0, sep);
    label = inner.substr(sep + 2);
  }
  while (!target.empty() && is_space(target.front())) target.remove_prefix(1);
  while (!target.empty() && is_space(target.back())) target.remove_suffix(1);
  if (target.empty()) return false;
  std::string label_html;
  {
    Renderer sub(web_, topic_, links_);
    sub.no_links_ = true;  // a label keeps its markup but holds no further links
    sub.inline_text(label);
    label_html.swap(sub.out_);
  }
  bool external = target.find("://") != std::string_view::npos || target.starts_with("mailto:") ||
                  target.starts_with("/") || target.starts_with("?");
  if (external) {
    out_ += "<a href=\"";
    append_html_escaped(out_, target);
    out_ += "\">";
    out_ += label_html;
    out_ += "</a>";
  } else {
    topic_link(target, label_html, true);
  }
  i = close + 2;
  return true;
}

bool Renderer::try_wikiword(std::string_view s, size_t& i) {
  size_t j = i;
  while (j < s.size() && (is_alnum(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '/'))
    ++j;
  while (j > i && (s[j - 1] == '.' || s[j - 1] == '/')) --j;  // trailing punctuation
  std::string_view word = s.substr(i, j - i);
  size_t dot = word.find_last_of("./");
  std::string_view topic = dot == std::string_view::npos ? word : word.substr(dot + 1);
  if (!is_wikiword(topic)) return false;
  if (dot != std::string_view::npos && !is_valid_web_name(word.substr(0, dot))) return false;
  topic_link(word, word, false);
  i = j;
  return true;
}

bool Renderer::try_emphasis(std::string_view s, size_t& i, int depth) {
  if (depth >= kMaxInlineDepth) return false;
  std::string_view marker;
  const char* open_tag;
  const char* close_tag;
  if (s.substr(i, 2) == "__") {
    marker = "__", open_tag = "<strong><em>", close_tag = "</em></strong>";
  } else if (s.substr(i, 2) == "==") {
    marker = "==", open_tag = "<strong><code>", close_tag = "</code></strong>";
  } else if (s[i] == '*') {
    marker = "*", open_tag = "<strong>", close_tag = "</strong>";
  } else if (s[i] == '_') {
    marker = "_", open_tag = "<em>", close_tag = "</em>";
  } else if (s[i] == '=') {
    marker = "=", open_tag = "<code>", close_tag = "</code>";
  } else {
    return false;
  }
  size_t start = i + marker.size();
  if (start >= s.size() || is_space(s[start])) return false;
  size_t limit = std::min(s.size(), start + kEmphasisLookahead);
  for (size_t k = start + 1; k + marker.size() <= limit; ++k) {
    if (s.substr(k, marker.size()) != marker) continue;
    if (is_space(s[k - 1])) continue;
    size_t after = k + marker.size();
    if (after < s.size() && (is_alnum(static_cast<unsigned char>(s[after])) || s[after] == marker[0]))
      continue;
    out_ += open_tag;
    inline_text(s.substr(start, k - start), depth + 1);
    out_ += close_tag;
    i = after;
    return true;
  }
  return false;
}

bool Renderer::try_url(std::string_view s, size_t& i) {
  std::string_view rest = s.substr(i);
  if (!rest.starts_with("http://") && !rest.starts_with("https://") && !rest.starts_with("ftp://"))
    return false;
  size_t j = i;
  while (j < s.size() && !is_space(s[j]) && s[j] != '<' && s[j] != '"') ++j;
  while (j > i && (s[j - 1] == '.' || s[j - 1] == ',' || s[j - 1] == ')' || s[j - 1] == ';'))
    --j;
  std::string_view url = s.substr(i, j - i);
  out_ += "<a href=\"";
  append_html_escaped(out_, url);
  out_ += "\">";
  append_html_escaped(out_, url);
  out_ += "</a>";
  i = j;
  return true;
}

void Renderer::inline_text(std::string_view s, int depth) {
  size_t i = 0;
  size_t run = 0;
  bool no_link_next = false;
  auto flush = [&](size_t upto) {
    out_.append(s.data() + run, upto - run);
  };
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool boundary = i == 0 || !is_alnum(static_cast<unsigned char>(s[i - 1]));
    size_t at = i;
    if (c == '<') {
      if (s.substr(i, 5) == "<nop>") {
        flush(i);
        out_ += "<nop>";
        i += 5;
        run = i;
        no_link_next = true;
        continue;
      }
      size_t close = s.find('>', i);
      if (close != std::string_view::npos && i + 1 < s.size() &&
          (std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '/' || s[i + 1] == '!')) {
        i = close + 1;  // embedded HTML passes through untouched
        continue;
      }
      ++i;
      continue;
    }
    if (c == '!' && i + 1 < s.size() &&
        (is_upper(static_cast<unsigned char>(s[i + 1])) || s.substr(i + 1, 2) == "[[")) {
      flush(i);
      ++i;  // the '!' is dropped and the next word is shown as written
      size_t j = i;
      if (s.substr(j, 2) == "[[") {
        size_t close = s.find("]]", j);
        j = close == std::string_view::npos ? s.size() : close + 2;
      } else {
        while (j < s.size() && (is_alnum(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      }
      append_html_escaped(out_, s.substr(i, j - i));
      i = j;
      run = i;
      continue;
    }
    if (!no_links_ && c == '[' && s.substr(i, 2) == "[[") {
      flush(i);
      if (try_link(s, i)) {
        run = i;
        continue;
      }
      i = at + 1;
      run = at;
      continue;
    }
    if (boundary && (c == '*' || c == '_' || c == '=')) {
      flush(i);
      if (try_emphasis(s, i, depth)) {
        run = i;
        continue;
      }
      i = at + 1;
      run = at;
      continue;
    }
    if (boundary && !no_links_ && (c == 'h' || c == 'f')) {
      flush(i);
      if (try_url(s, i)) {
        run = i;
        continue;
      }
      run = at;
    }
    if (boundary && is_upper(c)) {
      if (!no_link_next && !no_links_) {
        flush(i);
        if (try_wikiword(s, i)) {
          run = i;
          continue;
        }
        run = at;
      }
      no_link_next = false;
      while (i < s.size() && is_alnum(static_cast<unsigned char>(s[i]))) ++i;
      continue;
    }
    no_link_next = false;
    ++i;
  }
  flush(s.size());
}

}  // namespace

std::string render_tml(std::string_view text, const RenderContext& ctx) {
  Renderer r(ctx.web, ctx.topic, *ctx.links);
  return r.run(text);
}

std::string make_anchor(std::string_view heading_text, bool) { return anchor_for(heading_text); }

std::string tml_to_plain(std::string_view text, const RenderContext&, std::string_view) {
  return std::string(text);
}

}  // namespace cwiki

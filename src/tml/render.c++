// TML to HTML: the block stage.
//
// One pass over the lines of the topic.  Each logical line (lifted blocks
// replaced by markers, lines ending in a backslash joined) goes through the
// line rules Foswiki applies to the whole text before its line loop
// ("!" escapes, "> " quotes, HTML tags and entities, #anchors, headings,
// rules), then through the list/table/paragraph state machine, which appends
// to the current output segment.  A segment is handed to the inline stage
// (tml/inline.h) when it ends a line and is large enough, so memory stays
// bounded by the segment size (a table is kept whole: its head and foot
// rows are found when it ends).
#include "tml/render.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "tml/anchors.h"
#include "tml/inline.h"
#include "tml/source.h"
#include "tml/text.h"

namespace cwiki {
namespace tml {
namespace {

constexpr size_t kSegmentBytes = 64 * 1024;  // inline stage runs per segment of about this size
constexpr size_t kMaxListDepth = 256;        // deeper indentation counts as this depth
constexpr size_t kMaxCells = 4096;           // further cells of a row join the last one

// Markers inside block-stage text (the input never holds these bytes).
constexpr char kRowMark = '\x02';  // "<tr \x02N\x02>": row N=1 when all cells are headers

void append_marker(std::string& out, uint32_t region) {
  out += "<!--\x01";
  out += std::to_string(region);
  out += "\x01-->";
}

// ---------------------------------------------------------------------------
// Logical lines

class LineReader {
 public:
  explicit LineReader(const Source& s) : src_(s) {}

  // The next line, as Perl's split(/\n/) gives them (trailing empty lines
  // are dropped).  `line`'s buffer is reused.
  bool next(std::string& line) {
    if (pending_empty_ > 0) {
      --pending_empty_;
      line.clear();
      return true;
    }
    if (has_held_) {
      line.swap(held_);
      has_held_ = false;
      return true;
    }
    while (raw_next(buf_)) {
      if (!buf_.empty()) {
        if (empties_ > 0) {
          held_.swap(buf_);
          has_held_ = true;
          pending_empty_ = empties_ - 1;
          empties_ = 0;
          line.clear();
          return true;
        }
        line.swap(buf_);
        return true;
      }
      ++empties_;
    }
    return false;
  }

 private:
  bool raw_next(std::string& line) {
    const std::string& t = src_.text;
    line.clear();
    if (pos_ >= t.size()) return false;
    for (;;) {
      size_t limit = t.size();
      const Region* r = nullptr;
      if (ti_ < src_.top.size()) {
        r = &src_.regions[src_.top[ti_]];
        limit = r->begin;
      }
      const void* nl = std::memchr(t.data() + pos_, '\n', limit - pos_);
      if (nl) {
        size_t e = static_cast<const char*>(nl) - t.data();
        line.append(t, pos_, e - pos_);
        pos_ = e + 1;
        return true;
      }
      line.append(t, pos_, limit - pos_);
      if (!r) {
        pos_ = t.size();
        return true;
      }
      if (r->kind != RegionKind::erase) append_marker(line, src_.top[ti_]);
      pos_ = r->end;
      ++ti_;
      if (pos_ >= t.size()) return true;
    }
  }

  const Source& src_;
  size_t pos_ = 0, ti_ = 0;
  size_t empties_ = 0, pending_empty_ = 0;
  std::string buf_, held_;
  bool has_held_ = false;
};

// "!Word" at the start of a word: "<nop>Word".  A line starting with '>'
// is an e-mail style quote.  `in` may be taken over (its buffer swapped
// into `out`).
void bang_and_quote(std::string& in, std::string& out) {
  size_t i = in.find('!');
  if (i == std::string::npos && (in.empty() || in[0] != '>')) {
    out.swap(in);
    return;
  }
  out.clear();
  size_t run = 0;
  for (; i != std::string::npos; i = in.find('!', i + 1)) {
    if (start_ww(in, i) && i + 1 < in.size() && is_word(char_at(in, i + 1))) {
      out.append(in, run, i - run);
      out += "<nop>";
      run = i + 1;
    }
  }
  out.append(in, run, std::string::npos);
  if (!out.empty() && out[0] == '>') out = "<cite>&gt; " + out.substr(1) + "</cite><br />";
}

// [\w-] at s[i] (an ASCII test first).
constexpr auto kAsciiNameChar = [] {
  std::array<bool, 128> t{};
  for (int c = 0; c < 128; ++c)
    t[c] = is_ascii_alnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  return t;
}();

bool is_name_char(std::string_view s, size_t i, size_t* len) {
  const unsigned char b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    *len = 1;
    return kAsciiNameChar[b];
  }
  return is_word(decode_at(s, i, len));
}

// End of "[\w-]+(:[\w-]+)?" at s[i], or i.
size_t tag_name_end(std::string_view s, size_t i) {
  size_t j = i, len;
  while (j < s.size() && is_name_char(s, j, &len)) j += len;
  if (j == i) return i;
  if (j < s.size() && s[j] == ':') {
    size_t k = j + 1;
    while (k < s.size() && is_name_char(s, k, &len)) k += len;
    if (k > j + 1) return k;
  }
  return j;
}

// Does s hold `word` at i?
bool has_at(std::string_view s, size_t i, std::string_view word) {
  if (i > s.size() || s.size() - i < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (s[i + k] != word[k]) return false;
  return true;
}

// Which '<' and '>' of a line belong to comment delimiters or to simple
// tags (<name>, </name>): Foswiki protects those first.
struct TagMarks {
  std::vector<uint8_t> lt, gt;  // 1 = protected
};

void mark_simple_tags(std::string_view s, TagMarks& m) {
  const size_t n = s.size();
  m.lt.assign(n, 0);
  m.gt.assign(n, 0);
  // Comment delimiters never overlap, so each "<!--" and "-->" counts; a
  // simple tag must not end in a comment's "-->".
  auto comment_end = [&](size_t k) { return k >= 2 && s[k - 1] == '-' && s[k - 2] == '-'; };
  for (size_t i = find_byte_of<'<', '>'>(s, 0); i < n; i = find_byte_of<'<', '>'>(s, i + 1)) {
    if (s[i] == '>') {
      if (comment_end(i)) m.gt[i] = 1;
      continue;
    }
    if (has_at(s, i, "<!--")) {
      m.lt[i] = 1;
      continue;
    }
    size_t j = i + 1;
    if (j < n && s[j] == '/') ++j;
    size_t k = tag_name_end(s, j);
    if (k > j && k < n && s[k] == '>' && !comment_end(k)) {
      m.lt[i] = m.gt[k] = 1;
      i = k;
    }
  }
}

// &name; or &#NN; / &#xHH; follows?
bool entity_follows(std::string_view s, size_t i) {
  size_t j = i + 1, len;
  if (j < s.size() && s[j] == '#') {
    ++j;
    if (j < s.size() && (s[j] == 'x' || s[j] == 'X')) ++j;
    size_t k = j;
    while (k < s.size() && std::isxdigit(static_cast<unsigned char>(s[k]))) ++k;
    return k > j && k < s.size() && s[k] == ';';
  }
  size_t k = j;
  while (k < s.size() && is_word(decode_at(s, k, &len))) k += len;
  return k > j && k < s.size() && s[k] == ';';
}

bool all_space(std::string_view s) {
  size_t len;
  for (size_t i = 0; i < s.size(); i += len)
    if (!is_space(decode_at(s, i, &len))) return false;
  return true;
}

// Index of the first '<', '>' or '&' in s at or after i, or s.size().
size_t next_markup(std::string_view s, size_t i) { return find_byte_of<'<', '>', '&'>(s, i); }

// Lines after the first two rules, with the HTML-tag rule applied on
// demand; keeps a few lines of look-ahead for tags split over lines.
class LinePipeline {
 public:
  explicit LinePipeline(const Source& src) : reader_(src) {}

  // The next line with tags protected and lone <, >, & escaped.  With
  // `headings_only`, a line that cannot be a heading or an #anchor (one not
  // starting with '#', '<' or '-') comes out empty, which is cheaper.
  bool next(std::string& out, bool headings_only = false) {
    if (!fill(1)) return false;
    std::swap(cur_, at(0));
    head_ = (head_ + 1) % kRing;
    --count_;
    if (headings_only && (cur_.text.empty() || !std::strchr("#<-", cur_.text[0]))) {
      // Only the effect on the following lines is needed.
      out.clear();
      if (!cur_.inside_tag && ends_in_open_tag(cur_)) continue_tag();
    } else {
      escape(cur_, out);
    }
    return true;
  }

 private:
  static constexpr size_t kLookahead = 8;  // lines a tag may continue over
  static constexpr size_t kRing = kLookahead + 1;

  struct Pending {
    std::string text;
    size_t carry_gt = std::string::npos;  // a tag from an earlier line ends here
    bool inside_tag = false;              // the whole line is inside a tag
  };

  // The k-th line of look-ahead (0 = the next one).
  Pending& at(size_t k) { return ring_[(head_ + k) % kRing]; }

  bool fill(size_t k) {
    while (count_ < k) {
      if (!reader_.next(raw_)) return false;
      Pending& p = at(count_);
      p.carry_gt = std::string::npos;
      p.inside_tag = false;
      bang_and_quote(raw_, p.text);
      ++count_;
    }
    return true;
  }

  // A tag whose name ends the line continues on the next non-blank line, up
  // to its first unprotected '>'.  Returns true when found (and marks it).
  bool continue_tag() {
    for (size_t k = 1; k <= kLookahead; ++k) {  // a few lines of look-ahead at most
      if (!fill(k)) return false;
      if (count_ < k) return false;
      Pending& p = at(k - 1);
      if (p.carry_gt != std::string::npos || p.inside_tag) return false;
      if (all_space(p.text)) continue;
      size_t w = 0, len;
      while (w < p.text.size() && is_space(decode_at(p.text, w, &len))) w += len;
      TagMarks& m = ahead_marks_;
      mark_simple_tags(p.text, m);
      for (size_t g = w; g < p.text.size(); ++g) {
        if (p.text[g] == '>' && !m.gt[g]) {
          for (size_t b = 0; b + 1 < k; ++b) at(b).inside_tag = true;
          p.carry_gt = g;
          return true;
        }
      }
      return false;
    }
    return false;
  }

  // Does the line end in "<name" and white space, so that escape() would
  // look for the end of the tag on the next lines?  (Such a '<' is the
  // line's last, and escape() always reaches it.)
  static bool ends_in_open_tag(const Pending& p) {
    const std::string& s = p.text;
    size_t i = s.rfind('<');
    size_t start = p.carry_gt == std::string::npos ? 0 : p.carry_gt + 1;
    if (i == std::string::npos || i < start) return false;
    size_t k = tag_name_end(s, i + 1);
    return k > i + 1 && all_space(std::string_view(s).substr(k));
  }

  // The first unprotected '>' at or after w (UINT32_MAX when none), from a
  // table built on first use for the current line.
  uint32_t next_gt(const std::string& s, const TagMarks& m, size_t w) {
    if (!next_gt_ready_) {
      const size_t n = s.size();
      next_gt_.resize(n + 1);
      next_gt_[n] = UINT32_MAX;
      for (size_t i = n; i-- > 0;)
        next_gt_[i] = (s[i] == '>' && !m.gt[i]) ? static_cast<uint32_t>(i) : next_gt_[i + 1];
      next_gt_ready_ = true;
    }
    return next_gt_[w];
  }

  // Consumes p.text.
  void escape(Pending& p, std::string& out) {
    std::string& s = p.text;
    const size_t n = s.size();
    size_t first = next_markup(s, 0);
    if (first == n) {  // nothing to protect or escape
      out.swap(s);
      return;
    }
    out.clear();
    out.reserve(n + 16);
    TagMarks& m = marks_;
    mark_simple_tags(s, m);
    size_t start = 0;
    if (p.carry_gt != std::string::npos) {
      m.gt[p.carry_gt] = 1;
      start = p.carry_gt + 1;
    }
    if (!p.inside_tag) {
      // Tags with attributes: <name attrs...> up to the first unprotected '>'.
      next_gt_ready_ = false;
      for (size_t i = find_byte_of<'<'>(s, start); i < n; i = find_byte_of<'<'>(s, i + 1)) {
        if (m.lt[i]) continue;
        size_t k = tag_name_end(s, i + 1);
        if (k == i + 1) continue;
        size_t len;
        if (k >= n || is_space(decode_at(s, k, &len))) {
          size_t w = k;
          while (w < n && is_space(decode_at(s, w, &len))) w += len;
          if (w >= n) {
            if (continue_tag()) m.lt[i] = 1;
            break;
          }
          uint32_t g = next_gt(s, m, w);
          if (g != UINT32_MAX) {
            m.lt[i] = m.gt[g] = 1;
            i = g;
          }
        } else if (k + 1 < n && s[k] == '/' && s[k + 1] == '>') {
          m.lt[i] = m.gt[k + 1] = 1;
          i = k + 1;
        }
      }
    }
    size_t run = 0;
    for (size_t i = first; i < n; i = next_markup(s, i + 1)) {
      char c = s[i];
      std::string_view rep;
      if (c == '<') {
        if (m.lt[i] || has_at(s, i, "<![CDATA[")) continue;
        rep = "&lt;";
      } else if (c == '>') {
        if (m.gt[i] || (i >= 2 && s[i - 1] == ']' && s[i - 2] == ']')) continue;
        rep = "&gt;";
      } else {
        if (entity_follows(s, i)) continue;
        rep = "&amp;";
      }
      out.append(s, run, i - run);
      out += rep;
      run = i + 1;
    }
    out.append(s, run, std::string::npos);
  }

  LineReader reader_;
  std::array<Pending, kRing> ring_;
  size_t head_ = 0, count_ = 0;
  Pending cur_;
  std::string raw_;
  TagMarks marks_, ahead_marks_;
  std::vector<uint32_t> next_gt_;
  bool next_gt_ready_ = false;
};

// ---------------------------------------------------------------------------
// Headings and anchors

// "<hN>text</hN>" at the start of a line (case-insensitive h).
bool match_html_heading(std::string_view e, char* level, size_t* text_b, size_t* text_e,
                        size_t* end) {
  if (e.size() < 10 || e[0] != '<' || (e[1] != 'h' && e[1] != 'H') || e[2] < '1' || e[2] > '6' ||
      e[3] != '>')
    return false;
  for (size_t k = 5; k + 5 <= e.size(); ++k) {
    if (e[k] == '<' && e[k + 1] == '/' && (e[k + 2] == 'h' || e[k + 2] == 'H') && e[k + 3] == e[2] &&
        e[k + 4] == '>') {
      *level = e[2];
      *text_b = 4;
      *text_e = k;
      *end = k + 5;
      return true;
    }
  }
  return false;
}

// "---+ text" / "---## text": level and where the text starts.
bool match_dash_heading(std::string_view e, size_t* level, size_t* text_b) {
  if (e.size() < 4 || e.compare(0, 3, "---") != 0) return false;
  size_t j = 3;
  while (j < e.size() && e[j] == '-') ++j;
  if (j >= e.size() || (e[j] != '+' && e[j] != '#')) return false;
  char c = e[j];
  size_t k = j;
  while (k < e.size() && e[k] == c) ++k;
  *level = k - j;
  *text_b = k;
  return true;
}

// The heading text without its first "!!" run or "%NOTOC%".
std::string strip_first_notoc(std::string_view t) {
  size_t a = t.find("!!"), b = t.find("%NOTOC%");
  if (a == std::string_view::npos && b == std::string_view::npos) return std::string(t);
  std::string out;
  if (b == std::string_view::npos || (a != std::string_view::npos && a < b)) {
    size_t e = a;
    while (e < t.size() && t[e] == '!') ++e;
    out.append(t.substr(0, a));
    out.append(t.substr(e));
  } else {
    out.append(t.substr(0, b));
    out.append(t.substr(b + 7));
  }
  return out;
}

// The ids of headings (and names of #anchors), given out as Foswiki does:
// first every #Anchor line, then every <hN> heading, then every ---+
// heading, each group in document order.
class HeadingIds {
 public:
  // Decides the order of naming.  Only needed when the topic has #anchors
  // or HTML headings; otherwise names are given in document order.
  void prepare(const Source& src) {
    bool needed = false;
    const std::string& t = src.text;
    for (size_t i = 0; i < t.size();) {
      if (t[i] == '#' || (t[i] == '<' && i + 1 < t.size() && (t[i + 1] == 'h' || t[i + 1] == 'H'))) {
        needed = true;
        break;
      }
      size_t nl = t.find('\n', i);
      if (nl == std::string::npos) break;
      i = nl + 1;
    }
    if (!needed) return;
    ordered_ = true;
    LinePipeline lines(src);
    std::string e;
    std::vector<std::string> html, dash;
    while (lines.next(e, true)) {
      char level;
      size_t tb, te, end, lv;
      if (e.size() > 1 && e[0] == '#') {
        size_t n = match_wikiword(e, 1);
        if (n) set_.add(e.substr(1, n));
      } else if (match_html_heading(e, &level, &tb, &te, &end)) {
        html.push_back(strip_first_notoc(std::string_view(e).substr(tb, te - tb)));
      } else if (match_dash_heading(e, &lv, &tb)) {
        dash.push_back(strip_first_notoc(std::string_view(e).substr(tb)));
      }
    }
    for (auto& h : html) html_ids_.push_back(set_.add_unique(make_anchor(h)));
    for (auto& h : dash) dash_ids_.push_back(set_.add_unique(make_anchor(h)));
  }

  std::string anchor(const std::string& word) {
    if (!ordered_) set_.add(word);
    return word;
  }
  std::string html_heading(const std::string& text) { return next_id(html_ids_, hi_, text); }
  std::string dash_heading(const std::string& text) { return next_id(dash_ids_, di_, text); }

 private:
  std::string next_id(const std::vector<std::string>& ids, size_t& i, const std::string& text) {
    if (ordered_ && i < ids.size()) return ids[i++];
    return set_.add_unique(make_anchor(text));
  }

  AnchorSet set_;
  bool ordered_ = false;
  std::vector<std::string> html_ids_, dash_ids_;
  size_t hi_ = 0, di_ = 0;
};

// ---------------------------------------------------------------------------
// Tables

// Characters of white space at the start of s, or at its end.
size_t leading_spaces(std::string_view s) {
  size_t cnt = 0, len;
  for (size_t k = 0; k < s.size(); k += len) {
    if (!is_space(decode_at(s, k, &len))) break;
    ++cnt;
  }
  return cnt;
}

size_t trailing_spaces(std::string_view s) {
  size_t cnt = 0, len, e = s.size();
  while (e > 0) {
    size_t p = prev_index(s, e);
    if (!is_space(decode_at(s, p, &len))) break;
    ++cnt;
    e = p;
  }
  return cnt;
}

// s without its trailing white space.
std::string_view trim_end(std::string_view s) {
  size_t e = s.size(), len;
  while (e > 0) {
    size_t p = prev_index(s, e);
    if (!is_space(decode_at(s, p, &len))) break;
    e = p;
  }
  return s.substr(0, e);
}

// One table row: `row_in` is the line after its first '|'.  Appends
// "<tr \x02N\x02>cells</tr>" to `out`; `row` and `cells` are scratch space.
struct TableCell {
  std::string_view text;
  size_t colspan = 0;
};

void table_row(std::string_view row_in, std::string& out, std::string& row,
               std::vector<TableCell>& cells) {
  // tabs to spaces, trailing white space removed
  row.clear();
  for (size_t i = 0;;) {
    size_t t = row_in.find('\t', i);
    row.append(row_in.substr(i, t - i));
    if (t == std::string_view::npos) break;
    row += "   ";
    i = t + 1;
  }
  row.resize(trim_end(row).size());
  cells.clear();
  const std::string_view rv(row);
  size_t i = 0;
  const size_t n = row.size();
  while (i <= n) {
    size_t j = rv.find('|', i);
    if (j == std::string_view::npos) j = n;
    TableCell c;
    c.text = rv.substr(i, j - i);
    size_t k = j;
    while (k < n && row[k] == '|') ++k;
    if (k - j >= 2) c.colspan = k - j;
    if (cells.size() < kMaxCells) {
      cells.push_back(c);
    } else {
      // Too many cells: the rest joins the last one.
      TableCell& last = cells.back();
      size_t b = static_cast<size_t>(last.text.data() - row.data());
      last.text = rv.substr(b, j - b);
    }
    if (j >= n) break;
    i = k;
  }
  // Trailing empty cells are dropped (as Perl's split does).
  while (!cells.empty() && cells.back().text.empty() && cells.back().colspan == 0) cells.pop_back();

  out += "<tr ";
  out += kRowMark;
  const size_t th_flag = out.size();
  out += '1';
  out += kRowMark;
  out += '>';
  bool all_th = true;
  for (const TableCell& c : cells) {
    std::string_view text = c.text;
    if (!text.empty() && all_space(text)) text = " &nbsp; ";
    size_t l1 = leading_spaces(text), l2 = trailing_spaces(text);
    const char* align = nullptr;
    if (l1 >= 2) align = l2 <= 1 ? "right" : "center";
    // *header*: the cell's text between its first and last '*'
    size_t a = l1, b = std::max(a, trim_end(text).size());
    bool th = b >= a + 2 && text[a] == '*' && text[b - 1] == '*';
    out += th ? "<th" : "<td";
    if (align) {
      out += " align=\"";
      out += align;
      out += '"';
    }
    if (c.colspan) {
      out += " colspan=\"";
      out += std::to_string(c.colspan);
      out += '"';
    }
    if (th) {
      out += "><strong> ";
      out.append(text.substr(a + 1, b - a - 2));
      out += " </strong></th>\n";
    } else {
      all_th = false;
      out += "> ";
      out.append(text);
      out += " </td>\n";
    }
  }
  if (!all_th) out[th_flag] = '0';
  out += "</tr>";
}

// ---------------------------------------------------------------------------
// The block stage

class Renderer {
 public:
  Renderer(const RenderContext& ctx, const Source& src)
      : env_(ctx), src_(src), inline_(env_, src, autolink(ctx)) {
    ids_.prepare(src);
  }

  std::string run() {
    out_.reserve(src_.text.size() + src_.text.size() / 4 + 64);
    LinePipeline lines(src_);
    std::string e, line;
    while (lines.next(e)) {
      line_rules(e, line);
      block_line(line);
    }
    if (table_rows_) {
      end_table();
      push("</table>");
    }
    add_list_item("", "", "", 0);
    flush();
    if (inline_.noautolink_open()) {
      inline_.finish(out_);
    } else {
      // Foswiki's end marker "\n<nop>\n" comes off again.
      if (out_.size() >= 6 && out_.compare(out_.size() - 6, 6, "<nop>\n") == 0) {
        out_.resize(out_.size() - 6);
        if (!out_.empty() && out_.back() == '\n') out_.pop_back();
      }
    }
    if (src_.has_ho) adjust_headings();
    return std::move(out_);
  }

 private:
  static bool autolink(const RenderContext& ctx) {
    if (!ctx.pref) return true;
    std::optional<std::string> v = ctx.pref("NOAUTOLINK");
    if (!v) return true;
    // Foswiki::isTrue: trimmed, with "off", "no" and "false" removed, non-empty and not "0".
    std::string s;
    for (char c : *v) s.push_back(ascii_lower(c));
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    for (const char* w : {"off", "no", "false"}) {
      for (size_t p; (p = s.find(w)) != std::string::npos;) s.erase(p, std::strlen(w));
    }
    return s.empty() || s == "0";
  }

  // #anchors, headings and horizontal rules.
  void line_rules(std::string& e, std::string& out) {
    char level;
    size_t tb, te, end, lv;
    if (e.size() > 1 && e[0] == '#') {
      size_t n = match_wikiword(e, 1);
      if (n) {
        out = "<span id=\"";
        out += ids_.anchor(e.substr(1, n));
        out += "\"></span>";
        out.append(e, 1 + n, std::string::npos);
        return;
      }
    }
    if (match_html_heading(e, &level, &tb, &te, &end)) {
      std::string text = strip_first_notoc(std::string_view(e).substr(tb, te - tb));
      out.clear();
      write_heading(out, std::string_view(&level, 1), ids_.html_heading(text), text);
      out.append(e, end, std::string::npos);
      return;
    }
    if (match_dash_heading(e, &lv, &tb)) {
      std::string text = strip_first_notoc(std::string_view(e).substr(tb));
      std::string l = std::to_string(lv);
      out.clear();
      write_heading(out, l, ids_.dash_heading(text), text);
      return;
    }
    if (e.size() >= 3 && e.compare(0, 3, "---") == 0) {
      size_t j = 3;
      while (j < e.size() && e[j] == '-') ++j;
      out = "<hr />";
      out.append(e, j, std::string::npos);
      return;
    }
    out.swap(e);
  }

  static void write_heading(std::string& out, std::string_view level, std::string_view id,
                            std::string_view text) {
    out += "<nop><h";
    out += level;
    out += " id=\"";
    out += id;
    out += "\"> ";
    out += text;
    out += " </h";
    out += level;
    out += '>';
  }

  // --- output ---------------------------------------------------------------

  // Appends to the output of the block stage.  A segment that ends a line
  // and is large enough goes to the inline stage.
  void push(std::string_view s) {
    if (in_table_) {
      table_.push_back({table_text_.size(), s.size()});
      table_text_.append(s);
      return;
    }
    seg_.append(s);
    if (!s.empty() && s.back() == '\n' && seg_.size() >= kSegmentBytes) flush();
  }

  void flush() {
    if (seg_.empty()) return;
    inline_.render(seg_, out_);
  }

  // The rows are in; wrap the table, moving leading header rows into
  // <thead> and trailing ones into <tfoot>.
  void end_table() {
    const std::string_view text(table_text_);
    auto view = [&](const TablePiece& p) { return text.substr(p.offset, p.size); };
    // Blank pieces go (they would make empty paragraphs).
    std::erase_if(table_, [&](const TablePiece& p) { return all_space(view(p)); });
    std::vector<TablePiece>& l = table_;
    bool in_foot = true;
    size_t foot = 0, head = 0;
    for (size_t i = l.size(); i-- > 0;) {
      std::string_view v = view(l[i]);
      size_t mk = v.find(kRowMark);
      if (mk != std::string_view::npos && mk + 2 < v.size() && v[mk + 2] == kRowMark) {
        bool th = v[mk + 1] == '1';
        l[i].mark = mk;
        if (th) {
          if (in_foot) ++foot;
          else ++head;
        } else {
          in_foot = false;
          head = 0;
        }
      }
    }
    // A piece, without its row marker.
    auto put = [&](const TablePiece& p) {
      std::string_view v = view(p);
      if (p.mark == std::string_view::npos) {
        seg_ += v;
      } else {
        seg_ += v.substr(0, p.mark);
        seg_ += v.substr(p.mark + 3);
      }
    };
    seg_ += " <table class='foswikiTable'>";
    size_t body_end = l.size() - std::min(foot, l.size());
    size_t idx = 0;
    if (head) {
      seg_ += "<thead>";
      for (size_t k = 0; k < head && idx < body_end; ++k) put(l[idx++]);
      seg_ += "</thead>";
    }
    if (foot) {
      seg_ += "<tfoot>";
      for (size_t k = body_end; k < l.size(); ++k) put(l[k]);
      seg_ += "</tfoot>";
    }
    seg_ += "<tbody>";
    for (; idx < body_end; ++idx) put(l[idx]);
    seg_ += "</tbody>";
    in_table_ = false;
    table_.clear();
    table_text_.clear();
    table_rows_ = 0;
  }

  // --- lists ----------------------------------------------------------------

  struct ListLevel {
    std::string type, element;
  };

  void add_list_item(const std::string& type, const std::string& element, const std::string& css,
                     size_t depth) {
    size_t size = list_.size();
    if (size < depth) {
      bool first = true;
      while (size < depth) {
        list_.push_back({type, element});
        if (!first) push(" <" + element + (css.empty() ? "" : " class='" + css + "'") + ">\n");
        if (!type.empty()) push(" <" + type + ">\n");
        first = false;
        ++size;
      }
    } else {
      while (size > depth) {
        ListLevel t = std::move(list_.back());
        list_.pop_back();
        std::string r = "\n</" + t.element + ">";
        if (!t.type.empty()) r += "</" + t.type + "> ";
        push(r);
        --size;
      }
      if (size) push("\n</" + list_[size - 1].element + "> ");
      else push("\n");
    }
    if (size) {
      ListLevel& old = list_[size - 1];
      if (old.type != type) {
        std::string r;
        if (!old.type.empty()) r += " </" + old.type + ">";
        if (!type.empty()) r += "<" + type + ">\n";
        if (!r.empty()) push(r);
        old = {type, element};
      }
    }
  }

  // Indentation units (a tab or three spaces) at the start of `s`.
  static size_t indent_units(std::string_view s, size_t* end) {
    size_t i = 0, u = 0;
    for (;;) {
      if (i < s.size() && s[i] == '\t') {
        ++i;
      } else if (s.compare(i, 3, "   ") == 0) {
        i += 3;
      } else {
        break;
      }
      ++u;
    }
    *end = i;
    return u;
  }

  // ^(\t|   )+\s*\S
  static bool continuation(std::string_view s) {
    size_t e;
    return indent_units(s, &e) > 0 && !all_space(s.substr(e));
  }

  void block_line(std::string& line) {
    // Table row: | cell | cell |  (white space allowed around)
    {
      size_t len, b = 0;
      while (b < line.size() && is_space(decode_at(line, b, &len))) b += len;
      size_t e = line.size();
      while (e > b) {
        size_t p = prev_index(line, e);
        if (!is_space(decode_at(line, p, &len))) break;
        e = p;
      }
      if (e >= b + 2 && line[b] == '|' && line[e - 1] == '|') {
        if (!table_rows_) {
          in_table_ = true;
          table_.clear();
          table_text_.clear();
        }
        scratch_.assign(line, 0, b);
        table_row(std::string_view(line).substr(b + 1), scratch_, row_buf_, cells_);
        line.swap(scratch_);
        ++table_rows_;
      } else if (table_rows_) {
        end_table();
        push("</table>");
      }
    }

    size_t ind_end;
    size_t units = 0;
    if (all_space(line)) {
      if (!table_rows_ && !is_first_) line = "<p></p>";
      is_list_ = false;
    } else if (!is_space(char_at(line, 0))) {
      is_list_ = false;
    } else if ((units = indent_units(line, &ind_end)) > 0 && ind_end < line.size() &&
               !is_space(char_at(line, ind_end))) {
      size_t depth = std::min(units, kMaxListDepth);
      std::string_view rest = std::string_view(line).substr(ind_end);
      size_t colon;
      std::string dl;
      if (rest[0] == '$' && dl_item(rest, &dl)) {
        line = std::move(dl);
        add_list_item("dl", "dd", "", depth);
        is_list_ = true;
      } else if ((colon = old_dl_item(rest)) != 0) {
        // "Term: definition" (deprecated form)
        size_t w = colon + 1, len;
        while (w < rest.size() && is_space(decode_at(rest, w, &len))) w += len;
        line = "<dt> " + std::string(rest.substr(0, colon)) + " </dt><dd> " +
               std::string(rest.substr(w));
        add_list_item("dl", "dd", "", depth);
        is_list_ = true;
      } else if (rest.size() >= 2 && rest[0] == '*' && rest[1] == ' ') {
        line = "<li> " + std::string(rest.substr(2));
        add_list_item("ul", "li", "", depth);
        is_list_ = true;
      } else if (rest.size() >= 2 && rest[0] == ':' && rest[1] == ' ') {
        line = "<div class='foswikiIndent'> " + std::string(rest.substr(2));
        if (rest.size() == 2) line += "&nbsp;";
        add_list_item("", "div", "foswikiIndent", depth);
        is_list_ = true;
      } else if (size_t ol = ordered_item(rest); ol != 0) {
        std::string style;
        char t = rest[0];
        if (!is_ascii_digit(t)) {
          const char* name = t == 'A' ? "upper-alpha" : t == 'a' ? "lower-alpha"
                           : t == 'i' ? "lower-roman" : "upper-roman";
          style = std::string(" style=\"list-style-type:") + name + "\"";
        }
        size_t after = ol;
        if (after < rest.size() && rest[after] == ' ') ++after;
        line = "<li" + style + "> " + std::string(rest.substr(after));
        add_list_item("ol", "li", "", depth);
        is_list_ = true;
      } else if (is_list_ && continuation(line)) {
        push(line);
        return;
      } else {
        is_list_ = false;
      }
    } else if (is_list_ && continuation(line)) {
      push(line);
      return;
    }
    if (!is_list_ && !is_first_) add_list_item("", "", "", 0);
    push(line);
    is_first_ = false;
  }

  // "$ term: definition"
  static bool dl_item(std::string_view rest, std::string* out) {
    // \$\s*([^:]+):\s+
    size_t i = 1, len;
    size_t ws_end = i;
    while (ws_end < rest.size() && is_space(decode_at(rest, ws_end, &len))) ws_end += len;
    size_t colon = rest.find(':', 1);
    if (colon == std::string_view::npos) return false;
    size_t term_b = ws_end;
    if (term_b >= colon) {
      // [^:]+ must hold at least one character: give back white space
      if (colon == i) return false;
      term_b = prev_index(rest, colon);
    }
    if (colon + 1 >= rest.size() || !is_space(decode_at(rest, colon + 1, &len))) return false;
    size_t w = colon + 1;
    while (w < rest.size() && is_space(decode_at(rest, w, &len))) w += len;
    *out = "<dt> " + std::string(rest.substr(term_b, colon - term_b)) + " </dt><dd> " +
                  std::string(rest.substr(w));
    return true;
  }

  // "Term: ..." where Term has no white space: the position of its colon.
  static size_t old_dl_item(std::string_view rest) {
    size_t len;
    for (size_t i = 1; i < rest.size(); i += len) {
      char32_t c = decode_at(rest, i, &len);
      if (is_space(c)) return 0;
      if (c == ':' && i + 1 < rest.size()) {
        size_t l2;
        if (is_space(decode_at(rest, i + 1, &l2))) return i;
      }
    }
    return 0;
  }

  // "1." "A." "a." "I." "i." or digits with an optional '.': the length.
  static size_t ordered_item(std::string_view rest) {
    if (rest.size() >= 2 && std::strchr("1AaIi", rest[0]) && rest[1] == '.') return 2;
    size_t k = 0;
    while (k < rest.size() && is_ascii_digit(rest[k])) ++k;
    if (k == 0) return 0;
    if (k < rest.size() && rest[k] == '.') ++k;
    return k;
  }

  // <ho off="N">: later headings move N levels (kept within 1..6).
  void adjust_headings() {
    std::string res;
    res.reserve(out_.size());
    int off = 0;
    size_t i = 0;
    const std::string& s = out_;
    while (i < s.size()) {
      size_t lt = s.find('<', i);
      if (lt == std::string::npos) break;
      // <ho>, <ho/>, <ho off="-1">, case-insensitive
      if (lt + 3 <= s.size() && (s[lt + 1] == 'h' || s[lt + 1] == 'H') &&
          (s[lt + 2] == 'o' || s[lt + 2] == 'O')) {
        size_t j = lt + 3;
        int val = 0;
        bool has_off = false, ok = true;
        size_t ws = j;
        while (ws < s.size() && is_space(static_cast<unsigned char>(s[ws]))) ++ws;
        if (ws > j && starts_with_ci(s, ws, "off=\"")) {
          size_t k = ws + 5;
          bool neg = false;
          if (k < s.size() && (s[k] == '-' || s[k] == '+')) neg = s[k++] == '-';
          size_t d0 = k;
          while (k < s.size() && is_ascii_digit(s[k])) val = val * 10 + (s[k++] - '0');
          if (k == d0 || k >= s.size() || s[k] != '"') ok = false;
          else {
            j = k + 1;
            has_off = true;
            if (neg) val = -val;
          }
        }
        if (ok) {
          while (j < s.size() && is_space(static_cast<unsigned char>(s[j]))) ++j;
          if (j < s.size() && s[j] == '/') ++j;
          if (j < s.size() && s[j] == '>' && has_off && val != 0) {
            res.append(s, i, lt - i);
            off += val;
            i = j + 1;
            continue;
          }
        }
      }
      // <hN or </hN followed by white space or '>'
      size_t k = lt + 1;
      if (k < s.size() && s[k] == '/') ++k;
      if (off && k + 1 < s.size() && (s[k] == 'h' || s[k] == 'H') && is_ascii_digit(s[k + 1]) &&
          k + 2 < s.size() && (s[k + 2] == '>' || is_space(static_cast<unsigned char>(s[k + 2])))) {
        int lvl = std::clamp(s[k + 1] - '0' + off, 1, 6);
        res.append(s, i, k + 1 - i);
        res += static_cast<char>('0' + lvl);
        i = k + 2;
        continue;
      }
      res.append(s, i, lt + 1 - i);
      i = lt + 1;
    }
    res.append(s, i, std::string::npos);
    out_.swap(res);
  }

  LinkEnv env_;
  const Source& src_;
  InlineRenderer inline_;
  HeadingIds ids_;

  std::string out_;
  std::string seg_;
  // The pieces of the table being read, kept until it ends.
  struct TablePiece {
    size_t offset = 0, size = 0;             // in table_text_
    size_t mark = std::string_view::npos;    // its row marker
  };
  bool in_table_ = false;
  std::string table_text_;
  std::vector<TablePiece> table_;
  size_t table_rows_ = 0;
  std::string scratch_, row_buf_;
  std::vector<TableCell> cells_;
  std::vector<ListLevel> list_;
  bool is_list_ = false;
  bool is_first_ = true;
};

}  // namespace
}  // namespace tml

std::string render_tml(std::string_view text, const RenderContext& ctx) {
  tml::Source src = tml::prepare_source(text);
  tml::Renderer r(ctx, src);
  return r.run();
}

}  // namespace cwiki

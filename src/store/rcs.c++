#include "store/rcs.h"

#include <climits>
#include <unordered_map>
#include <utility>

namespace cwiki {
namespace {

// ---------------------------------------------------------------------------
// Tokens of the ,v syntax (rcsfile(5)): words (ids and nums), @-strings, and
// the two punctuation characters ';' and ':'.

enum class Tok { End, Word, String, Semi, Colon };

struct Token {
  Tok kind = Tok::End;
  std::string_view text;  // a word, or a string's inside with "@@" still doubled
  size_t at = 0;          // byte offset of the token in the file
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\b';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A revision number: digits and dots, at least one digit.
bool is_num(std::string_view w) {
  bool digit = false;
  for (char c : w) {
    if (is_digit(c)) digit = true;
    else if (c != '.') return false;
  }
  return digit;
}

// A trunk revision: exactly two non-empty digit runs, "X.Y".
bool is_trunk_num(std::string_view w) {
  size_t dot = w.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == w.size()) return false;
  for (size_t i = 0; i < w.size(); ++i)
    if (i != dot && !is_digit(w[i])) return false;
  return true;
}

// Replaces each "@@" of a string's inside by a single '@'.
std::string unquote(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    size_t at = raw.find('@', i);
    if (at == std::string_view::npos) {
      out.append(raw.substr(i));
      break;
    }
    out.append(raw.substr(i, at - i + 1));  // keeps one '@'
    i = at + 2;                             // the lexer guarantees its twin follows
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view src, const RcsLimits& limits) : src_(src), limits_(limits) {}

  bool run(RcsFile& out);
  const std::string& error() const { return err_; }

 private:
  // Records the first error; `at` is a byte offset in the file, if any.
  bool fail(const std::string& msg, size_t at = std::string_view::npos) {
    if (err_.empty()) {
      err_ = "rcs: " + msg;
      if (at != std::string_view::npos) err_ += " at byte " + std::to_string(at);
    }
    return false;
  }
  bool lex(Token& t);
  bool peek(Token& t);
  bool next(Token& t);
  bool expect_semi();
  bool skip_phrase();
  bool optional_word(std::string& value, bool want_num);
  bool parse_admin(RcsFile& out);
  bool parse_delta(RcsFile& out, const Token& num);
  bool parse_deltatexts(RcsFile& out);
  bool build_trunk(RcsFile& out);

  std::string_view src_;
  const RcsLimits& limits_;
  size_t pos_ = 0;
  bool have_peek_ = false;
  Token peeked_;
  std::string err_;
  std::unordered_map<std::string, size_t> index_;  // revision number -> delta index
};

bool Parser::lex(Token& t) {
  while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
  t = Token{};
  t.at = pos_;
  if (pos_ >= src_.size()) return true;  // Tok::End
  char c = src_[pos_];
  if (c == ';' || c == ':') {
    t.kind = c == ';' ? Tok::Semi : Tok::Colon;
    t.text = src_.substr(pos_, 1);
    ++pos_;
    return true;
  }
  if (c == '@') {
    size_t start = pos_ + 1, i = start;
    for (;;) {
      size_t at = src_.find('@', i);
      if (at == std::string_view::npos) return fail("unterminated @-string", t.at);
      if (at + 1 < src_.size() && src_[at + 1] == '@') {
        i = at + 2;
        continue;
      }
      t.kind = Tok::String;
      t.text = src_.substr(start, at - start);
      pos_ = at + 1;
      return true;
    }
  }
  size_t start = pos_;
  while (pos_ < src_.size() && !is_space(src_[pos_]) && src_[pos_] != ';' && src_[pos_] != ':' &&
         src_[pos_] != '@')
    ++pos_;
  t.kind = Tok::Word;
  t.text = src_.substr(start, pos_ - start);
  return true;
}

bool Parser::peek(Token& t) {
  if (!have_peek_) {
    if (!lex(peeked_)) return false;
    have_peek_ = true;
  }
  t = peeked_;
  return true;
}

bool Parser::next(Token& t) {
  if (!peek(t)) return false;
  have_peek_ = false;
  return true;
}

bool Parser::expect_semi() {
  Token t;
  if (!next(t)) return false;
  if (t.kind == Tok::End) return fail("file truncated, ';' expected", t.at);
  if (t.kind != Tok::Semi) return fail("';' expected", t.at);
  return true;
}

// Skips the rest of a phrase whose keyword has been read: words, strings and
// colons up to and including the ';'.
bool Parser::skip_phrase() {
  for (;;) {
    Token t;
    if (!next(t)) return false;
    if (t.kind == Tok::Semi) return true;
    if (t.kind == Tok::End) return fail("file truncated inside a phrase", t.at);
  }
}

// Reads `{word} ;` (a num when want_num); value is left empty when absent.
bool Parser::optional_word(std::string& value, bool want_num) {
  Token t;
  if (!peek(t)) return false;
  if (t.kind == Tok::Word) {
    if (want_num && !is_num(t.text)) return fail("revision number expected", t.at);
    value.assign(t.text);
    next(t);
  }
  return expect_semi();
}

bool Parser::parse_admin(RcsFile& out) {
  bool seen_head = false;
  for (;;) {
    Token t;
    if (!peek(t)) return false;
    if (t.kind == Tok::End) return fail("file truncated in the admin section", t.at);
    if (t.kind != Tok::Word) return fail("keyword expected", t.at);
    if (is_num(t.text) || t.text == "desc") break;
    next(t);
    if (t.text == "head") {
      if (seen_head) return fail("second head", t.at);
      seen_head = true;
      if (!optional_word(out.head, true)) return false;
    } else if (t.text == "expand") {
      Token v;
      if (!peek(v)) return false;
      if (v.kind == Tok::String) {
        out.expand = unquote(v.text);
        next(v);
      }
      if (!expect_semi()) return false;
    } else {
      // access, symbols, locks, strict, comment, branch, integrity, newphrases
      if (!skip_phrase()) return false;
    }
  }
  if (!seen_head) return fail("no head");
  return true;
}

bool Parser::parse_delta(RcsFile& out, const Token& num) {
  if (out.deltas.size() >= limits_.max_deltas)
    return fail("more than " + std::to_string(limits_.max_deltas) + " deltas", num.at);
  auto [it, fresh] = index_.emplace(std::string(num.text), out.deltas.size());
  if (!fresh) return fail("revision " + it->first + " listed twice", num.at);
  RcsDelta& d = out.deltas.emplace_back();
  d.rev.assign(num.text);
  bool seen_date = false;
  for (;;) {
    Token t;
    if (!peek(t)) return false;
    if (t.kind == Tok::End) return fail("file truncated in delta " + d.rev, t.at);
    if (t.kind != Tok::Word) return fail("keyword expected in delta " + d.rev, t.at);
    if (is_num(t.text) || t.text == "desc") break;
    next(t);
    if (t.text == "date") {
      Token v;
      if (!next(v)) return false;
      std::optional<long long> when;
      if (v.kind == Tok::Word) when = rcs_date_to_epoch(v.text);
      if (!when) return fail("bad date in delta " + d.rev, v.at);
      d.date = *when;
      seen_date = true;
      if (!expect_semi()) return false;
    } else if (t.text == "author") {
      if (!optional_word(d.author, false)) return false;
    } else if (t.text == "state") {
      if (!optional_word(d.state, false)) return false;
    } else if (t.text == "next") {
      if (!optional_word(d.next, true)) return false;
    } else if (t.text == "branches") {
      for (;;) {
        Token v;
        if (!next(v)) return false;
        if (v.kind == Tok::Semi) break;
        if (v.kind != Tok::Word || !is_num(v.text))
          return fail("bad branch list in delta " + d.rev, v.at);
        d.branches.emplace_back(v.text);
      }
    } else {
      if (!skip_phrase()) return false;  // commitid and newphrases
    }
  }
  if (!seen_date) return fail("delta " + d.rev + " has no date", num.at);
  return true;
}

bool Parser::parse_deltatexts(RcsFile& out) {
  for (;;) {
    Token t;
    if (!next(t)) return false;
    if (t.kind == Tok::End) return true;
    if (t.kind != Tok::Word || !is_num(t.text)) return fail("revision number expected", t.at);
    auto it = index_.find(std::string(t.text));
    if (it == index_.end())
      return fail("text for unknown revision " + std::string(t.text), t.at);
    RcsDelta& d = out.deltas[it->second];
    if (d.has_text) return fail("text for revision " + d.rev + " given twice", t.at);
    Token kw, s;
    if (!next(kw)) return false;
    if (kw.kind != Tok::Word || kw.text != "log") return fail("'log' expected", kw.at);
    if (!next(s)) return false;
    if (s.kind != Tok::String) return fail("log string expected", s.at);
    d.log = unquote(s.text);
    for (;;) {
      if (!next(kw)) return false;
      if (kw.kind == Tok::End) return fail("file truncated before text of " + d.rev, kw.at);
      if (kw.kind != Tok::Word) return fail("'text' expected", kw.at);
      if (kw.text == "text") break;
      if (!skip_phrase()) return false;  // a newphrase between log and text
    }
    if (!next(s)) return false;
    if (s.kind != Tok::String) return fail("text string expected", s.at);
    d.text = unquote(s.text);
    d.has_text = true;
  }
}

// Follows `next` from the head.  Every revision is visited at most once, so
// the walk ends after at most deltas.size() steps even when `next` loops.
bool Parser::build_trunk(RcsFile& out) {
  std::vector<bool> seen(out.deltas.size(), false);
  std::string_view cur = out.head;
  while (!cur.empty()) {
    auto it = index_.find(std::string(cur));
    if (it == index_.end()) return fail("trunk revision " + std::string(cur) + " has no delta");
    size_t i = it->second;
    const RcsDelta& d = out.deltas[i];
    if (seen[i]) return fail("cycle in the trunk at revision " + d.rev);
    if (!is_trunk_num(d.rev)) return fail("branch revision " + d.rev + " on the trunk");
    seen[i] = true;
    out.trunk.push_back(i);
    cur = d.next;
  }
  return true;
}

bool Parser::run(RcsFile& out) {
  if (!parse_admin(out)) return false;
  for (;;) {
    Token t;
    if (!next(t)) return false;
    if (t.kind == Tok::Word && t.text == "desc") break;
    // parse_admin and parse_delta stop only before a num or "desc"
    if (t.kind != Tok::Word || !is_num(t.text)) return fail("revision number expected", t.at);
    if (!parse_delta(out, t)) return false;
  }
  Token s;
  if (!next(s)) return false;
  if (s.kind != Tok::String) return fail("description string expected", s.at);
  out.desc = unquote(s.text);
  if (!parse_deltatexts(out)) return false;
  // rcsfile(5) gives every delta a deltatext; one missing means the file was
  // cut short or damaged.
  for (const RcsDelta& d : out.deltas)
    if (!d.has_text) return fail("revision " + d.rev + " has no text");
  return build_trunk(out);
}

// ---------------------------------------------------------------------------
// Reconstruction.  A text is handled as a vector of lines, each a view into a
// deltatext owned by the RcsFile and each ending in '\n' except possibly the
// last one.

struct Budget {
  const RcsLimits& limits;
  uint64_t work = 0;
};

bool split_lines(std::string_view text, std::vector<std::string_view>& lines,
                 const RcsLimits& limits) {
  lines.clear();
  size_t i = 0;
  while (i < text.size()) {
    if (lines.size() >= limits.max_lines) return false;
    size_t nl = text.find('\n', i);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(i, end - i));
    i = end;
  }
  return true;
}

// Reads a decimal number of at most 15 digits at diff[i].
bool read_number(std::string_view diff, size_t& i, uint64_t& value) {
  size_t start = i;
  value = 0;
  while (i < diff.size() && is_digit(diff[i])) {
    if (i - start >= 15) return false;
    value = value * 10 + static_cast<uint64_t>(diff[i] - '0');
    ++i;
  }
  return i > start;
}

// Applies one reverse diff to `src`, writing the older revision into `dst` in
// a single pass.  `bytes` holds src's size on entry and dst's on success.
bool apply_diff(std::string_view diff, const std::vector<std::string_view>& src,
                std::vector<std::string_view>& dst, size_t& bytes, Budget& budget,
                std::string& why) {
  const RcsLimits& limits = budget.limits;
  budget.work += src.size();
  if (budget.work > limits.max_work) {
    why = "reconstruction too costly";
    return false;
  }
  dst.clear();
  dst.reserve(src.size());
  bool open_end = false;  // the last line in dst has no '\n': nothing may follow it
  auto push = [&](std::string_view line) {
    if (open_end) {
      why = "unterminated line inside the text";
      return false;
    }
    if (dst.size() >= limits.max_lines) {
      why = "text has too many lines";
      return false;
    }
    dst.push_back(line);
    open_end = line.back() != '\n';
    return true;
  };
  auto copy_until = [&](size_t& pos, size_t end) {
    for (; pos < end; ++pos)
      if (!push(src[pos])) return false;
    return true;
  };
  size_t pos = 0;  // source lines consumed so far
  size_t i = 0;
  while (i < diff.size()) {
    size_t cmd_at = i;
    char op = diff[i++];
    uint64_t line = 0, count = 0;
    if ((op != 'a' && op != 'd') || !read_number(diff, i, line) || i >= diff.size() ||
        diff[i] != ' ' || !read_number(diff, ++i, count) ||
        (i < diff.size() && diff[i] != '\n') || count == 0) {
      why = "bad diff command at offset " + std::to_string(cmd_at);
      return false;
    }
    if (i < diff.size()) ++i;  // the '\n'
    if (++budget.work > limits.max_work) {
      why = "reconstruction too costly";
      return false;
    }
    if (op == 'd') {
      if (line == 0 || line - 1 < pos) {
        why = "diff commands out of order at offset " + std::to_string(cmd_at);
        return false;
      }
      if (line - 1 > src.size() || count > src.size() - (line - 1)) {
        why = "diff deletes beyond the text at offset " + std::to_string(cmd_at);
        return false;
      }
      if (!copy_until(pos, line - 1)) return false;
      for (size_t k = 0; k < count; ++k) bytes -= src[pos + k].size();
      pos += count;
    } else {
      if (line < pos) {
        why = "diff commands out of order at offset " + std::to_string(cmd_at);
        return false;
      }
      if (line > src.size()) {
        why = "diff adds beyond the text at offset " + std::to_string(cmd_at);
        return false;
      }
      if (!copy_until(pos, line)) return false;
      for (uint64_t k = 0; k < count; ++k) {
        if (i >= diff.size()) {
          why = "diff has fewer added lines than announced at offset " + std::to_string(cmd_at);
          return false;
        }
        size_t nl = diff.find('\n', i);
        size_t end = nl == std::string_view::npos ? diff.size() : nl + 1;
        std::string_view added = diff.substr(i, end - i);
        i = end;
        if (!push(added)) return false;
        bytes += added.size();
      }
    }
  }
  if (!copy_until(pos, src.size())) return false;
  // Checked at the end only: a later deletion may still shrink the text, and
  // until then dst holds views, not copies.
  if (bytes > limits.max_text_bytes) {
    why = "text too large";
    return false;
  }
  return true;
}

bool parse_small(std::string_view s, int& value) {
  if (s.empty() || s.size() > 4) return false;
  value = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

bool is_leap(long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Leap years in 1 .. y-1 (y >= 1).
long long leaps_before(long long y) {
  --y;
  return y / 4 - y / 100 + y / 400;
}

}  // namespace

const RcsDelta* RcsFile::find(std::string_view rev) const {
  for (const RcsDelta& d : deltas)
    if (d.rev == rev) return &d;
  return nullptr;
}

std::optional<RcsFile> parse_rcs(std::string_view file, std::string* error,
                                 const RcsLimits& limits) {
  RcsFile out;
  Parser p(file, limits);
  if (!p.run(out)) {
    if (error) *error = p.error();
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> rcs_checkout(const RcsFile& file, std::string_view rev,
                                        std::string* error, const RcsLimits& limits) {
  auto failure = [&](std::string msg) -> std::optional<std::string> {
    if (error) *error = "rcs: " + std::move(msg);
    return std::nullopt;
  };
  size_t target = file.trunk.size();
  for (size_t k = 0; k < file.trunk.size(); ++k) {
    if (file.trunk[k] >= file.deltas.size()) return failure("bad trunk index");
    if (file.deltas[file.trunk[k]].rev == rev) {
      target = k;
      break;
    }
  }
  if (target == file.trunk.size())
    return failure("no revision " + std::string(rev) + " on the trunk");
  const std::string& head_text = file.deltas[file.trunk[0]].text;
  if (head_text.size() > limits.max_text_bytes) return failure("text too large");
  if (target == 0) return head_text;

  std::vector<std::string_view> cur, older;
  if (!split_lines(head_text, cur, limits)) return failure("text too large");
  size_t bytes = head_text.size();
  Budget budget{limits};
  for (size_t k = 1; k <= target; ++k) {
    const RcsDelta& d = file.deltas[file.trunk[k]];
    std::string why;
    if (!apply_diff(d.text, cur, older, bytes, budget, why))
      return failure("revision " + d.rev + ": " + why);
    cur.swap(older);
  }
  std::string text;
  text.reserve(bytes);
  for (std::string_view line : cur) text.append(line);
  return text;
}

std::optional<long long> rcs_date_to_epoch(std::string_view date) {
  int f[6];
  size_t i = 0;
  std::string_view year_text;
  for (int k = 0; k < 6; ++k) {
    size_t dot = date.find('.', i);
    bool last = k == 5;
    if (last != (dot == std::string_view::npos)) return std::nullopt;
    std::string_view part = date.substr(i, last ? std::string_view::npos : dot - i);
    if (k == 0) year_text = part;
    else if (part.size() > 2) return std::nullopt;
    if (!parse_small(part, f[k])) return std::nullopt;
    i = last ? date.size() : dot + 1;
  }
  long long year = f[0];
  if (year_text.size() == 2) year += 1900;
  else if (year_text.size() != 4 || year < 1) return std::nullopt;
  int month = f[1], day = f[2], hour = f[3], minute = f[4], second = f[5];
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  static const int kBefore[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  if (month < 1 || month > 12) return std::nullopt;
  int month_days = kDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  if (day < 1 || day > month_days || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  long long days = 365 * (year - 1970) + (leaps_before(year) - leaps_before(1970)) +
                   kBefore[month - 1] + (month > 2 && is_leap(year) ? 1 : 0) + (day - 1);
  return days * 86400 + hour * 3600LL + minute * 60LL + second;
}

std::string rcs_revision_for(int n) {
  if (n < 1) return {};
  return "1." + std::to_string(n);
}

int foswiki_revision_of(std::string_view rcs_rev) {
  if (rcs_rev.size() < 3 || rcs_rev.substr(0, 2) != "1.") return 0;
  std::string_view digits = rcs_rev.substr(2);
  if (digits[0] == '0') return 0;
  long long n = 0;
  for (char c : digits) {
    if (!is_digit(c)) return 0;
    n = n * 10 + (c - '0');
    if (n > INT_MAX) return 0;
  }
  return static_cast<int>(n);
}

}  // namespace cwiki

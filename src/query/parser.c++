#include "query/parser.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "util/string_map.h"

namespace cwiki::query {
namespace {

struct OpDef {
  Op op;
  std::string_view name;
  int prec;
  int arity;
  bool case_matters;
  bool can_fold;
  std::string_view close;  // non-empty: a bracket operator
  bool condition_only;     // IF's own operators
};

// In Foswiki's order of registration: the first spelling that matches at a
// position wins, so "=~" is tried before "=" and "<=" before "<".
constexpr OpDef kOps[] = {
    {Op::match, "=~", 500, 2, false, false, "", false},
    {Op::and_, "and", 200, 2, false, true, "", false},
    {Op::eq, "=", 500, 2, false, false, "", false},
    {Op::lc, "lc", 1000, 1, true, false, "", false},
    {Op::le, "<=", 500, 2, false, false, "", false},
    {Op::not_, "not", 300, 1, false, false, "", false},
    {Op::ref, "/", 800, 2, false, false, "", false},
    {Op::d2n, "d2n", 1000, 1, false, false, "", false},
    {Op::ge, ">=", 500, 2, false, false, "", false},
    {Op::length, "length", 1000, 1, false, false, "", false},
    {Op::lt, "<", 500, 2, false, false, "", false},
    {Op::paren, "(", 1100, 1, false, false, ")", false},
    {Op::uc, "uc", 1000, 1, false, false, "", false},
    {Op::dot, ".", 800, 2, false, false, "", false},
    {Op::gt, ">", 500, 2, false, false, "", false},
    {Op::like, "~", 500, 2, false, false, "", false},
    {Op::ne, "!=", 500, 2, false, false, "", false},
    {Op::or_, "or", 100, 2, false, true, "", false},
    {Op::where, "[", 900, 2, false, false, "]", false},
    {Op::comma, ",", 400, 2, false, true, "", false},
    {Op::plus, "+", 600, 2, false, false, "", false},
    {Op::minus, "-", 600, 2, false, false, "", false},
    {Op::neg, "-", 1000, 1, false, false, "", false},
    {Op::times, "*", 700, 2, false, false, "", false},
    {Op::div, "div", 700, 2, false, false, "", false},
    {Op::in, "in", 500, 2, false, false, "", false},
    {Op::int_, "int", 1000, 1, false, false, "", false},
    {Op::allows, "allows", 600, 2, false, false, "", true},
    {Op::context, "context", 600, 1, false, false, "", true},
    {Op::defined, "defined", 600, 1, false, false, "", true},
    {Op::dollar, "$", 600, 1, false, false, "", true},
    {Op::ingroup, "ingroup", 600, 2, true, false, "", true},
    {Op::isempty, "isempty", 600, 1, false, false, "", true},
    {Op::istopic, "istopic", 600, 1, false, false, "", true},
    {Op::isweb, "isweb", 600, 1, false, false, "", true},
};

struct ParseError {
  std::string message;
};

bool ascii_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }
unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; }

// Perl's \w on decoded text: ASCII word characters, and (approximately)
// every non-ASCII character.
bool word_byte(unsigned char c) { return ascii_alpha(c) || ascii_digit(c) || c == '_' || c >= 0x80; }

// Length of a Perl \s character at s[i] (ASCII or Unicode), or 0.
size_t space_len(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  unsigned char c = s[i];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (c < 0x80) return 0;
  auto at = [&](size_t k) -> unsigned char { return i + k < s.size() ? s[i + k] : 0; };
  if (c == 0xC2 && (at(1) == 0x85 || at(1) == 0xA0)) return 2;
  if (c == 0xE1 && at(1) == 0x9A && at(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && at(1) == 0x80) {
    unsigned char d = at(2);
    if ((d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;
  }
  if (c == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return 3;  // U+3000
  return 0;
}

size_t skip_space(std::string_view s, size_t i) {
  while (size_t n = space_len(s, i)) i += n;
  return i;
}

bool has_non_space(std::string_view s, size_t i) { return skip_space(s, i) < s.size(); }

void append_utf8(std::string& out, unsigned long cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool hex_digit(unsigned char c) { return ascii_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
int hex_value(unsigned char c) { return ascii_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }

// The backslash escapes of a quoted string.  A backslash only starts an
// escape when the character before it (in the raw string) is not itself a
// backslash; matches do not overlap, as with Perl's s///g.
std::string unescape(std::string_view raw, char quote) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] == '\\' && (i == 0 || raw[i - 1] != '\\') && i + 1 < raw.size()) {
      char c = raw[i + 1];
      size_t j = i + 2;
      if (c == 'n') {
        out.push_back('\n');
        i = j;
        continue;
      }
      if (c == 't') {
        out.push_back('\t');
        i = j;
        continue;
      }
      if (c == '\\' || c == quote) {
        out.push_back(c);
        i = j;
        continue;
      }
      if (c == '0' && i + 3 < raw.size() && raw[i + 2] >= '0' && raw[i + 2] <= '7' &&
          raw[i + 3] >= '0' && raw[i + 3] <= '7') {
        append_utf8(out, static_cast<unsigned long>((raw[i + 2] - '0') * 8 + (raw[i + 3] - '0')));
        i += 4;
        continue;
      }
      if (c == 'x' && i + 3 < raw.size() && hex_digit(raw[i + 2]) && hex_digit(raw[i + 3])) {
        append_utf8(out, static_cast<unsigned long>(hex_value(raw[i + 2]) * 16 + hex_value(raw[i + 3])));
        i += 4;
        continue;
      }
      if (c == 'x' && i + 2 < raw.size() && raw[i + 2] == '{') {
        size_t k = i + 3;
        unsigned long cp = 0;
        bool big = false;
        while (k < raw.size() && hex_digit(raw[k])) {
          cp = cp * 16 + hex_value(raw[k]);
          if (cp > 0x10FFFF) big = true, cp = 0x110000;
          ++k;
        }
        if (k > i + 3 && k < raw.size() && raw[k] == '}') {
          append_utf8(out, big ? 0xFFFD : cp);
          i = k + 1;
          continue;
        }
      }
    }
    out.push_back(raw[i++]);
  }
  return out;
}

// Perl's 0+$string for a literal the tokeniser accepted as a number.
Number make_number(std::string_view lit) {
  Number n;
  std::string s(lit);
  n.value = std::strtod(s.c_str(), nullptr);
  if (lit.find_first_of(".eE") == std::string_view::npos) {
    errno = 0;
    unsigned long long u = std::strtoull(s.c_str(), nullptr, 10);
    if (errno == 0 && u <= static_cast<unsigned long long>(INT64_MAX)) {
      n.integer = true;
      n.int_value = static_cast<long long>(u);
    }
  } else if (std::isfinite(n.value) && n.value == std::floor(n.value) &&
             std::fabs(n.value) < 9007199254740992.0) {
    // Perl holds 1.0 as a float, but prints it as "1": either way the same.
    n.integer = false;
  }
  return n;
}

bool is_config_word(std::string_view w) {
  if (w.empty() || w[0] != '{') return false;
  size_t i = 0;
  while (i < w.size()) {
    if (w[i] != '{' || i + 1 >= w.size() || !ascii_alpha(w[i + 1])) return false;
    size_t j = i + 2;
    while (j < w.size() && (ascii_alpha(w[j]) || ascii_digit(w[j]) || w[j] == '_')) ++j;
    if (j >= w.size() || w[j] != '}') return false;
    i = j + 1;
  }
  return true;
}

}  // namespace

class Parser {
 public:
  Parser(std::string_view text, Dialect d) : expr_(text), input_(text), dialect_(d) {
    out_ = std::make_shared<Expr>();
    out_->dialect_ = d;
    out_->source_ = std::string(text);
  }

  ParseResult run() {
    ParseResult r;
    try {
      if (expr_.size() > kMaxExpressionBytes)
        fail_plain("Expression too long (more than " + std::to_string(kMaxExpressionBytes) +
                   " bytes)");
      out_->root_ = parse_level(nullptr, 0);
      r.expr = std::move(out_);
    } catch (const ParseError& e) {
      r.error = e.message;
    } catch (const std::bad_alloc&) {
      r.error = "Expression too complex";
    }
    return r;
  }

 private:
  [[noreturn]] void fail(std::string msg) {
    if (!expr_.empty()) msg += " in '" + std::string(expr_) + "'";
    std::string_view rest = std::string_view(input_).substr(std::min(pos_, input_.size()));
    if (!rest.empty()) msg += " at '" + std::string(rest) + "'";
    throw ParseError{std::move(msg)};
  }
  [[noreturn]] void fail_plain(std::string msg) { throw ParseError{std::move(msg)}; }

  bool known(const OpDef& d) const { return !d.condition_only || dialect_ == Dialect::condition; }

  // The operator registered last under this (lower-cased) spelling, of the
  // requested arity class, as Foswiki's lookup tables keep it.
  const OpDef* lookup(std::string_view spelled, bool unary) const {
    const OpDef* found = nullptr;
    for (const OpDef& d : kOps) {
      if (!known(d) || !d.close.empty() || (d.arity == 1) != unary) continue;
      if (d.name.size() != spelled.size()) continue;
      bool same = true;
      for (size_t i = 0; i < spelled.size() && same; ++i) same = lower(spelled[i]) == lower(d.name[i]);
      if (same) found = &d;
    }
    return found;
  }

  // Does the spelling of `d` match at input_[q]?  Returns its length or 0.
  size_t match_spelling(const OpDef& d, std::string_view name, size_t q) const {
    std::string_view s = input_;
    if (q + name.size() > s.size()) return 0;
    for (size_t i = 0; i < name.size(); ++i) {
      unsigned char a = s[q + i], b = name[i];
      if (d.case_matters ? a != b : lower(a) != lower(b)) return 0;
    }
    if (word_byte(static_cast<unsigned char>(name.back())) && q + name.size() < s.size() &&
        word_byte(static_cast<unsigned char>(s[q + name.size()])))
      return 0;
    return name.size();
  }

  // The first standard (non-bracket) operator whose spelling matches at q.
  const OpDef* match_operator(size_t q, size_t& len) const {
    for (const OpDef& d : kOps) {
      if (!known(d) || !d.close.empty()) continue;
      if ((len = match_spelling(d, d.name, q))) return &d;
    }
    return nullptr;
  }

  const OpDef* match_bracket(size_t q, size_t& len) const {
    for (const OpDef& d : kOps) {
      if (!known(d) || d.close.empty()) continue;
      if ((len = match_spelling(d, d.name, q))) return &d;
    }
    return nullptr;
  }

  // A quoted string at q: returns the position after the closing quote and
  // the raw contents, or npos.
  size_t match_quoted(size_t q, std::string_view& raw) const {
    std::string_view s = input_;
    if (q >= s.size() || (s[q] != '\'' && s[q] != '"')) return std::string_view::npos;
    char quote = s[q];
    size_t i = q + 1;
    if (i < s.size() && s[i] == quote) {
      raw = {};
      return i + 1;
    }
    while (i < s.size()) {
      if (s[i] == '\\') {
        if (i + 1 >= s.size() || s[i + 1] == '\n') return std::string_view::npos;
        i += 2;
      } else {
        ++i;
      }
      if (i < s.size() && s[i] == quote) {
        raw = s.substr(q + 1, i - q - 1);
        return i + 1;
      }
    }
    return std::string_view::npos;
  }

  size_t match_number(size_t q) const {
    std::string_view s = input_;
    auto digits = [&](size_t i) {
      size_t j = i;
      while (j < s.size() && ascii_digit(s[j])) ++j;
      return j;
    };
    size_t a = digits(q), end;
    if (a > q && a < s.size() && s[a] == '.' && digits(a + 1) > a + 1) {
      end = digits(a + 1);
    } else if (a > q && a < s.size() && s[a] == '.') {
      end = a + 1;
    } else if (a == q && q < s.size() && s[q] == '.' && digits(q + 1) > q + 1) {
      end = digits(q + 1);
    } else if (a > q) {
      end = a;
    } else {
      return 0;
    }
    if (end < s.size() && (s[end] == 'e' || s[end] == 'E')) {
      size_t k = end + 1;
      if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
      if (digits(k) > k) end = digits(k);
    }
    return end - q;
  }

  size_t match_word(size_t q) const {
    std::string_view s = input_;
    if (q >= s.size()) return 0;
    if (ascii_alpha(s[q]) || s[q] == ':') {
      size_t j = q + 1;
      while (j < s.size() && (ascii_alpha(s[j]) || ascii_digit(s[j]) || s[j] == '_' || s[j] == ':')) ++j;
      return j - q;
    }
    size_t j = q;
    while (j < s.size() && s[j] == '{' && j + 1 < s.size() && ascii_alpha(s[j + 1])) {
      size_t k = j + 2;
      while (k < s.size() && (ascii_alpha(s[k]) || ascii_digit(s[k]) || s[k] == '_')) ++k;
      if (k >= s.size() || s[k] != '}') break;
      j = k + 1;
    }
    return j - q;
  }

  uint32_t add(Node n) {
    if (n.depth > kMaxTreeDepth) fail("Expression nested too deeply");
    out_->nodes_.push_back(std::move(n));
    return static_cast<uint32_t>(out_->nodes_.size() - 1);
  }

  uint32_t leaf(Node::Kind k, std::string text) {
    Node n;
    n.kind = k;
    n.text = std::move(text);
    return add(std::move(n));
  }

  // Applies the operators on the stack whose precedence is at least `prec`.
  void apply(int prec, std::vector<const OpDef*>& opers, std::vector<uint32_t>& opands) {
    while (!opers.empty() && opers.back()->prec >= prec &&
           opands.size() >= static_cast<size_t>(opers.back()->arity)) {
      const OpDef* d = opers.back();
      opers.pop_back();
      std::vector<uint32_t> params(opands.end() - d->arity, opands.end());
      opands.resize(opands.size() - d->arity);
      if (d->can_fold && !params.empty()) {
        Node& first = out_->nodes_[params[0]];
        if (first.kind == Node::Kind::op && first.op == d->op && params.size() == 2) {
          uint16_t kd = out_->nodes_[params[1]].depth;
          first.kids.push_back(params[1]);
          first.depth = std::max<uint16_t>(first.depth, static_cast<uint16_t>(kd + 1));
          opands.push_back(params[0]);
          continue;
        }
      }
      Node n;
      n.kind = Node::Kind::op;
      n.op = d->op;
      n.kids = std::move(params);
      int depth = 0;
      for (uint32_t k : n.kids) depth = std::max<int>(depth, out_->nodes_[k].depth);
      n.depth = static_cast<uint16_t>(std::min(depth + 1, 65535));
      opands.push_back(add(std::move(n)));
    }
  }

  // One (sub-)expression, up to `term` (the closing bracket) or the end.
  uint32_t parse_level(const OpDef* bracket, int nesting) {
    if (nesting > kMaxBracketDepth) fail("Expression nested too deeply");
    if (!has_non_space(input_, pos_)) {
      input_ = "()";
      pos_ = 0;
    }
    std::vector<const OpDef*> opers;
    std::vector<uint32_t> opands;
    bool last_was_oper = true;
    while (has_non_space(input_, pos_)) {
      size_t q = skip_space(input_, pos_);
      size_t len = 0;
      if (const OpDef* d = match_operator(q, len)) {
        std::string spelled = input_.substr(q, len);
        const OpDef* u = lookup(spelled, true);
        const OpDef* b = lookup(spelled, false);
        const OpDef* op = u ? u : b;
        bool wordy = std::any_of(spelled.begin(), spelled.end(),
                                 [](char c) { return ascii_alpha(c) || c == ':'; });
        if (last_was_oper && wordy && op && op->arity > 1) {
          opands.push_back(leaf(Node::Kind::name, spelled));
          pos_ = q + len;
          last_was_oper = false;
          continue;
        }
        if (last_was_oper && u) op = u;
        else op = b ? b : u;
        if (!op) op = d;
        apply(op->prec, opers, opands);
        opers.push_back(op);
        pos_ = q + len;
        last_was_oper = true;
        continue;
      }
      std::string_view raw;
      if (size_t after = match_quoted(q, raw); after != std::string_view::npos) {
        opands.push_back(leaf(Node::Kind::string, unescape(raw, input_[q])));
        pos_ = after;
        last_was_oper = false;
        continue;
      }
      if ((len = match_number(q))) {
        Node n;
        n.kind = Node::Kind::number;
        n.text = input_.substr(q, len);
        n.number = make_number(n.text);
        opands.push_back(add(std::move(n)));
        pos_ = q + len;
        last_was_oper = false;
        continue;
      }
      if ((len = match_word(q))) {
        std::string w = input_.substr(q, len);
        opands.push_back(leaf(is_config_word(w) ? Node::Kind::config : Node::Kind::name, w));
        pos_ = q + len;
        last_was_oper = false;
        continue;
      }
      if (const OpDef* d = match_bracket(q, len)) {
        apply(d->prec, opers, opands);
        opers.push_back(d);
        pos_ = q + len;
        opands.push_back(parse_level(d, nesting + 1));
        last_was_oper = false;
        continue;
      }
      if (bracket && input_.compare(q, bracket->close.size(), bracket->close) == 0) {
        pos_ = q + bracket->close.size();
        if (opands.empty()) {
          Node n;
          n.kind = Node::Kind::op;
          n.op = Op::empty;
          opands.push_back(add(std::move(n)));
        }
        break;
      }
      fail("Syntax error");
    }
    apply(0, opers, opands);
    if (opands.size() != 1) fail("Missing operator");
    if (!opers.empty()) {
      std::string names;
      for (const OpDef* d : opers) {
        if (!names.empty()) names += ' ';
        names += d->name;
      }
      fail("Excess operators (" + names + ")");
    }
    return opands.back();
  }

  std::string_view expr_;
  std::string input_;
  size_t pos_ = 0;
  Dialect dialect_;
  std::shared_ptr<Expr> out_;
};

std::string_view op_name(Op op) {
  if (op == Op::empty) return "()";
  for (const OpDef& d : kOps)
    if (d.op == op) return d.name;
  return "?";
}

ParseResult parse(std::string_view text, Dialect dialect) { return Parser(text, dialect).run(); }

ParseResult parse_cached(std::string_view text, Dialect dialect) {
  if (text.size() > kMaxCachedSource) return parse(text, dialect);
  static std::mutex mu;
  static StringKeyMap<ParseResult> caches[2];  // by dialect
  StringKeyMap<ParseResult>& cache = caches[dialect == Dialect::query ? 0 : 1];
  {
    std::lock_guard<std::mutex> g(mu);
    if (auto it = cache.find(text); it != cache.end()) return it->second;
  }
  ParseResult r = parse(text, dialect);
  std::lock_guard<std::mutex> g(mu);
  if (cache.size() >= kMaxCachedExprs / 2) cache.clear();  // a new generation
  cache.emplace(std::string(text), r);
  return r;
}

std::string Expr::to_string() const {
  if (nodes_.empty()) return {};
  // Iterative, so that deep trees cannot exhaust the stack.
  std::string out;
  struct Frame {
    uint32_t node;
    size_t next;
  };
  std::vector<Frame> stack{{root_, 0}};
  while (!stack.empty()) {
    Frame& f = stack.back();
    const Node& n = nodes_[f.node];
    if (n.kind != Node::Kind::op) {
      if (n.kind == Node::Kind::string) out += "'" + n.text + "'";
      else out += n.text;
      stack.pop_back();
      continue;
    }
    if (f.next == 0) {
      out += op_name(n.op);
      if (n.kids.empty()) {
        stack.pop_back();
        continue;
      }
      out += '{';
    } else if (f.next < n.kids.size()) {
      out += ',';
    }
    if (f.next < n.kids.size()) {
      uint32_t k = n.kids[f.next++];
      stack.push_back({k, 0});
    } else {
      out += '}';
      stack.pop_back();
    }
  }
  return out;
}

}  // namespace cwiki::query

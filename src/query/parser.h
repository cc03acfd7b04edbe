// Foswiki's query language (the condition of %IF%, %QUERY% and
// %SEARCH{type="query"}%), parsed as Foswiki's operator-precedence parser
// parses it, with the same tokens, precedences and error messages.
//
// The grammar, loosest first:
//   or (100)   and (200)   not (300)   , (400)
//   = != < > <= >= ~ =~ in (500)
//   + - (600), and in IF also: allows ingroup $ defined isempty istopic isweb context
//   * div (700)   / . (800)   X[...] (900)   lc uc d2n length int unary- (1000)   (...) (1100)
// Binary operators associate to the left; `and`, `or` and `,` fold into one
// n-ary node.  Tokens are tried in Foswiki's order at each position:
// operators (first listed match wins, word operators end on a word
// boundary, all case-insensitive except lc and ingroup), then 'strings' or
// "strings" (backslash escapes \n \t \\ \' \" \0oo \xHH \x{H..}), numbers
// (unsigned; a leading minus is the unary operator), names
// ([A-Za-z:][A-Za-z0-9_:]* or {Config}{Keys}), then ( and [.  A word
// operator that stands where an operand is expected, and is not unary (e.g.
// `and`), is a name.
//
// Errors are Foswiki's texts: "Syntax error in 'EXPR' at 'REST'",
// "Missing operator in 'EXPR'", "Excess operators (= =) in 'EXPR'".  On top
// of Foswiki, expressions are bounded (kMaxExpressionBytes, bracket nesting
// and tree depth), so that no input can exhaust memory or the stack.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cwiki::query {

inline constexpr size_t kMaxExpressionBytes = 64 * 1024;
inline constexpr int kMaxBracketDepth = 100;  // nested ( and [
inline constexpr int kMaxTreeDepth = 400;     // nested operators of any kind

// Which operators the parser knows: QUERY and SEARCH use the query
// language; IF adds its own operators.
enum class Dialect { query, condition };

enum class Op : uint8_t {
  // query language
  or_, and_, not_, comma, eq, ne, lt, gt, le, ge, like, match, in,
  plus, minus, times, div, ref, dot, where, lc, uc, d2n, length, neg, int_, paren,
  empty,  // "()": an empty list
  // IF only
  allows, context, defined, dollar, ingroup, isempty, istopic, isweb,
};

// The operator's spelling, as Foswiki names it in messages ("=", "and", "[").
std::string_view op_name(Op op);

// A leaf's number: the value of the literal, and whether Perl would hold it
// as an integer (it then prints exactly).
struct Number {
  double value = 0;
  bool integer = false;
  long long int_value = 0;
};

struct Node {
  enum class Kind : uint8_t {
    name,     // an unquoted word: a field, alias, form name, META:X...
    string,   // a quoted string, escapes applied
    number,   // a numeric literal
    config,   // {Key}{Sub}: a configuration value (resolved when evaluated)
    op,       // an operator applied to `kids`
  };
  Kind kind = Kind::name;
  Op op = Op::empty;
  std::string text;  // name, string value, or config key as written
  Number number;
  std::vector<uint32_t> kids;  // indices into Expr::nodes
  uint16_t depth = 1;          // height of this subtree
};

// A parsed expression: immutable, safe to share between threads and to
// evaluate many times (SEARCH parses once and evaluates per topic).
class Expr {
 public:
  const Node& root() const { return nodes_[root_]; }
  const Node& node(uint32_t i) const { return nodes_[i]; }
  const Node& kid(const Node& n, size_t i) const { return nodes_[n.kids[i]]; }
  Dialect dialect() const { return dialect_; }
  const std::string& source() const { return source_; }
  // Foswiki's stringify(): "={'A','B'}" style, for logs and tests.
  std::string to_string() const;

 private:
  friend class Parser;
  std::vector<Node> nodes_;
  uint32_t root_ = 0;
  Dialect dialect_ = Dialect::query;
  std::string source_;
};

struct ParseResult {
  std::shared_ptr<const Expr> expr;  // null on error
  std::string error;                 // Foswiki's message (no "IF{...}:" prefix)
  bool ok() const { return expr != nullptr; }
};

// Parses `text` in the given dialect.  Never throws; garbage in gives an
// error message out.
ParseResult parse(std::string_view text, Dialect dialect);

// As parse(), remembered by the process: the same conditions come back on
// every page (skins test the same few things each time).  Expressions longer
// than kMaxCachedSource are parsed each time; each dialect's half of the cache
// starts afresh when it holds kMaxCachedExprs / 2.
inline constexpr size_t kMaxCachedSource = 4096;
inline constexpr size_t kMaxCachedExprs = 2048;
ParseResult parse_cached(std::string_view text, Dialect dialect);

}  // namespace cwiki::query

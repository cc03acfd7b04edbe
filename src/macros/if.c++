// IF and QUERY: Foswiki's conditions and meta-data queries (the language
// itself is in src/query/).
//
//   %IF{"condition" then="..." else="..."}%   (Foswiki's friendly syntax)
//   %QUERY{"expr" style="default|perl|json" rev="N"}%
//
// IF expands to its `then` or `else` text with the standard escapes ($n,
// $percent, $quot, ...) applied; the result is then expanded like any macro
// output.  A condition that does not parse, or fails, gives Foswiki's inline
// alert: <span class='foswikiAlert'>..IF{ "cond" else=".." then=".." }: message..</span>.
// The same expression evaluated inside itself (e.g. a preference whose value
// is an IF that tests that preference) stops after 5 levels, as in Foswiki;
// on top of that, IF and QUERY nest at most kMaxNesting levels in all.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "macros/expand.h"
#include "macros/registry.h"
#include "query/eval.h"
#include "query/parser.h"
#include "query/session_host.h"

namespace cwiki {
namespace {

constexpr int kSameExpressionLimit = 5;  // Foswiki's recursion block
constexpr int kMaxNesting = 40;          // IF/QUERY inside IF/QUERY, any expressions
constexpr long kMaxEvaluations = 20000;  // IF/QUERY evaluations under one outermost one

// Foswiki's Attrs::stringify: keys sorted, _DEFAULT without a name, values
// double-quoted with " escaped.
std::string stringify(const Attrs& a) {
  std::vector<const std::pair<std::string, std::string>*> kv;
  for (const auto& p : a.values()) kv.push_back(&p);
  std::stable_sort(kv.begin(), kv.end(), [](auto x, auto y) { return x->first < y->first; });
  std::string out;
  for (const auto* p : kv) {
    if (p->first == "_RAW" || p->first == "_ERROR") continue;
    if (!out.empty()) out.push_back(' ');
    if (p->first != "_DEFAULT") out += p->first + "=";
    out.push_back('"');
    for (char c : p->second) {
      if (c == '"') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  std::string out;
  size_t i = 0;
  for (size_t at; (at = s.find(from, i)) != std::string::npos; i = at + from.size()) {
    out.append(s, i, at - i);
    out.append(to);
  }
  if (i == 0) return;
  out.append(s, i, std::string::npos);
  s.swap(out);
}

// Foswiki's inlineAlert('alerts', 'generic', ...): the oopsalerts template
// with its "generic" definition, parameters filled in order.
std::string inline_alert(const std::vector<std::string>& params) {
  std::string t = "<span class='foswikiAlert'>\n            %PARAM1% %PARAM2% %PARAM3% %PARAM4% \n</span>";
  for (size_t i = 0; i < params.size(); ++i)
    replace_all(t, "%PARAM" + std::to_string(i + 1) + "%", params[i]);
  // Parameters not given disappear.
  std::string out;
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 6, "%PARAM") == 0) {
      size_t j = i + 6;
      while (j < t.size() && t[j] >= '0' && t[j] <= '9') ++j;
      if (j > i + 6 && j < t.size() && t[j] == '%') {
        i = j + 1;
        continue;
      }
    }
    out.push_back(t[i++]);
  }
  return out;
}

// Foswiki's recursion block for one expression, plus the global bounds.
// The expressions open are kept as views of the callers' texts: an entry
// goes before (or with) the Reentry that made it, whose text outlives it.
class Reentry {
 public:
  Reentry(Session& s, std::string_view macro, std::string_view expr)
      : st_(s.memo<State>("if:reentry")), macro_(macro), expr_(expr) {
    if (st_.depth == 0) st_.work = 0;
    long work = ++st_.work;
    Open* open = find();
    if (!open) {
      st_.open.push_back(Open{macro, expr, 0});
      open = &st_.open.back();
    }
    if (open->count > kSameExpressionLimit) {
      erase();
      blocked_ = true;
      return;
    }
    if (st_.depth >= kMaxNesting || work > kMaxEvaluations) {
      if (open->count == 0) erase();
      blocked_ = true;
      return;
    }
    ++open->count;
    ++st_.depth;
    entered_ = true;
  }
  ~Reentry() {
    if (!entered_) return;
    erase();
    if (st_.depth > 0) --st_.depth;
  }
  Reentry(const Reentry&) = delete;
  Reentry& operator=(const Reentry&) = delete;
  bool blocked() const { return blocked_; }

 private:
  struct Open {
    std::string_view macro, expr;
    long count;  // times it is open, one inside another
  };
  struct State {
    long depth = 0;  // IF and QUERY being evaluated, one inside another
    long work = 0;   // evaluations since the outermost one began
    std::vector<Open> open;  // at most kMaxNesting + 1
  };
  Open* find() {
    for (Open& o : st_.open)
      if (o.macro == macro_ && o.expr == expr_) return &o;
    return nullptr;
  }
  void erase() {
    for (auto it = st_.open.begin(); it != st_.open.end(); ++it)
      if (it->macro == macro_ && it->expr == expr_) {
        st_.open.erase(it);
        return;
      }
  }
  State& st_;
  std::string_view macro_, expr_;
  bool blocked_ = false;
  bool entered_ = false;
};

std::optional<std::string> if_macro(Session& s, const Attrs& attrs, const TopicRef& topic) {
  const std::string* d = attrs.default_value();
  std::string_view texpr = d ? std::string_view(*d) : std::string_view();
  Reentry guard(s, "IF", texpr);
  if (guard.blocked()) return std::string();
  query::ParseResult p = query::parse_cached(texpr, query::Dialect::condition);
  if (!p.ok()) return inline_alert({"IF{", stringify(attrs), "}:", p.error});
  query::SessionHost host(s);
  query::EvalResult r = query::evaluate(*p.expr, host, host.topic(topic));
  if (!r.ok()) return inline_alert({"IF{", stringify(attrs), "}:", r.error});
  const std::string* branch = attrs.get(query::is_true(r.value) ? "then" : "else");
  return expand_standard_escapes(branch ? *branch : "");
}

std::optional<std::string> query_macro(Session& s, const Attrs& attrs, const TopicRef& topic) {
  const std::string* d = attrs.default_value();
  std::string expr = d ? *d : "";
  std::string style = attrs.get_or("style", "");
  if (style.empty() || style == "0") style = "default";
  for (char& c : style) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  if (!style.empty() && style[0] >= 'a' && style[0] <= 'z') style[0] = static_cast<char>(style[0] - 32);
  for (char c : style)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return std::string("%RED%QUERY: invalid 'style' parameter passed%ENDCOLOR%");

  query::SessionHost host(s);
  std::shared_ptr<const query::TopicObject> tom = host.topic(topic);
  if (const std::string* rev = attrs.get("rev"); rev && tom->snap) {
    int n = std::atoi(rev->c_str());
    if (n != tom->snap->info.version) {
      auto t = std::make_shared<query::TopicObject>(*tom);
      if (auto snap = s.store.read_rev(t->web, t->topic, n))
        t->snap = std::make_shared<const TopicSnapshot>(std::move(*snap));
      tom = std::move(t);
    }
  }

  Reentry guard(s, "QUERY", expr);
  if (guard.blocked()) return std::string();
  query::ParseResult p = query::parse_cached(expr, query::Dialect::query);
  if (!p.ok()) return inline_alert({"QUERY{", stringify(attrs), "}:", p.error});
  query::EvalResult r = query::evaluate(*p.expr, host, tom);
  if (!r.ok()) return inline_alert({"QUERY{", stringify(attrs), "}:", r.error});
  return query::serialise(r.value, style);
}

}  // namespace

void register_if_macros() {
  register_macro("IF", if_macro, /*friendly_syntax=*/true);
  register_macro("QUERY", query_macro);
}

}  // namespace cwiki

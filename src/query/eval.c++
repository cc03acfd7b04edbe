#define PCRE2_CODE_UNIT_WIDTH 8
#include "query/eval.h"

#include <pcre2.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <list>
#include <mutex>

#include "query/time.h"
#include "store/names.h"
#include "util/chars.h"

namespace cwiki::query {
namespace {

// Errors Foswiki reports as the query's error (Foswiki::Infix::Error and the
// like); '/' swallows them for the topic it was evaluating.
struct QueryError {
  std::string message;
};
// Limits: never swallowed.
struct Fatal {
  std::string message;
};

// ---- numbers and strings, as Perl sees them ----

bool ascii_digit(char c) { return c >= '0' && c <= '9'; }
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

// Perl's numification of a string: leading spaces, then as much of a
// number as there is; 0 when there is none.
Num numify_text(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
                          s[i] == '\f' || s[i] == '\v'))
    ++i;
  size_t start = i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  auto word = [&](std::string_view w) {
    if (i + w.size() > s.size()) return false;
    for (size_t k = 0; k < w.size(); ++k)
      if (ascii_lower(s[i + k]) != w[k]) return false;
    return true;
  };
  if (word("inf")) return Num::of_double(neg ? -HUGE_VAL : HUGE_VAL);
  if (word("nan")) return Num::of_double(NAN);
  size_t digits_start = i;
  while (i < s.size() && ascii_digit(s[i])) ++i;
  size_t int_digits = i - digits_start;
  bool frac = false;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && ascii_digit(s[j])) ++j;
    frac_digits = j - i - 1;
    if (int_digits || frac_digits) {
      frac = true;
      i = j;
    }
  }
  if (!int_digits && !frac_digits) return Num::of_int(0);
  bool expo = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && ascii_digit(s[j])) {
      while (j < s.size() && ascii_digit(s[j])) ++j;
      expo = true;
      i = j;
    }
  }
  std::string lit(s.substr(start, i - start));
  if (!frac && !expo) {
    errno = 0;
    long long v = std::strtoll(lit.c_str(), nullptr, 10);
    if (errno == 0) return Num::of_int(v);
  }
  return Num::of_double(std::strtod(lit.c_str(), nullptr));
}

Num numify(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::num: return v.as_num();
    case Value::Kind::str: return numify_text(v.as_str());
    default: return Num::of_int(0);
  }
}

// Is this value one that isNumber() accepts when stringified?
bool number_like(const Value& v) {
  if (v.kind() == Value::Kind::num) return std::isfinite(v.as_num().value);
  if (v.kind() == Value::Kind::str) return looks_like_number(v.as_str());
  return false;
}

// Perl's <=> on two numbers.
int numeric_compare(const Num& a, const Num& b) {
  if (a.integer && b.integer) return a.int_value < b.int_value ? -1 : a.int_value > b.int_value;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

Num add(const Num& a, const Num& b, int dir) {
  if (a.integer && b.integer) {
    long long r;
    bool over = dir > 0 ? __builtin_add_overflow(a.int_value, b.int_value, &r)
                        : __builtin_sub_overflow(a.int_value, b.int_value, &r);
    if (!over) return Num::of_int(r);
  }
  return Num::of_double(dir > 0 ? a.value + b.value : a.value - b.value);
}

Num multiply(const Num& a, const Num& b) {
  if (a.integer && b.integer) {
    long long r;
    if (!__builtin_mul_overflow(a.int_value, b.int_value, &r)) return Num::of_int(r);
  }
  return Num::of_double(a.value * b.value);
}

std::string hex_address(const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(p)));
  return buf;
}

// ---- Unicode text ----

size_t utf8_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;
}

// Decodes one code point at s[i]; advances i.  Invalid bytes decode as
// themselves (Latin-1), so that nothing is lost.
uint32_t decode(std::string_view s, size_t& i) {
  unsigned char c = s[i];
  size_t n = utf8_len(c);
  if (n == 1 || i + n > s.size()) {
    ++i;
    return c;
  }
  uint32_t cp = c & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) {
      ++i;
      return c;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  i += n;
  return cp;
}

void encode(std::string& out, uint32_t cp) {
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

// Simple case mapping for the scripts wikis mostly use: Latin, Greek,
// Cyrillic (Perl's lc/uc cover all of Unicode).
uint32_t to_lower_cp(uint32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

uint32_t to_upper_cp(uint32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c == 0xB5) return 0x39C;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x131) return 'I';
    if (c == 0x17F) return 'S';
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
    if (c == 0x130 || c == 0x138 || c == 0x149 || c == 0x178) return c;
    return (c & 1) ? c - 1 : c;
  }
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x3B1 && c <= 0x3C9) return c - 32;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

std::string change_case(std::string_view s, bool upper) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      char c = s[i++];
      out.push_back(upper ? (c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c)
                          : ascii_lower(c));
      continue;
    }
    uint32_t cp = decode(s, i);
    if (upper && cp == 0xDF) {
      out += "SS";
      continue;
    }
    encode(out, upper ? to_upper_cp(cp) : to_lower_cp(cp));
  }
  return out;
}

size_t char_length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) decode(s, i);
  return n;
}

// '*' any run of characters, '?' one character, anything else itself; the
// whole subject must match.  Greedy star with backtracking to the last star:
// O(subject * pattern) at worst.
bool glob_match(std::string_view subject, std::string_view pattern) {
  std::vector<uint32_t> s, p;
  for (size_t i = 0; i < subject.size();) s.push_back(decode(subject, i));
  for (size_t i = 0; i < pattern.size();) p.push_back(decode(pattern, i));
  size_t si = 0, pi = 0, star = std::string::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == s[si]))) {
      ++si;
      ++pi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

// ---- regular expressions (=~): PCRE2 with limits, compiled once per pattern ----

class CompiledRegex {
 public:
  explicit CompiledRegex(pcre2_code* c) : code_(c) {}
  ~CompiledRegex() { pcre2_code_free(code_); }
  CompiledRegex(const CompiledRegex&) = delete;
  CompiledRegex& operator=(const CompiledRegex&) = delete;
  bool search(std::string_view subject) const {
    thread_local std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
    thread_local std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> mc(
        [] {
          pcre2_match_context* c = pcre2_match_context_create(nullptr);
          if (c) {
            pcre2_set_match_limit(c, 1000000);
            pcre2_set_depth_limit(c, 10000);
          }
          return c;
        }(),
        &pcre2_match_context_free);
    if (!md) throw std::bad_alloc();
    int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                         0, md.get(), mc.get());
    return rc >= 0;
  }

 private:
  pcre2_code* code_;
};

// A small process-wide cache of compiled patterns (SEARCH evaluates the
// same pattern for every topic).
std::shared_ptr<const CompiledRegex> compile_regex(const std::string& pattern) {
  static std::mutex mu;
  static std::list<std::pair<std::string, std::shared_ptr<const CompiledRegex>>> lru;
  constexpr size_t kCacheSize = 64;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = lru.begin(); it != lru.end(); ++it)
      if (it->first == pattern) {
        lru.splice(lru.begin(), lru, it);
        return it->second;
      }
  }
  int err = 0;
  PCRE2_SIZE off = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_DOTALL, &err, &off, nullptr);
  if (!code) return nullptr;
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  auto compiled = std::make_shared<const CompiledRegex>(code);
  if (pattern.size() <= 4096) {
    std::lock_guard<std::mutex> lock(mu);
    lru.emplace_front(pattern, compiled);
    if (lru.size() > kCacheSize) lru.pop_back();
  }
  return compiled;
}

// ---- serialisation ----

void perl_quote(std::string& out, std::string_view s) {
  out.push_back('\'');
  for (char c : s) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
}

// Data::Dumper prints /^(?:0|-?[1-9]\d{0,8})$/ bare, anything else quoted.
bool dumper_bare(std::string_view s) {
  if (s == "0") return true;
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || s[i] < '1' || s[i] > '9') return false;
  size_t digits = s.size() - i;
  if (digits > 9) return false;
  for (size_t k = i; k < s.size(); ++k)
    if (!ascii_digit(s[k])) return false;
  return true;
}

std::vector<const std::pair<std::string, std::string>*> sorted_attrs(const MetaItem& m) {
  std::vector<const std::pair<std::string, std::string>*> v;
  for (const auto& kv : m.attrs) v.push_back(&kv);
  std::stable_sort(v.begin(), v.end(), [](auto a, auto b) { return a->first < b->first; });
  return v;
}

void perl_dump(std::string& out, const Value& v, int depth) {
  if (depth > 500) {
    out += "'...'";
    return;
  }
  switch (v.kind()) {
    case Value::Kind::undef: out += "undef"; break;
    case Value::Kind::str:
    case Value::Kind::num: {
      std::string t = to_text(v);
      if (dumper_bare(t)) out += t;
      else perl_quote(out, t);
      break;
    }
    case Value::Kind::array: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        perl_dump(out, e, depth + 1);
      }
      out.push_back(']');
      break;
    }
    case Value::Kind::hash: {
      out.push_back('{');
      bool first = true;
      if (v.as_hash().item)
        for (const auto* kv : sorted_attrs(*v.as_hash().item)) {
          if (!first) out.push_back(',');
          first = false;
          perl_quote(out, kv->first);
          out += " => ";
          perl_dump(out, Value::str(kv->second), depth + 1);
        }
      out.push_back('}');
      break;
    }
    case Value::Kind::topic: {
      out += "bless( {'_topic' => ";
      perl_quote(out, v.as_topic().topic);
      out += ",'_web' => ";
      perl_quote(out, v.as_topic().web);
      out += "}, 'Foswiki::Meta' )";
      break;
    }
  }
}

void json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void json_dump(std::string& out, const Value& v, int depth) {
  if (depth > 500) {
    out += "null";
    return;
  }
  switch (v.kind()) {
    case Value::Kind::undef: out += "null"; break;
    case Value::Kind::str: json_string(out, v.as_str()); break;
    case Value::Kind::num: {
      const Num& n = v.as_num();
      if (!n.integer && !std::isfinite(n.value)) out += "null";
      else out += format_number(n);
      break;
    }
    case Value::Kind::array: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        json_dump(out, e, depth + 1);
      }
      out.push_back(']');
      break;
    }
    case Value::Kind::hash: {
      out.push_back('{');
      bool first = true;
      if (v.as_hash().item)
        for (const auto* kv : sorted_attrs(*v.as_hash().item)) {
          if (!first) out.push_back(',');
          first = false;
          json_string(out, kv->first);
          out.push_back(':');
          json_string(out, kv->second);
        }
      out.push_back('}');
      break;
    }
    case Value::Kind::topic:
      out += "{\"_topic\":";
      json_string(out, v.as_topic().topic);
      out += ",\"_web\":";
      json_string(out, v.as_topic().web);
      out += "}";
      break;
  }
}

// ---- META access (Foswiki's QueryAlgorithm getField / getForm) ----

const char* alias_of(std::string_view name) {
  static const std::pair<std::string_view, const char*> kAliases[] = {
      {"attachments", "META:FILEATTACHMENT"}, {"fields", "META:FIELD"},
      {"form", "META:FORM"},                  {"info", "META:TOPICINFO"},
      {"moved", "META:TOPICMOVED"},           {"parent", "META:TOPICPARENT"},
      {"preferences", "META:PREFERENCE"},     {"versions", "META:VERSIONS"},
  };
  for (const auto& [a, real] : kAliases)
    if (a == name) return real;
  return nullptr;
}

bool array_type(std::string_view type) {
  return type == "FILEATTACHMENT" || type == "FIELD" || type == "PREFERENCE";
}

// TOPICINFO as Foswiki's getRevisionInfo() fills it.
Value topic_info(const std::shared_ptr<const TopicObject>& t) {
  if (!t->snap) return {};
  auto item = std::make_shared<MetaItem>();
  item->type = "TOPICINFO";
  if (const MetaItem* ti = t->snap->doc.find("TOPICINFO")) item->attrs = ti->attrs;
  const RevInfo& info = t->snap->info;
  auto set = [&](std::string_view k, std::string v) {
    for (auto& kv : item->attrs)
      if (kv.first == k) {
        kv.second = std::move(v);
        return;
      }
    item->attrs.emplace_back(std::string(k), std::move(v));
  };
  // As Foswiki's store answers for a revision: its TOPICINFO where it has
  // one, the store's own record otherwise; the number is the store's.
  if (info.version > 0) set("version", std::to_string(info.version));
  if (!item->get("date") && info.date > 0) set("date", std::to_string(info.date));
  if (!item->get("author") && !info.author.empty()) set("author", info.author);
  const MetaItem* raw = item.get();
  return Value::hash(HashRef{std::shared_ptr<const void>(std::move(item)), raw});
}

}  // namespace

// ---- public helpers ----

Num Num::of_double(double v) { return Num{v, false, 0}; }

std::string format_number(const Num& n) {
  if (n.integer) return std::to_string(n.int_value);
  if (std::isnan(n.value)) return "NaN";
  if (std::isinf(n.value)) return n.value < 0 ? "-Inf" : "Inf";
  if (n.value == 0) return "0";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", n.value);
  return buf;
}

bool looks_like_number(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);  // Perl's $ before a final newline
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t a = i;
  while (i < s.size() && ascii_digit(s[i])) ++i;
  size_t int_digits = i - a;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    size_t b = ++i;
    while (i < s.size() && ascii_digit(s[i])) ++i;
    frac_digits = i - b;
  }
  if (!int_digits && !frac_digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t c = i;
    while (i < s.size() && ascii_digit(s[i])) ++i;
    if (i == c) return false;
  }
  return i == s.size();
}

bool is_true(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::undef: return false;
    case Value::Kind::str: return !(v.as_str().empty() || v.as_str() == "0");
    case Value::Kind::num: {
      const Num& n = v.as_num();
      return n.integer ? n.int_value != 0 : n.value != 0;  // NaN is true
    }
    default: return true;
  }
}

std::string to_text(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::undef: return {};
    case Value::Kind::str: return v.as_str();
    case Value::Kind::num: return format_number(v.as_num());
    case Value::Kind::array: return "ARRAY(" + hex_address(&v.as_array()) + ")";
    case Value::Kind::hash: return "HASH(" + hex_address(v.as_hash().item) + ")";
    case Value::Kind::topic: return "Foswiki::Meta=HASH(" + hex_address(&v.as_topic()) + ")";
  }
  return {};
}

std::string serialise(const Value& v, std::string_view style) {
  std::string s;
  for (char c : style) s.push_back(ascii_lower(c));
  std::string out;
  if (s == "perl") {
    perl_dump(out, v, 0);
    return out;
  }
  if (s == "json") {
    if (!v.defined()) return "";
    json_dump(out, v, 0);
    return out;
  }
  if (v.kind() == Value::Kind::array) {
    for (const Value& e : v.as_array())
      if (e.is_ref()) {
        perl_dump(out, v, 0);
        return out;
      }
    bool first = true;
    for (const Value& e : v.as_array()) {
      if (!first) out.push_back(',');
      first = false;
      out += to_text(e);
    }
    return out;
  }
  if (v.is_ref()) {
    perl_dump(out, v, 0);
    return out;
  }
  return to_text(v);
}

// ---- the default Host ----

std::shared_ptr<const TopicObject> Host::load(std::string_view web, std::string_view topic) {
  auto t = std::make_shared<TopicObject>();
  t->web = normalize_web(web);
  t->topic = std::string(topic);
  t->snap = store_.read(t->web, t->topic);
  return t;
}

std::vector<std::shared_ptr<const TopicObject>> Host::versions(const TopicObject& t) {
  std::vector<std::shared_ptr<const TopicObject>> out;
  if (!t.snap) return out;
  std::vector<RevInfo> revs = store_.history(t.web, t.topic);
  for (const RevInfo& r : revs) {
    if (out.size() >= kMaxVersions) break;
    auto s = store_.read_rev(t.web, t.topic, r.version);
    if (!s) continue;
    auto v = std::make_shared<TopicObject>();
    v->web = t.web;
    v->topic = t.topic;
    v->snap = std::make_shared<const TopicSnapshot>(std::move(*s));
    v->from_versions = true;
    out.push_back(std::move(v));
  }
  return out;
}

bool Host::topic_exists(std::string_view web, std::string_view topic) {
  return store_.topic_exists(normalize_web(web), topic);
}

bool Host::web_exists(std::string_view web) { return store_.web_exists(normalize_web(web)); }

Value Host::config(std::string_view) { return Value::str(""); }

long long Host::now() { return static_cast<long long>(std::time(nullptr)); }

bool Host::allows(std::string_view, std::string_view, std::string_view) { return true; }

std::pair<std::string, std::string> normalize_web_topic(Host& host, std::string_view web,
                                                        std::string_view name) {
  std::string w(web), t(name);
  size_t sep = rfind_any(name, "./");
  if (sep != std::string_view::npos) {
    w = std::string(name.substr(0, sep));
    t = std::string(name.substr(sep + 1));
  }
  if (w.empty() || w == "0") w = host.users_web();
  if (t.empty() || t == "0") t = host.home_topic();
  static const std::pair<std::string_view, int> kWebMacros[] = {
      {"%MAINWEB%", 0}, {"%TWIKIWEB%", 1}, {"%USERSWEB%", 0}, {"%SYSTEMWEB%", 1}, {"%DOCWEB%", 1}};
  size_t best = std::string::npos;
  std::string_view which;
  int kind = 0;
  for (const auto& [m, k] : kWebMacros) {
    size_t at = w.find(m);
    if (at < best) best = at, which = m, kind = k;
  }
  if (best != std::string::npos)
    w.replace(best, which.size(), kind == 0 ? host.users_web() : host.system_web());
  std::replace(w.begin(), w.end(), '.', '/');
  return {w, t};
}

// ---- the evaluator ----

namespace {

struct Domain {
  std::shared_ptr<const TopicObject> tom;
  Value data;
  bool restricted = false;  // a name on the left of '.' or '[': a form or META: name
};

using Pred = int (*)(int);

class Evaluator {
 public:
  Evaluator(const Expr& e, Host& h) : e_(e), h_(h) {}

  // Foswiki's Node::evaluate.
  Value eval(const Node& n, const Domain& d) {
    step();
    switch (n.kind) {
      case Node::Kind::name:
        if (d.data.defined()) return lookup_name(n.text, d);
        return Value::str(n.text);
      case Node::Kind::string: return Value::str(n.text);
      case Node::Kind::number: return Value::num(to_num(n.number));
      case Node::Kind::config: return h_.config(n.text);
      case Node::Kind::op: return eval_op(n, d);
    }
    return {};
  }

 private:
  static Num to_num(const Number& n) {
    if (n.integer) return Num::of_int(n.int_value);
    return Num::of_double(n.value);
  }

  void step() {
    if (++steps_ > kMaxEvalSteps) throw Fatal{"Query too expensive (more than " + std::to_string(kMaxEvalSteps) + " steps)"};
  }
  void grow(size_t n) {
    elements_ += n;
    if (elements_ > kMaxArrayElements) throw Fatal{"Query result too large"};
  }

  const Node& kid(const Node& n, size_t i) const { return e_.kid(n, i); }

  // If::Node::_evaluate: a leaf is its own value (no field lookup).
  Value plain(const Node& n, const Domain& d) {
    step();
    switch (n.kind) {
      case Node::Kind::name:
      case Node::Kind::string: return Value::str(n.text);
      case Node::Kind::number: return Value::num(to_num(n.number));
      case Node::Kind::config: return h_.config(n.text);
      case Node::Kind::op:
        if (n.op == Op::paren) return plain(kid(n, 0), d);
        return eval_op(n, d);
    }
    return {};
  }

  // Node::evaluatesToConstant.
  bool constant(const Node& n, const Domain& d) {
    step();
    switch (n.kind) {
      case Node::Kind::name: return false;
      case Node::Kind::string:
      case Node::Kind::number:
      case Node::Kind::config: return true;
      case Node::Kind::op: break;
    }
    switch (n.op) {
      case Op::dot: return false;
      case Op::ref: return constant(kid(n, 0), d);
      case Op::empty: return true;
      case Op::neg:
      case Op::int_: return constant(kid(n, 0), d);
      case Op::and_:
        for (uint32_t k : n.kids) {
          const Node& c = e_.node(k);
          if (!constant(c, d)) return false;
          if (!is_true(eval(c, d))) return true;
        }
        return true;
      case Op::or_: {
        bool all = true;
        for (uint32_t k : n.kids) {
          const Node& c = e_.node(k);
          bool ac = constant(c, d);
          if (ac && is_true(eval(c, d))) return true;
          if (!ac) all = false;
        }
        return all;
      }
      default:
        for (uint32_t k : n.kids)
          if (!constant(e_.node(k), d)) return false;
        return true;
    }
  }

  // A name: NOW, UNDEFINED, a field of the data, or (restricted) a form.
  [[gnu::noinline]] Value lookup_name(const std::string& name, const Domain& d) {
    std::string lname;
    for (char c : name) lname.push_back(ascii_lower(c));
    if (lname == "now") return Value::integer(h_.now());
    if (lname == "undefined") return {};
    const char* alias = alias_of(name);
    std::string_view real = alias ? std::string_view(alias) : std::string_view(name);
    if (d.restricted && !real.starts_with("META:")) return get_form(d.data, name);
    bool is_topic = d.data.kind() == Value::Kind::topic;
    return field_of(d.data, is_topic ? real : std::string_view(name), name);
  }

  // Query::Node::_getField.
  Value field_of(const Value& data, std::string_view name, const std::string& written) {
    switch (data.kind()) {
      case Value::Kind::topic: return get_field(data.topic_ptr(), name);
      case Value::Kind::array: {
        const Array& a = data.as_array();
        if (!name.empty() && std::all_of(name.begin(), name.end(), ascii_digit)) {
          if (name.size() > 18) return {};
          size_t idx = std::strtoull(std::string(name).c_str(), nullptr, 10);
          return idx < a.size() ? a[idx] : Value();
        }
        Array res;
        for (const Value& f : a) {
          step();
          Value v = field_of(f, name, written);
          if (v.defined()) res.push_back(std::move(v));
        }
        if (res.empty()) {
          for (const Value& f : a) {
            if (f.kind() != Value::Kind::hash) continue;
            const std::string* n = f.as_hash().get("name");
            const std::string* v = f.as_hash().get("value");
            if (n && !n->empty() && *n != "0" && *n == name && v) res.push_back(Value::str(*v));
          }
        }
        if (res.empty()) return {};
        grow(res.size());
        return Value::array(std::move(res));
      }
      case Value::Kind::hash: {
        const std::string* v = data.as_hash().get(written);
        return v ? Value::str(*v) : Value();
      }
      default: return Value::str(written);
    }
  }

  // The QueryAlgorithm's getField on a topic.
  Value get_field(const std::shared_ptr<const TopicObject>& t, std::string_view field) {
    if (field == "META:VERSIONS") {
      if (t->from_versions) return Value::array({});
      auto vs = h_.versions(*t);
      grow(vs.size());
      Array a;
      a.reserve(vs.size());
      for (auto& v : vs) a.push_back(Value::topic(std::move(v)));
      return Value::array(std::move(a));
    }
    if (field.starts_with("META:")) {
      std::string_view type = field.substr(5);
      if (type == "TOPICINFO") return topic_info(t);
      if (array_type(type)) {
        Array a;
        if (t->snap)
          for (const MetaItem& m : t->snap->doc.meta)
            if (m.type == type) a.push_back(Value::hash(HashRef{t->snap, &m}));
        grow(a.size());
        return Value::array(std::move(a));
      }
      if (t->snap)
        if (const MetaItem* m = t->snap->doc.find(type)) return Value::hash(HashRef{t->snap, m});
      return {};
    }
    if (field == "name") return Value::str(t->topic);
    if (field == "text") return t->snap ? Value::str(t->snap->doc.text) : Value();
    if (field == "web") return Value::str(t->web);
    if (field == ":topic_meta:") return Value::topic(t);
    if (!t->snap) return {};
    const MetaItem* f = t->snap->doc.find_named("FIELD", field);
    if (!f) return {};
    const std::string* v = f->get("value");
    return v ? Value::str(*v) : Value();
  }

  // The QueryAlgorithm's getForm: the fields, when the topic's form is `name`.
  Value get_form(const Value& data, std::string_view name) {
    if (data.kind() != Value::Kind::topic) return {};
    const auto& t = data.topic_ptr();
    if (!t->snap) return {};
    const MetaItem* form = t->snap->doc.find("FORM");
    const std::string* fname = form ? form->get("name") : nullptr;
    if (!fname || fname->empty() || *fname == "0" || *fname != name) return {};
    Array a;
    for (const MetaItem& m : t->snap->doc.meta)
      if (m.type == "FIELD") a.push_back(Value::hash(HashRef{t->snap, &m}));
    grow(a.size());
    return Value::array(std::move(a));
  }

  // ConditionalOP::compare: `pred` gets the <=> / cmp result.
  static int compare(const Value& a, const Value& b, Pred pred) {
    if (!a.defined()) {
      if (!b.defined()) return pred(0);
      return -pred(1);
    }
    if (!b.defined()) return pred(1);
    if (number_like(a) && number_like(b)) return pred(numeric_compare(numify(a), numify(b)));
    std::string x = to_text(a), y = to_text(b);
    int c = x.compare(y);
    return pred(c < 0 ? -1 : c > 0 ? 1 : 0);
  }

  // ConditionalOP::evalTest: an array on the left selects its members that pass.
  template <typename Test>
  Value eval_test(const Node& n, const Domain& d, Test test) {
    Value ea = eval(kid(n, 0), d);
    Value eb = eval(kid(n, 1), d);
    if (!ea.defined()) ea = Value::str("");
    if (!eb.defined()) eb = Value::str("");
    if (ea.kind() == Value::Kind::array) {
      Array res;
      for (const Value& lhs : ea.as_array()) {
        step();
        if (test(lhs, eb)) res.push_back(lhs);
      }
      if (res.empty()) return {};
      if (res.size() == 1) return res[0];
      grow(res.size());
      return Value::array(std::move(res));
    }
    return Value::integer(test(ea, eb));
  }

  // UnaryOP::collect: `fn` over each scalar of a (nested) array.
  template <typename Fn>
  Value collect(const Value& v, Fn fn, int depth = 0) {
    if (depth > kMaxTreeDepth) throw Fatal{"Query result nested too deeply"};
    if (v.kind() == Value::Kind::array) {
      Array out;
      out.reserve(v.as_array().size());
      for (const Value& e : v.as_array()) {
        step();
        out.push_back(collect(e, fn, depth + 1));
      }
      grow(out.size());
      return Value::array(std::move(out));
    }
    if (v.kind() == Value::Kind::hash) throw QueryError{"Can't collect on a hash"};
    return fn(v);
  }

  // The operators, one small function per family, so that the frames on the
  // recursion path stay small (sanitizer builds inflate big ones).
  Value eval_op(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::paren: return eval(kid(n, 0), d);
      case Op::empty: return Value::array({});
      case Op::and_:
      case Op::or_:
      case Op::not_: return op_logic(n, d);
      case Op::comma: return op_comma(n, d);
      case Op::eq:
      case Op::ne:
      case Op::lt:
      case Op::gt:
      case Op::le:
      case Op::ge:
      case Op::like:
      case Op::match: return op_compare(n, d);
      case Op::in: return op_in(n, d);
      case Op::plus:
      case Op::minus:
      case Op::times:
      case Op::div: return op_arith(n, d);
      case Op::neg:
      case Op::int_:
      case Op::lc:
      case Op::uc:
      case Op::d2n: return op_scalar(n, d);
      case Op::length: return op_length(n, d);
      case Op::ref: return eval_ref(n, d);
      case Op::dot: return op_dot(n, d);
      case Op::where: return eval_where(n, d);
      default: return op_condition(n, d);
    }
  }

  // and, or, not
  [[gnu::noinline]] Value op_logic(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::and_:
        for (uint32_t k : n.kids)
          if (!is_true(eval(e_.node(k), d))) return Value::integer(0);
        return Value::integer(1);
      case Op::or_:
        for (uint32_t k : n.kids)
          if (is_true(eval(e_.node(k), d))) return Value::integer(1);
        return Value::integer(0);
      case Op::not_: {
        Value a = eval(kid(n, 0), d);
        if (a.kind() == Value::Kind::array) return Value::array({});
        return Value::boolean(!is_true(a));
      }
      default: return {};
    }
  }

  // a list: arrays are flattened one level
  [[gnu::noinline]] Value op_comma(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::comma: {
        Array res;
        for (uint32_t k : n.kids) {
          Value a = eval(e_.node(k), d);
          if (a.kind() == Value::Kind::array) {
            grow(a.as_array().size());
            res.insert(res.end(), a.as_array().begin(), a.as_array().end());
          } else {
            grow(1);
            res.push_back(std::move(a));
          }
        }
        return Value::array(std::move(res));
      }
      default: return {};
    }
  }

  // the comparisons, ~ and =~
  [[gnu::noinline]] Value op_compare(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::eq: return eval_test(n, d, [](const Value& a, const Value& b) { return compare(a, b, [](int c) { return c == 0 ? 1 : 0; }); });
      case Op::ne: return eval_test(n, d, [](const Value& a, const Value& b) { return compare(a, b, [](int c) { return c != 0 ? 1 : 0; }); });
      case Op::lt: return eval_test(n, d, [](const Value& a, const Value& b) { return compare(a, b, [](int c) { return c < 0 ? 1 : 0; }); });
      case Op::gt: return eval_test(n, d, [](const Value& a, const Value& b) { return compare(a, b, [](int c) { return c > 0 ? 1 : 0; }); });
      case Op::le: return eval_test(n, d, [](const Value& a, const Value& b) { return compare(a, b, [](int c) { return c <= 0 ? 1 : 0; }); });
      case Op::ge: return eval_test(n, d, [](const Value& a, const Value& b) { return compare(a, b, [](int c) { return c >= 0 ? 1 : 0; }); });
      case Op::like:
        return eval_test(n, d, [](const Value& a, const Value& b) {
          if (!a.defined() || !b.defined()) return 0;
          std::string s = to_text(a);
          std::string p = to_text(b);
          if (glob_match(s, p)) return 1;
          if (!s.empty() && s.back() == '\n' && glob_match(std::string_view(s).substr(0, s.size() - 1), p))
            return 1;
          return 0;
        });
      case Op::match:
        return eval_test(n, d, [this](const Value& a, const Value& b) {
          std::string p = to_text(b);
          auto re = compile_regex(p);
          if (!re) throw QueryError{"Bad regular expression '" + p + "'"};
          if (!a.defined() || !b.defined()) return 0;
          step();
          return re->search(to_text(a)) ? 1 : 0;
        });
      default: return {};
    }
  }

  // X in (a, b, ...)
  [[gnu::noinline]] Value op_in(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::in: {
        Value a = eval(kid(n, 0), d);
        Value b = eval(kid(n, 1), d);
        auto test = [&](const Value& x) { return compare(x, a, [](int c) { return c == 0 ? 1 : 0; }); };
        if (b.kind() == Value::Kind::array) {
          for (const Value& x : b.as_array())
            if (test(x)) return Value::integer(1);
          return Value::integer(0);
        }
        return Value::integer(test(b) ? 1 : 0);
      }
      default: return {};
    }
  }

  // + - * div
  [[gnu::noinline]] Value op_arith(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::plus: {
        Value a = eval(kid(n, 0), d);
        Value b = eval(kid(n, 1), d);
        if (a.defined() && number_like(a) && b.defined() && number_like(b))
          return Value::num(add(numify(a), numify(b), 1));
        if (a.defined() && b.defined()) return Value::str(to_text(a) + to_text(b));
        if (a.defined()) return a;
        return b;
      }
      case Op::minus: {
        Value a = eval(kid(n, 0), d);
        Value b = eval(kid(n, 1), d);
        Num x = is_true(a) ? numify(a) : Num::of_int(0);
        Num y = is_true(b) ? numify(b) : Num::of_int(0);
        return Value::num(add(x, y, -1));
      }
      case Op::times: {
        Value a = eval(kid(n, 0), d);
        Value b = eval(kid(n, 1), d);
        if (!a.defined() || !b.defined()) return {};
        return Value::num(multiply(numify(a), numify(b)));
      }
      case Op::div: {
        Value a = eval(kid(n, 0), d);
        Value b = eval(kid(n, 1), d);
        if (!is_true(a)) a = Value::integer(0);
        if (!is_true(b)) b = Value::integer(0);
        if (!number_like(a) || !number_like(b)) return Value::integer(0);
        Num x = numify(a), y = numify(b);
        if (y.value == 0) throw QueryError{"Illegal division by zero"};
        if (x.integer && y.integer && y.int_value != 0 && x.int_value % y.int_value == 0 &&
            !(x.int_value == LLONG_MIN && y.int_value == -1))
          return Value::integer(x.int_value / y.int_value);
        return Value::num(Num::of_double(x.value / y.value));
      }
      default: return {};
    }
  }

  // unary -, int, lc, uc, d2n: applied to each member of an array
  [[gnu::noinline]] Value op_scalar(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::neg:
        return collect(eval(kid(n, 0), d), [](const Value& v) {
          return Value::num(add(Num::of_int(0), v.defined() ? numify(v) : Num::of_int(0), -1));
        });
      case Op::int_:
        return collect(eval(kid(n, 0), d), [](const Value& v) -> Value {
          if (!v.defined()) return {};
          if (!number_like(v)) return Value::integer(0);
          Num x = numify(v);
          if (x.integer) return Value::num(x);
          double t = std::trunc(x.value);
          if (std::fabs(t) < 9.2e18) return Value::integer(static_cast<long long>(t));
          return Value::num(Num::of_double(t));
        });
      case Op::lc:
      case Op::uc: {
        bool upper = n.op == Op::uc;
        return collect(eval(kid(n, 0), d), [upper](const Value& v) -> Value {
          if (!v.defined()) return {};
          return Value::str(change_case(to_text(v), upper));
        });
      }
      case Op::d2n:
        return collect(eval(kid(n, 0), d), [](const Value& v) -> Value {
          if (!v.defined()) return {};
          ParsedTime t = parse_time(to_text(v), true);
          if (t.kind == ParsedTime::Kind::dies) return v;
          if (t.kind == ParsedTime::Kind::not_a_date) return {};
          double s = t.seconds;
          if (s == std::floor(s) && std::fabs(s) < 9.2e18) return Value::integer(static_cast<long long>(s));
          return Value::num(Num::of_double(s));
        });
      default: return {};
    }
  }

  // length
  [[gnu::noinline]] Value op_length(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::length: {
        Value v = eval(kid(n, 0), d);
        if (!is_true(v)) return Value::integer(0);
        switch (v.kind()) {
          case Value::Kind::array: return Value::integer(static_cast<long long>(v.as_array().size()));
          case Value::Kind::hash:
            return Value::integer(v.as_hash().item ? static_cast<long long>(v.as_hash().item->attrs.size()) : 0);
          case Value::Kind::topic: return Value::integer(1);
          default: return Value::integer(static_cast<long long>(char_length(to_text(v))));
        }
      }
      default: return {};
    }
  }

  // X.Y
  [[gnu::noinline]] Value op_dot(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::dot: {
        Domain ld = d;
        ld.restricted = true;
        Value lval = eval(kid(n, 0), ld);
        if (!lval.defined()) return {};
        Domain rd{d.tom, lval, false};
        Value res = eval(kid(n, 1), rd);
        if (res.kind() == Value::Kind::array && res.as_array().size() == 1) return res.as_array()[0];
        return res;
      }
      default: return {};
    }
  }

  // IF's own operators
  [[gnu::noinline]] Value op_condition(const Node& n, const Domain& d) {
    switch (n.op) {
      case Op::allows: {
        Value mode = plain(kid(n, 1), d);
        std::string m = is_true(mode) ? to_text(mode) : "view";
        for (char& c : m) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        Value what = eval(kid(n, 0), d);
        if (!is_true(what)) return Value::integer(0);
        std::string str = to_text(what);
        auto [w, t] = normalize_web_topic(h_, h_.base_web(), str);
        if (h_.topic_exists(w, t)) return Value::boolean(h_.allows(m, w, t));
        if (h_.web_exists(str)) return Value::boolean(h_.allows(m, normalize_web(str), ""));
        if (h_.web_exists(w)) return Value::boolean(h_.allows(m, w, ""));
        return Value::integer(0);
      }
      case Op::context: {
        Value a = plain(kid(n, 0), d);
        std::string v = h_.context(is_true(a) ? to_text(a) : "");
        if (v.empty() || v == "0") return Value::integer(0);
        return Value::str(v);
      }
      case Op::defined: {
        Value a = plain(kid(n, 0), d);
        if (!is_true(a)) return Value::integer(0);
        std::string name = to_text(a);
        if (h_.url_param(name)) return Value::integer(1);
        if (h_.preference(name, *d.tom)) return Value::integer(1);
        if (h_.macro_exists(name)) return Value::integer(1);
        return Value::integer(0);
      }
      case Op::dollar: {
        Value a = plain(kid(n, 0), d);
        std::string text = is_true(a) ? to_text(a) : "";
        if (!text.empty())
          if (const std::string* p = h_.url_param(text)) return Value::str(*p);
        std::string out = h_.expand("%" + text + "%", *d.tom);
        if (out.empty() || out == "0") return Value::str("");
        return Value::str(std::move(out));
      }
      case Op::ingroup: {
        Value who = eval(kid(n, 0), d);
        if (!who.defined()) return Value::integer(0);
        std::string user = h_.canonical_user(to_text(who));
        if (user.empty() || user == "0") return Value::integer(0);
        Value group = plain(kid(n, 1), d);
        if (!is_true(group)) return Value::integer(0);
        return Value::boolean(h_.is_in_group(user, to_text(group)));
      }
      case Op::isempty: {
        Value a = plain(kid(n, 0), d);
        if (!is_true(a)) return Value::integer(1);
        std::string name = to_text(a);
        if (const std::string* p = h_.url_param(name); p && is_true(Value::str(*p))) return Value::integer(0);
        if (auto v = h_.session_preference(name); v && is_true(Value::str(*v))) return Value::integer(0);
        return Value::integer(1);
      }
      case Op::istopic: {
        Value a = plain(kid(n, 0), d);
        if (!a.defined()) return Value::integer(0);
        std::string t = to_text(a);
        if (t.empty() || t == "0") return Value::integer(0);
        auto [w, tt] = normalize_web_topic(h_, h_.base_web(), t);
        return Value::boolean(h_.topic_exists(w, tt));
      }
      case Op::isweb: {
        Value a = plain(kid(n, 0), d);
        std::string w = is_true(a) ? to_text(a) : "";
        return Value::boolean(!w.empty() && h_.web_exists(w));
      }
      default: return {};
    }
  }

  // OP_ref: X/Y evaluates Y in each topic named by X.
  Value eval_ref(const Node& n, const Domain& d) {
    Value a = eval(kid(n, 0), d);
    if (!a.defined() || a.kind() == Value::Kind::hash) return {};
    Array names;
    if (a.kind() == Value::Kind::array) names = a.as_array();
    else names.push_back(a);
    Array result;
    for (const Value& v : names) {
      step();
      auto [w, t] = normalize_web_topic(h_, h_.base_web(), to_text(v));
      std::shared_ptr<const TopicObject> sub = h_.load(w, t);
      try {
        Domain sd{sub, Value::topic(sub), false};
        Value res = eval(kid(n, 1), sd);
        if (res.kind() == Value::Kind::array) {
          grow(res.as_array().size());
          result.insert(result.end(), res.as_array().begin(), res.as_array().end());
        } else {
          grow(1);
          result.push_back(std::move(res));
        }
      } catch (const QueryError&) {
        // Foswiki ignores the errors of one referenced topic.
      }
    }
    if (result.empty()) return {};
    if (result.size() == 1) return result[0];
    return Value::array(std::move(result));
  }

  // OP_where: X[cond] or X[index], and X[a,b,...] for several.
  Value eval_where(const Node& n, const Domain& d) {
    Domain ld = d;
    ld.restricted = true;
    Value lhs = eval(kid(n, 0), ld);
    Array single;
    const Array* values;
    if (lhs.kind() == Value::Kind::array) {
      values = &lhs.as_array();
    } else {
      single.push_back(lhs);
      values = &single;
    }
    const Node& rhs = kid(n, 1);
    Array res;
    if (rhs.kind == Node::Kind::op && rhs.op == Op::comma) {
      for (uint32_t k : rhs.kids) select(*values, e_.node(k), d, res);
    } else {
      select(*values, rhs, d, res);
    }
    if (res.empty()) return {};
    grow(res.size());
    return Value::array(std::move(res));
  }

  void select(const Array& lhs, const Node& rhs, const Domain& d, Array& res) {
    long long index = -1;
    if (constant(rhs, d)) {
      Value c = eval(rhs, d);
      if (number_like(c)) {
        double x = numify(c).value;
        if (x < 0) x += static_cast<double>(lhs.size());
        x = std::trunc(x);
        if (!(x >= 0 && x < static_cast<double>(lhs.size()))) return;
        index = static_cast<long long>(x);
      }
    }
    long long i = 0;
    for (const Value& v : lhs) {
      step();
      if (index < 0) {
        Domain ed{d.tom, v, false};
        if (is_true(eval(rhs, ed))) res.push_back(v);
      } else if (i == index) {
        res.push_back(v);
      }
      if (res.size() > kMaxArrayElements) throw Fatal{"Query result too large"};
      ++i;
    }
  }

  const Expr& e_;
  Host& h_;
  size_t steps_ = 0;
  size_t elements_ = 0;
};

}  // namespace

EvalResult evaluate(const Expr& expr, Host& host, std::shared_ptr<const TopicObject> tom) {
  EvalResult r;
  if (!tom) {
    auto empty = std::make_shared<TopicObject>();
    tom = std::move(empty);
  }
  try {
    Evaluator ev(expr, host);
    Domain d{tom, Value::topic(tom), false};
    r.value = ev.eval(expr.root(), d);
  } catch (const QueryError& e) {
    r.error = e.message;
  } catch (const Fatal& e) {
    r.error = e.message;
  } catch (const std::bad_alloc&) {
    r.error = "Query too large";
  }
  return r;
}

}  // namespace cwiki::query

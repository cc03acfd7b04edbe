#include "macros/attrs.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <unordered_map>

namespace cwiki {
namespace {

constexpr char kSingle = '\x01', kDouble = '\x02';  // stand-ins for \' and \"

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  size_t pos = 0;
  bool at_end() const { return pos >= s_.size(); }
  char peek(size_t k = 0) const { return pos + k < s_.size() ? s_[pos + k] : '\0'; }
  void skip(bool commas) {
    while (!at_end() && (is_space(peek()) || (commas && peek() == ','))) ++pos;
  }
  bool only_space_left() const {
    for (size_t i = pos; i < s_.size(); ++i)
      if (!is_space(s_[i])) return false;
    return true;
  }
  // [a-z0-9_]+ (case-insensitive)
  std::optional<std::string_view> name() {
    size_t st = pos;
    while (!at_end() && is_name_char(peek())) ++pos;
    if (pos == st) return std::nullopt;
    return s_.substr(st, pos - st);
  }
  // A quoted value starting at pos (quote char q); non-greedy up to the next q.
  std::optional<std::string_view> quoted(char q) {
    if (peek() != q) return std::nullopt;
    size_t close = s_.find(q, pos + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view v = s_.substr(pos + 1, close - pos - 1);
    pos = close + 1;
    return v;
  }
  std::string_view rest_trimmed() const {
    size_t a = pos, b = s_.size();
    while (a < b && is_space(s_[a])) ++a;
    while (b > a && is_space(s_[b - 1])) --b;
    return s_.substr(a, b - a);
  }
  std::string_view s_;
};

std::string unescape(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    if (c == kSingle) c = '\'';
    else if (c == kDouble) c = '"';
  }
  return out;
}

}  // namespace

Attrs::Attrs(std::optional<std::string_view> raw, bool friendly) {
  if (!raw) return;
  raw_ = std::string(*raw);
  // \' and \" become stand-ins, so that they neither open nor close a value.
  std::string s(*raw);
  if (size_t i = s.find('\\'); i != std::string::npos) {
    size_t out = i;
    for (; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '\'' || s[i + 1] == '"'))
        s[out++] = s[++i] == '\'' ? kSingle : kDouble;
      else
        s[out++] = s[i];
    }
    s.resize(out);
  }
  Cursor c(s);
  bool first = true;
  auto set_default = [&](std::string_view v) {
    if (!has("_DEFAULT")) set("_DEFAULT", unescape(v));
  };

  if (!friendly) {
    // A leading "value": it ends at the first quote that is followed by a
    // name="..." pair or by the end (so it may itself hold quotes).
    {
      Cursor t = c;
      t.skip(false);
      if (t.peek() == '"') {
        size_t open = t.pos;
        for (size_t q = s.find('"', open + 1); q != std::string::npos; q = s.find('"', q + 1)) {
          Cursor after(s);
          after.pos = q + 1;
          after.skip(false);
          bool ok = after.at_end();
          if (!ok) {
            Cursor n = after;
            if (n.name()) {
              n.skip(false);
              if (n.peek() == '=') {
                ++n.pos;
                n.skip(false);
                ok = n.peek() == '"';
              }
            }
          }
          if (ok) {
            set("_DEFAULT", unescape(std::string_view(s).substr(open + 1, q - open - 1)));
            c = after;
            break;
          }
        }
      }
    }
    while (!c.only_space_left()) {
      Cursor t = c;
      t.skip(false);
      Cursor n = t;
      if (auto name = n.name()) {
        n.skip(false);
        if (n.peek() == '=') {
          ++n.pos;
          n.skip(false);
          if (auto v = n.quoted('"')) {
            set(*name, unescape(*v));
            first = false;
            c = n;
            continue;
          }
        }
      }
      if (auto v = t.quoted('"')) {
        set_default(*v);
        first = false;
        c = t;
        continue;
      }
      if (first) set("_DEFAULT", unescape(c.rest_trimmed()));
      break;
    }
  } else {
    while (!c.only_space_left()) {
      Cursor t = c;
      t.skip(true);
      Cursor n = t;
      auto name = n.name();
      if (name) {
        Cursor eq = n;
        eq.skip(false);
        if (eq.peek() == '=') {
          ++eq.pos;
          eq.skip(false);
          if (auto v = eq.quoted('"')) {
            set(*name, unescape(*v));
            first = false;
            c = eq;
            continue;
          }
        }
      }
      if (auto v = Cursor(t).quoted('"')) {
        Cursor q = t;
        q.quoted('"');
        set_default(*v);
        first = false;
        c = q;
        continue;
      }
      if (name) {
        Cursor eq = n;
        eq.skip(false);
        if (eq.peek() == '=') {
          ++eq.pos;
          eq.skip(false);
          if (auto v = eq.quoted('\'')) {
            set(*name, unescape(*v));
            c = eq;
            continue;
          }
          size_t st = eq.pos;
          while (!eq.at_end() && !is_space(eq.peek()) && eq.peek() != ',' && eq.peek() != '}' &&
                 eq.peek() != '\'' && eq.peek() != '"')
            ++eq.pos;
          set(*name, unescape(std::string_view(s).substr(st, eq.pos - st)));
          c = eq;
          continue;
        }
      }
      {
        Cursor q = t;
        if (auto v = q.quoted('\'')) {
          set_default(*v);
          c = q;
          continue;
        }
      }
      if (name && std::isalpha(static_cast<unsigned char>((*name)[0]))) {
        set(*name, "1");
        c = n;
        continue;
      }
      if (!has("_DEFAULT")) set("_DEFAULT", unescape(c.rest_trimmed()));
      break;
    }
  }
  (void)first;
}

std::shared_ptr<const Attrs> Attrs::cached(std::string_view raw, bool friendly) {
  constexpr size_t kMaxEntries = 512, kMaxText = 512;
  if (raw.size() > kMaxText) return std::make_shared<const Attrs>(raw, friendly);
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  };
  thread_local std::unordered_map<std::string, std::shared_ptr<const Attrs>, Hash, std::equal_to<>>
      known[2];
  auto& cache = known[friendly ? 1 : 0];
  if (auto it = cache.find(raw); it != cache.end()) return it->second;
  if (cache.size() >= kMaxEntries) cache.clear();
  auto attrs = std::make_shared<const Attrs>(raw, friendly);
  cache.emplace(std::string(raw), attrs);
  return attrs;
}

std::shared_ptr<const Attrs> Attrs::none() {
  static const auto kNone = std::make_shared<const Attrs>();
  return kNone;
}

const std::string* Attrs::get(std::string_view name) const {
  for (const auto& [k, v] : values_)
    if (k == name) return &v;
  return nullptr;
}

std::string Attrs::get_or(std::string_view name, std::string_view fallback) const {
  const std::string* v = get(name);
  return v ? *v : std::string(fallback);
}

void Attrs::set(std::string_view name, std::string value) {
  for (auto& [k, v] : values_)
    if (k == name) {
      v = std::move(value);
      return;
    }
  values_.emplace_back(std::string(name), std::move(value));
}

void Attrs::remove(std::string_view name) {
  std::erase_if(values_, [&](const auto& kv) { return kv.first == name; });
}

}  // namespace cwiki

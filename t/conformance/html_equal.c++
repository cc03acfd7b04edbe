#include "html_equal.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "entities.inc"

namespace conformance {
namespace {

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return is_alpha(c) || c == '_' || c == ':'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c) || c == '.' || c == '-'; }
bool is_space_ascii(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Byte length of the whitespace character at s[i], or 0.  With `uni`
// (a string of characters rather than bytes, in Perl's terms) the Unicode
// spaces count too, U+00A0 among them.
size_t ws_len(std::string_view s, size_t i, bool uni) {
  if (i >= s.size()) return 0;
  if (is_space_ascii(s[i])) return 1;
  if (!uni) return 0;
  auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  if (i + 1 < s.size() && u(i) == 0xC2 && (u(i + 1) == 0x85 || u(i + 1) == 0xA0)) return 2;
  if (i + 2 < s.size()) {
    unsigned a = u(i), b = u(i + 1), c = u(i + 2);
    if (a == 0xE1 && b == 0x9A && c == 0x80) return 3;                  // U+1680
    if (a == 0xE2 && b == 0x80 && (c <= 0x8A || c == 0xA8 || c == 0xA9 || c == 0xAF))
      return 3;                                                         // U+2000-200A, 2028, 2029, 202F
    if (a == 0xE2 && b == 0x81 && c == 0x9F) return 3;                  // U+205F
    if (a == 0xE3 && b == 0x80 && c == 0x80) return 3;                  // U+3000
  }
  return 0;
}

bool has_non_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

void append_utf8(std::string& out, uint32_t cp) {
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

// decode_entities, also reporting the largest code point it produced.
std::string decode(std::string_view s, uint32_t* max_cp) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '&') {
      out.push_back(s[i++]);
      continue;
    }
    size_t j = i + 1;
    bool ok = false;
    uint32_t cp = 0;
    if (j < s.size() && s[j] == '#') {
      ++j;
      bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
      if (hex) ++j;
      size_t start = j;
      uint64_t v = 0;
      while (j < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[j])) : is_digit(s[j]))) {
        int d = is_digit(s[j]) ? s[j] - '0' : (s[j] | 32) - 'a' + 10;
        v = v * (hex ? 16 : 10) + static_cast<uint64_t>(d);
        if (v > 0x10FFFF) v = 0x110000;  // out of range: left as written
        ++j;
      }
      if (j > start && v <= 0x10FFFF) {
        ok = true;
        cp = static_cast<uint32_t>(v);
      }
    } else if (j < s.size() && is_alpha(s[j])) {
      size_t start = j;
      while (j < s.size() && (is_alpha(s[j]) || is_digit(s[j]))) ++j;
      std::string_view name = s.substr(start, j - start);
      auto it = std::lower_bound(std::begin(kEntities), std::end(kEntities), name,
                                 [](const EntityName& e, std::string_view n) { return e.name < n; });
      if (it != std::end(kEntities) && it->name == name) {
        ok = true;
        cp = it->code;
      }
    }
    if (!ok) {
      out.push_back(s[i++]);
      continue;
    }
    if (j < s.size() && s[j] == ';') ++j;
    append_utf8(out, cp);
    if (max_cp && cp > *max_cp) *max_cp = cp;
    i = j;
  }
  return out;
}

struct Token {
  enum Kind { start, end, text } kind;
  std::string name;  // tag name, or the raw text
  std::vector<std::pair<std::string, std::string>> attrs;
};

// Inside markup, the corpus's rule treats every Unicode space as a space.
size_t skip_ws(std::string_view s, size_t i) {
  while (size_t w = ws_len(s, i, true)) i += w;
  return i;
}

// A start tag at s[i] ('<'), as the corpus's regular expression reads it.
bool match_start(std::string_view s, size_t i, size_t& end, Token& t, bool& self_closing) {
  size_t j = i + 1;
  if (j >= s.size() || !is_name_start(s[j])) return false;
  size_t ns = j;
  while (j < s.size() && is_name_char(s[j])) ++j;
  t = Token{Token::start, std::string(s.substr(ns, j - ns)), {}};
  std::set<std::string> seen;
  for (;;) {
    size_t k = skip_ws(s, j);
    if (k == j) break;
    size_t as = k;
    auto attr_char = [&](size_t at) {
      char c = s[at];
      return !ws_len(s, at, true) && c != '=' && c != '/' && c != '>' && c != '<';
    };
    while (k < s.size() && attr_char(k)) ++k;
    if (k == as) break;
    std::string name(s.substr(as, k - as));
    std::string value = name;  // a bare attribute has its name as value
    size_t after = k;
    size_t v = skip_ws(s, k);
    if (v < s.size() && s[v] == '=') {
      v = skip_ws(s, v + 1);
      if (v < s.size() && (s[v] == '"' || s[v] == '\'')) {
        size_t close = s.find(s[v], v + 1);
        if (close != std::string_view::npos) {
          value = decode(s.substr(v + 1, close - v - 1), nullptr);
          after = close + 1;
        }
      } else {
        size_t vs = v;
        while (v < s.size() && !ws_len(s, v, true) && s[v] != '>' && s[v] != '"' && s[v] != '\'') ++v;
        if (v > vs) {
          value = decode(s.substr(vs, v - vs), nullptr);
          after = v;
        }
      }
    }
    if (seen.insert(name).second) t.attrs.emplace_back(std::move(name), std::move(value));
    j = after;
  }
  j = skip_ws(s, j);
  self_closing = false;
  if (j < s.size() && s[j] == '/') {
    self_closing = true;
    ++j;
  }
  if (j >= s.size() || s[j] != '>') return false;
  end = j + 1;
  return true;
}

bool match_end(std::string_view s, size_t i, size_t& end, std::string& name) {
  if (s.substr(i, 2) != "</") return false;
  size_t j = i + 2;
  if (j >= s.size() || !is_name_start(s[j])) return false;
  size_t ns = j;
  while (j < s.size() && is_name_char(s[j])) ++j;
  name = std::string(s.substr(ns, j - ns));
  j = skip_ws(s, j);
  if (j >= s.size() || s[j] != '>') return false;
  end = j + 1;
  return true;
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::string buf;
  auto flush = [&] {
    if (!buf.empty()) out.push_back(Token{Token::text, std::move(buf), {}});
    buf.clear();
  };
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '<') {
      size_t j = s.find('<', i);
      if (j == std::string_view::npos) j = s.size();
      buf.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    size_t end;
    if (s.substr(i, 4) == "<!--") {  // <!--.*?--\s*>
      size_t k = i + 4;
      bool found = false;
      while ((k = s.find("--", k)) != std::string_view::npos) {
        size_t m = skip_ws(s, k + 2);
        if (m < s.size() && s[m] == '>') {
          end = m + 1;
          found = true;
          break;
        }
        ++k;
      }
      if (found) {
        flush();
        out.push_back(Token{Token::text, std::string(s.substr(i, end - i)), {}});
        i = end;
        continue;
      }
    }
    std::string name;
    if (match_end(s, i, end, name)) {
      flush();
      out.push_back(Token{Token::end, std::move(name), {}});
      i = end;
      continue;
    }
    Token t;
    bool self_closing;
    if (match_start(s, i, end, t, self_closing)) {
      flush();
      std::string n = t.name;
      out.push_back(std::move(t));
      if (self_closing) out.push_back(Token{Token::end, std::move(n), {}});
      i = end;
      continue;
    }
    // <!DOCTYPE ...> and <? ... ?>: text events of their own
    if (s.substr(i, 2) == "<!" && i + 2 < s.size() && is_alpha(s[i + 2])) {
      size_t g = s.find('>', i);
      if (g != std::string_view::npos) {
        flush();
        out.push_back(Token{Token::text, std::string(s.substr(i, g + 1 - i)), {}});
        i = g + 1;
        continue;
      }
    }
    if (s.substr(i, 2) == "<?") {
      size_t g = s.find("?>", i + 2);
      if (g != std::string_view::npos) {
        flush();
        out.push_back(Token{Token::text, std::string(s.substr(i, g + 2 - i)), {}});
        i = g + 2;
        continue;
      }
    }
    // Markup left open at the very end is a text event of its own.
    bool next_ok = i + 1 >= s.size() || is_alpha(s[i + 1]) || s[i + 1] == '/' ||
                   s[i + 1] == '!' || s[i + 1] == '?';
    if (next_ok && s.find_first_of("<>", i + 1) == std::string_view::npos) {
      flush();
      out.push_back(Token{Token::text, std::string(s.substr(i)), {}});
      i = s.size();
      continue;
    }
    buf.push_back('<');
    ++i;
  }
  flush();
  return out;
}

std::string sort_url(const std::string& url) {
  size_t q = url.find('?');
  if (q == std::string::npos) return url;
  std::string base = url.substr(0, q), params = url.substr(q + 1), anchor;
  size_t h = params.find('#');
  if (h != std::string::npos) {
    anchor = params.substr(h);
    params.resize(h);
  }
  std::vector<std::string> parts;
  size_t s = 0;
  for (;;) {
    size_t e = params.find_first_of(";&", s);
    parts.push_back(params.substr(s, e == std::string::npos ? std::string::npos : e - s));
    if (e == std::string::npos) break;
    s = e + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  std::sort(parts.begin(), parts.end());
  std::string out = base + "?";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ";" : "") + parts[i];
  return out + anchor;
}

// Trims, collapses whitespace, decodes entities; returns the new text and
// whether it is a character string.
std::pair<std::string, bool> norm_text(const std::string& t, bool uni) {
  size_t a = 0, b = 0, i = 0;
  bool seen = false;
  while (i < t.size()) {
    size_t w = ws_len(t, i, uni);
    if (w) {
      i += w;
      continue;
    }
    if (!seen) a = i;
    seen = true;
    ++i;
    b = i;
  }
  std::string cur = t;
  if (!seen) {
    cur.clear();
  } else if (t.substr(a, b - a).find('\n') == std::string::npos) {
    cur = t.substr(a, b - a);
  }
  std::string collapsed;
  for (i = 0; i < cur.size();) {
    size_t w = ws_len(cur, i, uni);
    if (w) {
      while ((w = ws_len(cur, i, uni))) i += w;
      collapsed.push_back(' ');
    } else {
      collapsed.push_back(cur[i++]);
    }
  }
  uint32_t max_cp = 0;
  std::string decoded = decode(collapsed, &max_cp);
  return {decoded, uni || max_cp > 0xFF};
}

bool only_ws(const std::string& s, bool uni) {
  for (size_t i = 0; i < s.size();) {
    size_t w = ws_len(s, i, uni);
    if (!w) return false;
    i += w;
  }
  return true;
}

std::vector<std::pair<std::string, bool>> items(std::string_view s) {
  bool uni0 = has_non_ascii(s);
  std::vector<std::pair<std::string, bool>> out;
  bool last_was_text = false;
  for (auto& tok : tokenize(s)) {
    if (tok.kind == Token::start) {
      std::map<std::string, std::string> attrs(tok.attrs.begin(), tok.attrs.end());
      for (const char* k : {"href", "src"})
        if (auto it = attrs.find(k); it != attrs.end()) it->second = sort_url(it->second);
      std::string item = "<" + tok.name;
      for (auto& [k, v] : attrs) item += " " + k + "=\"" + v + "\"";
      item += ">";
      out.emplace_back(std::move(item), uni0);
      last_was_text = false;
    } else if (tok.kind == Token::end) {
      out.emplace_back("</" + tok.name + ">", uni0);
      last_was_text = false;
    } else {
      auto [t, uni] = norm_text(tok.name, uni0);
      if (only_ws(t, uni)) continue;
      if (last_was_text) {
        out.back().first += " " + t;
        out.back().second = out.back().second || uni;
      } else {
        out.emplace_back(std::move(t), uni);
      }
      last_was_text = true;
    }
  }
  return out;
}

std::string trim(const std::string& x, bool uni) {
  size_t a = 0;
  while (size_t w = ws_len(x, a, uni)) a += w;
  size_t b = a, i = a;
  while (i < x.size()) {
    size_t w = ws_len(x, i, uni);
    if (w) {
      i += w;
    } else {
      ++i;
      b = i;
    }
  }
  return x.substr(a, b - a);
}

}  // namespace

std::string decode_entities(std::string_view s) { return decode(s, nullptr); }

std::vector<std::string> html_items(std::string_view html) {
  std::vector<std::string> out;
  for (auto& [i, u] : items(html)) out.push_back(i);
  return out;
}

bool html_equal(std::string_view expected, std::string_view actual) {
  if (expected.empty() || expected == "0" || actual.empty() || actual == "0") return false;
  auto e = items(expected), a = items(actual);
  if (e.size() != a.size()) return false;
  for (size_t i = 0; i < e.size(); ++i)
    if (trim(e[i].first, e[i].second) != trim(a[i].first, a[i].second)) return false;
  return true;
}

}  // namespace conformance

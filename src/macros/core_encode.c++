// Encodings and words: ENCODE, URLENCODE, INTURLENCODE, SPACEOUT,
// SPACEDTOPIC, MAKETEXT, LANGUAGE, LANGUAGES, and the helpers behind them.
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cwctype>
#include <locale.h>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <wctype.h>

#include "macros/core.h"
#include "macros/core_internal.h"
#include "macros/data_util.h"
#include "macros/expand.h"
#include "util/chars.h"
#include "util/escape.h"

namespace cwiki {
namespace {

using core_detail::first_true;
using core_detail::perl_true;

bool ieq_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// ---- character classes for spaceOutWikiWord --------------------------------

enum class CharClass { upper, lower, digit, other, mark };

locale_t utf8_locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

// Decodes one UTF-8 sequence at s[i]; returns its length (1 for a bad byte)
// and the code point (0xFFFD for a bad byte).
size_t decode_utf8(std::string_view s, size_t i, char32_t& cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
  if (n == 0 || c > 0xF4 || i + n >= s.size()) {
    cp = 0xFFFD;
    return 1;
  }
  char32_t v = c & (0x3F >> n);
  for (int k = 1; k <= n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) {
      cp = 0xFFFD;
      return 1;
    }
    v = (v << 6) | (d & 0x3F);
  }
  cp = v;
  return static_cast<size_t>(n) + 1;
}

CharClass classify(char32_t cp) {
  if (cp == 1) return CharClass::mark;
  if (cp < 0x80) {
    if (cp >= 'A' && cp <= 'Z') return CharClass::upper;
    if (cp >= 'a' && cp <= 'z') return CharClass::lower;
    if (cp >= '0' && cp <= '9') return CharClass::digit;
    return CharClass::other;
  }
  if (cp == 0xFFFD) return CharClass::other;
  locale_t loc = utf8_locale();
  if (!loc) return CharClass::other;
  wint_t w = static_cast<wint_t>(cp);
  if (iswupper_l(w, loc)) return CharClass::upper;
  if (iswlower_l(w, loc)) return CharClass::lower;
  if (iswdigit_l(w, loc)) return CharClass::digit;
  return CharClass::other;
}

struct Piece {
  std::string text;
  CharClass cls;
};

// ---- Locale::Maketext, English ---------------------------------------------

// Perl's numeric value of a string (leading number, else 0).
double perl_number(std::string_view s) {
  std::string t(s);
  size_t i = 0;
  while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
  const char* start = t.c_str() + i;
  char* end = nullptr;
  double v = std::strtod(start, &end);
  if (end == start) return 0;
  // strtod accepts hex and inf/nan spellings that Perl does not
  std::string_view used(start, static_cast<size_t>(end - start));
  for (char c : used)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-'))
      return 0;
  return v;
}

std::string numf(std::string_view arg) {
  double v = perl_number(arg);
  std::string s;
  char buf[64];
  if (v < 1e10 && v > -1e10 && v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    s = buf;
    if (s == "-0") s = "0";
  } else {
    std::snprintf(buf, sizeof buf, "%G", v);
    s = buf;
  }
  // commas every three digits of the integer part
  size_t start = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t end = start;
  while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
  std::string digits = s.substr(start, end - start);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return s.substr(0, start) + grouped + s.substr(end);
}

std::string quant(std::string_view num, const std::vector<std::string>& forms) {
  if (forms.empty()) return std::string(num);
  double v = perl_number(num);
  if (forms.size() > 2 && v == 0) return forms[2];
  bool one = v == 1;
  std::string word;
  if (forms.size() == 1) word = one ? forms[0] : forms[0] + "s";
  else word = one ? forms[0] : forms[1];
  return numf(num) + " " + word;
}

struct MaketextError {
  std::string message;
};

// One bracket group's value.
std::string eval_group(const std::string& group, const std::vector<std::string>& args) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (true) {
    size_t c = group.find(',', i);
    parts.push_back(group.substr(i, c == std::string::npos ? std::string::npos : c - i));
    if (c == std::string::npos) break;
    i = c + 1;
  }
  for (auto& p : parts)
    for (char& ch : p)
      if (ch == '\x7F') ch = ',';
  std::string method = parts[0];
  std::vector<std::string> params(parts.begin() + 1, parts.end());
  auto is_arg_ref = [](const std::string& p) {
    if (p.size() < 2 || p[0] != '_') return false;
    size_t k = 1;
    if (p[k] == '-') ++k;
    if (k >= p.size()) return false;
    for (; k < p.size(); ++k)
      if (!std::isdigit(static_cast<unsigned char>(p[k]))) return false;
    return true;
  };
  if (method == "_*" || is_arg_ref(method)) {
    params.insert(params.begin(), method);
    method.clear();
  } else if (method == "*") {
    method = "quant";
  } else if (method == "#") {
    method = "numf";
  }
  // The parameters' values: _N is argument N, _* all of them.
  std::vector<std::string> values;
  for (const auto& p : params) {
    if (p == "_*") {
      for (const auto& a : args) values.push_back(a);
    } else if (is_arg_ref(p)) {
      long long n = std::atoll(p.c_str() + 1);
      if (n < 0) n += static_cast<long long>(args.size()) + 1;
      values.push_back(n >= 1 && static_cast<size_t>(n) <= args.size() ? args[n - 1] : "");
    } else {
      values.push_back(p);
    }
  }
  if (method.empty()) {
    std::string out;
    for (const auto& v : values) out += v;
    return out;
  }
  if (method == "quant") {
    if (values.empty()) return "";
    return quant(values[0], std::vector<std::string>(values.begin() + 1, values.end()));
  }
  if (method == "numf") return values.empty() ? "" : numf(values[0]);
  if (method == "numerate") {
    if (values.size() < 2) return "";
    bool one = perl_number(values[0]) == 1;
    if (values.size() == 2) return one ? values[1] : values[1] + "s";
    return one ? values[1] : values[2];
  }
  throw MaketextError{"Can't use \"" + method + "\" as a method name in bracket group"};
}

// Locale::Maketext's compile and run, for a string with no translation.
std::string run_maketext(std::string_view text, const std::vector<std::string>& args) {
  std::string out, group;
  bool in_group = false;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    std::string& target = in_group ? group : out;
    if (c == '~') {
      if (i + 1 >= text.size()) {
        target += '~';
        ++i;
        continue;
      }
      char n = text[i + 1];
      if (n == '~' || n == '[' || n == ']') target += n;
      else if (n == ',') target += in_group ? std::string("\x7F") : std::string("~,");
      else {
        target += '~';
        target += n;
      }
      i += 2;
      continue;
    }
    if (c == '[') {
      if (in_group) throw MaketextError{"You can't nest bracket groups"};
      in_group = true;
      group.clear();
      ++i;
      continue;
    }
    if (c == ']') {
      if (!in_group) throw MaketextError{"Unbalanced ']'"};
      in_group = false;
      bool blank = true;
      for (char g : group)
        if (!std::isspace(static_cast<unsigned char>(g))) blank = false;
      if (!blank) out += eval_group(group, args);
      ++i;
      continue;
    }
    target += c;
    ++i;
  }
  if (in_group) throw MaketextError{"Unterminated bracket group"};
  return out;
}

// ---- MAKETEXT's preparation of its string ------------------------------------

struct ParamCheck {
  long long max = 0, min = 1;
  bool error = false;
};

// Foswiki's _validate for one [_N] / [*,_N,...] parameter.
std::string validate_param(const std::string& contents, std::string_view digits, ParamCheck& pc) {
  long long n = 0;
  for (char d : digits) {
    n = n * 10 + (d - '0');
    if (n > 1000000000LL) n = 1000000000LL;
  }
  if (n > pc.max) pc.max = n;
  if (n < pc.min) pc.min = n;
  if (n > 100) {
    pc.error = true;
    return "<span class=\"foswikiAlert\">Excessive parameter number " + std::to_string(pc.max) +
           ", MAKETEXT rejected.</span>";
  }
  if (n < 1) {
    pc.error = true;
    return "<span class=\"foswikiAlert\">Invalid parameter <code>\"" + contents +
           "\"</code>, MAKETEXT rejected.</span>";
  }
  return "[" + contents + "]";
}

// Turns ~[_N~] back into [_N].
std::string unescape_simple_params(const std::string& s, ParamCheck& pc) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '~' && s.compare(i, 3, "~[_") == 0) {
      size_t j = i + 3;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      if (j > i + 3 && s.compare(j, 2, "~]") == 0) {
        std::string contents = s.substr(i + 2, j - i - 2);
        out += validate_param(contents, std::string_view(s).substr(i + 3, j - i - 3), pc);
        i = j + 2;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

// Turns ~[*,_N,form(,form)~] back into [*,_N,...], with the backtracking of
// Foswiki's regular expression (each form is a run without commas; the
// group ends at the last ~] it can reach).
std::string unescape_quant_params(const std::string& s, ParamCheck& pc) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '~' && s.compare(i, 5, "~[*,_") == 0) {
      size_t j = i + 5;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      if (j > i + 5 && j < s.size() && s[j] == ',') {
        size_t p = j + 1;
        size_t r1 = s.find(',', p);
        if (r1 == std::string::npos) r1 = s.size();
        size_t close = std::string::npos;
        if (r1 < s.size()) {
          size_t r2 = s.find(',', r1 + 1);
          if (r2 == std::string::npos) r2 = s.size();
          if (r2 >= r1 + 4) {
            size_t q = s.rfind("~]", r2 - 2);
            if (q != std::string::npos && q >= r1 + 2) close = q;
          }
        }
        if (close == std::string::npos && r1 >= p + 3) {
          size_t q = s.rfind("~]", r1 - 2);
          if (q != std::string::npos && q >= p + 1) close = q;
        }
        if (close != std::string::npos) {
          std::string contents = s.substr(i + 2, close - i - 2);
          out += validate_param(contents, std::string_view(s).substr(i + 5, j - i - 5), pc);
          i = close + 2;
          continue;
        }
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

// Perl's split(/\s*,\s*/, s): trailing empty fields dropped.
std::vector<std::string> split_args(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t i = 0;
  while (true) {
    size_t c = s.find(',', i);
    size_t end = c == std::string_view::npos ? s.size() : c;
    size_t a = i, b = end;
    if (i > 0)
      while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    if (c != std::string_view::npos)
      while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    out.emplace_back(s.substr(a, b - a));
    if (c == std::string_view::npos) break;
    i = c + 1;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// The access key markup: a '&' before a letter (not after another '&')
// underlines it; "&&" is a literal '&'.
std::string access_keys(const std::string& s) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (i == 0 && s[0] == '&' && s.size() > 1 && alpha(s[1])) {
      out += "<span class='foswikiAccessKey'>";
      out += s[1];
      out += "</span>";
      i = 2;
      continue;
    }
    if (s[i] != '&' && i + 2 < s.size() && s[i + 1] == '&' && alpha(s[i + 2])) {
      out += s[i];
      out += "<span class='foswikiAccessKey'>";
      out += s[i + 2];
      out += "</span>";
      i += 3;
      continue;
    }
    out.push_back(s[i++]);
  }
  std::string res;
  for (size_t k = 0; k < out.size(); ++k) {
    if (out[k] == '&' && k + 1 < out.size() && out[k + 1] == '&') {
      res += '&';
      ++k;
    } else {
      res += out[k];
    }
  }
  return res;
}

std::string maketext_uncached(const std::string& str, const std::string& args_text);

// MAKETEXT is a function of its string and arguments alone (English is the
// only language), and skins ask for the same few dozen strings on every
// page: the results are kept by the process, up to a bound.
std::string maketext_macro(Session& s, const Attrs& a) {
  std::string str = first_true({a.default_value(), a.get("string")}, "");
  if (str.empty()) return "";
  // Most strings are plain words: nothing to escape, no parameter, no access key.
  if (find_any(str, "[]~&") == std::string::npos) return maketext(str, {});
  std::string args_text = first_true({a.get("args")}, "");
  if (str.size() + args_text.size() > 4096) return maketext_uncached(str, args_text);
  static std::mutex mu;
  static std::unordered_map<std::string, std::string> cache;
  std::string key = str;
  key += '\0';
  key += args_text;
  {
    std::lock_guard<std::mutex> g(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  std::string out = maketext_uncached(str, args_text);
  std::lock_guard<std::mutex> g(mu);
  if (cache.size() >= 4096) cache.clear();
  cache.emplace(std::move(key), out);
  (void)s;
  return out;
}

std::string maketext_uncached(const std::string& str, const std::string& args_text) {
  // escape every bracket, then undo doubled escapes
  std::string esc;
  for (char c : str) {
    if (c == '[' || c == ']') esc += '~';
    esc += c;
  }
  std::string restored;
  for (size_t i = 0; i < esc.size();) {
    if (esc[i] == '~') {
      size_t j = i;
      while (j < esc.size() && esc[j] == '~') ++j;
      if (j - i >= 2 && j < esc.size() && (esc[j] == '[' || esc[j] == ']')) {
        restored += '~';
        i = j;
        continue;
      }
      restored.append(esc, i, j - i);
      i = j;
      continue;
    }
    restored += esc[i++];
  }
  ParamCheck pc;
  std::string prepared = unescape_quant_params(unescape_simple_params(restored, pc), pc);
  if (pc.error) return prepared;
  std::vector<std::string> args = split_args(args_text);
  while (args.size() < static_cast<size_t>(pc.max)) args.emplace_back();
  return access_keys(maketext(prepared, args));
}

// The user interface languages Foswiki ships, with their own names.
const std::map<std::string, std::string>& language_names() {
  static const std::map<std::string, std::string> names = {
      {"bg", "Български"},      {"cs", "Čeština"},      {"da", "Dansk"},
      {"de", "Deutsch"},        {"el", "Ελληνικά"},     {"en", "English"},
      {"es", "Español"},        {"fi", "Suomi"},        {"fr", "Français"},
      {"it", "Italiano"},       {"ja", "日本語"},       {"ko", "한국어"},
      {"nl", "Nederlands"},     {"no", "Norsk"},        {"pl", "Polski"},
      {"pt", "Português"},      {"pt-br", "Português do Brasil"},
      {"ro", "Română"},         {"ru", "Русский"},      {"sv", "Svenska"},
      {"tlh", "tlhIngan-Hol"},  {"tr", "Türkçe"},       {"uk", "Українська"},
      {"zh-cn", "中文"},        {"zh-tw", "正體中文"},
  };
  return names;
}

std::string languages_macro(Session& s, const Attrs& a) {
  std::string format = first_true({a.get("format")}, "   * $langname");
  std::string separator = first_true({a.get("separator")}, "\n");
  for (size_t p; (p = separator.find("\\n")) != std::string::npos;) separator.replace(p, 2, "\n");
  std::string selection = first_true({a.get("selection")}, "");
  for (char& c : selection)
    if (c == ',') c = ' ';
  selection = " " + selection + " ";
  std::string marker = first_true({a.get("marker")}, "selected=\"selected\"");

  std::map<std::string, std::string> enabled;  // tag -> name, sorted by tag
  enabled["en"] = "English";
  for (const auto& tag : s.cfg.languages) {
    auto it = language_names().find(tag);
    if (it != language_names().end()) enabled[tag] = it->second;
  }
  auto replace_all = [](std::string& t, std::string_view from, std::string_view to) {
    std::string out;
    size_t i = 0;
    for (size_t at; (at = t.find(from, i)) != std::string::npos; i = at + from.size()) {
      out.append(t, i, at - i);
      out.append(to);
    }
    out.append(t, i, std::string::npos);
    t.swap(out);
  };
  std::string result;
  bool first = true;
  for (const auto& [tag, name] : enabled) {
    std::string item = format;
    replace_all(item, "$langname", name);
    replace_all(item, "$langtag", tag);
    std::string mark = selection.find(" " + tag + " ") != std::string::npos ? marker : "";
    replace_all(item, "$marker", mark);
    if (!first) result += separator;
    result += item;
    first = false;
  }
  return expand_standard_escapes(result);
}

// Foswiki's ENCODE with old= and new=: each token of `old` is replaced by
// the token of `new` at the same place, in one pass (like tr///).
std::string encode_old_new(std::string text, const std::string& old_list, const std::string& new_list,
                           std::string* error) {
  auto split_plain = [](const std::string& s) {
    std::vector<std::string> out;
    if (s.empty()) return out;
    size_t i = 0;
    while (true) {
      size_t c = s.find(',', i);
      out.push_back(s.substr(i, c == std::string::npos ? std::string::npos : c - i));
      if (c == std::string::npos) break;
      i = c + 1;
    }
    while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
  };
  std::vector<std::string> olds = split_plain(old_list), news = split_plain(new_list);
  while (news.size() < olds.size()) news.emplace_back();
  // Foswiki marks token i by the digits of i written as the characters 0..9.
  auto marker = [](size_t i) {
    std::string m;
    for (char d : std::to_string(i)) m.push_back(static_cast<char>(d - '0'));
    return m;
  };
  auto replace_all = [](std::string& t, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    std::string out;
    size_t i = 0;
    for (size_t at; (at = t.find(from, i)) != std::string::npos; i = at + from.size()) {
      out.append(t, i, at - i);
      out.append(to);
    }
    out.append(t, i, std::string::npos);
    t.swap(out);
  };
  std::set<std::string> seen;
  for (size_t i = 0; i < olds.size(); ++i) {
    if (seen.count(olds[i])) {
      *error = core_detail::alert("ENCODE_bad_3", {olds[i]});
      return "";
    }
    seen.insert(olds[i]);
    replace_all(text, expand_standard_escapes(olds[i]), marker(i));
  }
  for (size_t i = 0; i < news.size(); ++i)
    replace_all(text, marker(i), expand_standard_escapes(news[i]));
  return text;
}

std::string encode_macro(const Attrs& a) {
  const std::string* old_list = a.get("old");
  const std::string* new_list = a.get("new");
  const std::string* type = a.get("type");
  if (type && (old_list || new_list)) return core_detail::alert("ENCODE_bad_1");
  if ((old_list && !new_list) || (!old_list && new_list)) return core_detail::alert("ENCODE_bad_2");
  const std::string* def = a.default_value();
  std::string text = def ? *def : "";
  if (old_list) {
    std::string error;
    std::string out = encode_old_new(text, *old_list, *new_list, &error);
    return error.empty() ? out : error;
  }
  return encode_as(text, perl_true(type) ? *type : "url");
}

}  // namespace

std::string entity_encode(std::string_view text, std::string_view extra) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool enc = (c >= 0x01 && c <= 0x09) || c == 0x0b || c == 0x0c || (c >= 0x0e && c <= 0x1f);
    if (!enc) {
      switch (c) {
        case '"': case '%': case '&': case '$': case '\'': case '*': case '<': case '=':
        case '>': case '@': case '[': case ']': case '_': case '|':
          enc = true;
          break;
        default:
          enc = extra.find(ch) != std::string_view::npos;
      }
    }
    if (enc) {
      out += "&#";
      out += std::to_string(c);
      out += ';';
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string encode_as(std::string_view text, std::string_view type) {
  if (ieq_ascii(type, "entity") || ieq_ascii(type, "entities")) return entity_encode(text);
  if (ieq_ascii(type, "html")) return entity_encode(text, "\n\r");
  if (ieq_ascii(type, "quote") || ieq_ascii(type, "quotes")) {
    std::string out;
    for (char c : text) {
      if (c == '"') out += '\\';
      out += c;
    }
    return out;
  }
  if (ieq_ascii(type, "url")) return foswiki_url_encode(text);
  if (ieq_ascii(type, "off") || ieq_ascii(type, "none")) return std::string(text);
  std::string out;  // safe
  for (char c : text) {
    if (c == '<' || c == '>' || c == '%' || c == '\'' || c == '"') {
      out += "&#";
      out += std::to_string(static_cast<unsigned char>(c));
      out += ';';
    } else {
      out += c;
    }
  }
  return out;
}

std::string space_out_wiki_word(std::string_view word, std::string_view sep) {
  std::vector<Piece> p;
  p.reserve(word.size());
  for (size_t i = 0; i < word.size();) {
    char32_t cp;
    size_t n = decode_utf8(word, i, cp);
    p.push_back(Piece{std::string(word.substr(i, n)), classify(cp)});
    i += n;
  }
  const Piece mark{"\x01", CharClass::mark};
  auto is = [&](const std::vector<Piece>& v, size_t i, CharClass c) { return i < v.size() && v[i].cls == c; };
  // Four passes, each like a global regex substitution that inserts a mark.
  auto pass = [&](auto match) {
    std::vector<Piece> out;
    out.reserve(p.size() + 8);
    size_t i = 0;
    while (i < p.size()) {
      size_t first = 0, consumed = 0;  // split after `first` pieces of a match `consumed` long
      if (match(i, first, consumed)) {
        for (size_t k = 0; k < first; ++k) out.push_back(p[i + k]);
        out.push_back(mark);
        for (size_t k = first; k < consumed; ++k) out.push_back(p[i + k]);
        i += consumed;
      } else {
        out.push_back(p[i++]);
      }
    }
    p.swap(out);
  };
  using C = CharClass;
  pass([&](size_t i, size_t& f, size_t& n) {  // upper, digit
    if (is(p, i, C::upper) && is(p, i + 1, C::digit)) return f = 1, n = 2, true;
    return false;
  });
  pass([&](size_t i, size_t& f, size_t& n) {  // digit, upper
    if (is(p, i, C::digit) && is(p, i + 1, C::upper)) return f = 1, n = 2, true;
    return false;
  });
  pass([&](size_t i, size_t& f, size_t& n) {  // lower, then a run of upper/digit
    if (!is(p, i, C::lower)) return false;
    size_t j = i + 1;
    while (is(p, j, C::upper) || is(p, j, C::digit)) ++j;
    if (j == i + 1) return false;
    return f = 1, n = j - i, true;
  });
  pass([&](size_t i, size_t& f, size_t& n) {  // upper, upper, before a lower
    if (is(p, i, C::upper) && is(p, i + 1, C::upper) && is(p, i + 2, C::lower)) return f = 1, n = 2, true;
    return false;
  });
  std::string out;
  out.reserve(word.size() + 8);
  for (const auto& piece : p) {
    if (piece.cls == C::mark) out += sep;
    else out += piece.text;
  }
  return out;
}

int clean_up_rev_id(std::string_view rev) {
  size_t dot = rev.find('.');
  std::string_view num = rev;
  if (dot != std::string_view::npos) {
    std::string_view major = rev.substr(0, dot);
    if (major.empty()) return 0;
    for (char c : major)
      if (!std::isdigit(static_cast<unsigned char>(c))) return 0;
    num = rev.substr(dot + 1);
  }
  if (num.empty()) return 0;
  long long n = 0;
  for (char c : num) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return 0;
    n = n * 10 + (c - '0');
    if (n > 1000000000LL) n = 1000000000LL;
  }
  return static_cast<int>(n);
}

std::string maketext(std::string_view text, const std::vector<std::string>& args) {
  if (text.empty() || text == "0") return "";
  if (text[0] == '_' && text != "_language_name")
    return "<span class=\"foswikiAlert\">Error: MAKETEXT arguments can't start with an underscore "
           "(\"_\").</span>";
  try {
    return run_maketext(text, args);
  } catch (const MaketextError& e) {
    return "<span class=\"foswikiAlert\">MAKETEXT: " + entity_encode(e.message) + "</span>";
  }
}

namespace core_detail {

std::string alert(std::string_view def, const std::vector<std::string>& params) {
  std::string msg;
  if (def == "access_denied") {
    msg = "      No permission to view " + (params.empty() ? std::string() : params[0]) + " ";
  } else if (def == "ENCODE_bad_1") {
    msg = "ENCODE failed - =type= cannot be used alongside =old= and =new= ";
  } else if (def == "ENCODE_bad_2") {
    msg = "ENCODE failed - both of =old= and =new= must be given";
  } else if (def == "ENCODE_bad_3") {
    msg = "ENCODE failed - token '" + (params.empty() ? std::string() : params[0]) +
          "' is repeated in =old= ";
  } else {
    msg = " ";
    for (const auto& p : params) msg += p + " ";
  }
  return inline_alert(msg);
}


void register_encoding_macros() {
  auto encode = [](Session&, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return encode_macro(a);
  };
  register_macro("ENCODE", encode);
  register_macro("URLENCODE", encode);
  register_macro("INTURLENCODE", [](Session&, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return first_true({a.default_value()}, "");
  });
  register_macro("SPACEOUT", [](Session&, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    const std::string* word = a.default_value();
    const std::string* sep = a.get("separator");
    return space_out_wiki_word(word ? *word : "", sep ? *sep : " ");
  });
  register_macro("SPACEDTOPIC", [](Session&, const Attrs&, const TopicRef& t) -> std::optional<std::string> {
    std::string spaced = space_out_wiki_word(t.topic);
    std::string out;
    for (char c : spaced) {
      if (c == ' ') out += " *";
      else out += c;
    }
    return foswiki_url_encode(out);
  });
  register_macro("MAKETEXT", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return maketext_macro(s, a);
  });
  register_macro("LANGUAGE", [](Session&, const Attrs&, const TopicRef&) -> std::optional<std::string> {
    return std::string("en");
  });
  register_macro("LANGUAGES", [](Session& s, const Attrs& a, const TopicRef&) -> std::optional<std::string> {
    return languages_macro(s, a);
  });
}

}  // namespace core_detail
}  // namespace cwiki

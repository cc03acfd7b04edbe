#include "macros/expand.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

namespace cwiki {
namespace {

using Handler = CallHandler;

// Bytes that may start (1) or continue (2) a macro name: ASCII letters and
// every non-ASCII byte start one; digits, '_' and ':' continue one.
constexpr auto kNameClass = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    bool more = (c >= '0' && c <= '9') || c == '_' || c == ':';
    t[c] = alpha ? 3 : more ? 2 : 0;
  }
  return t;
}();
bool name_start(unsigned char c) { return kNameClass[c] & 1; }
bool name_char(unsigned char c) { return kNameClass[c] & 2; }

// Length of a macro name at s[i], or 0.
size_t name_len(std::string_view s, size_t i) {
  if (i >= s.size() || !name_start(static_cast<unsigned char>(s[i]))) return 0;
  size_t j = i + 1;
  while (j < s.size() && name_char(static_cast<unsigned char>(s[j]))) ++j;
  return j - i;
}

// Is `s` a whole macro call "%NAME" or "%NAME{...}"?  Fills tag and args.
bool whole_call(std::string_view s, std::string_view& tag, std::optional<std::string_view>& args) {
  if (s.size() < 2 || s[0] != '%') return false;
  size_t n = name_len(s, 1);
  if (n == 0) return false;
  tag = s.substr(1, n);
  if (1 + n == s.size()) {
    args.reset();
    return true;
  }
  if (s[1 + n] != '{' || s.back() != '}') return false;
  args = s.substr(2 + n, s.size() - 3 - n);
  return true;
}

// "%NAME{" ... "}" with a later "}%", or "%NAME%": does a macro result hold
// anything to expand further?
bool has_call(std::string_view s) {
  for (size_t i = s.find('%'); i != std::string_view::npos; i = s.find('%', i + 1)) {
    size_t n = name_len(s, i + 1);
    if (!n) continue;
    size_t after = i + 1 + n;
    if (after < s.size() && s[after] == '%') return true;
    if (after < s.size() && s[after] == '{' && s.find("}%", after) != std::string_view::npos)
      return true;
  }
  return false;
}

// Case-insensitive equality; `b` is lower case.
bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] >= 'A' && a[i] <= 'Z' ? a[i] | 0x20 : a[i]) != b[i]) return false;
  return true;
}

// Does "<tag" (any case) occur in the text?  `tag` is lower case and starts
// with a letter.  The tag's first letter is rarer than '<' in HTML-heavy
// skin text, so that is what is searched for.
bool mentions_tag(std::string_view text, std::string_view tag) {
  for (char first : {tag[0], static_cast<char>(tag[0] - 'a' + 'A')})
    for (size_t i = text.find(first, 1); i != std::string_view::npos; i = text.find(first, i + 1))
      if (text[i - 1] == '<' && ieq(text.substr(i, tag.size()), tag)) return true;
  return false;
}

bool has_non_space(std::string_view s) {
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return true;
  return false;
}

std::string process(Session& s, std::string_view text, const Handler& h, int depth);

// The rule of Foswiki's _expandMacroOnTopicRendering for one call.
std::optional<std::string> expand_one(Session& s, std::string_view tag,
                                      std::optional<std::string_view> args,
                                      const TopicRef& topic) {
  if (s.expanded_bytes > kMaxExpansionBytes)
    return std::string("<span class=\"foswikiAlert\">macro expansion stopped: the page grew "
                       "beyond its limit</span>");
  if (auto value = s.prefs.get(tag)) {
    if (args && has_non_space(*args)) {
      Attrs attrs(*args, false);
      // %DEFAULT% and the parameters' names, within the preference's value
      Handler params = [&](std::string_view t, std::optional<std::string_view> targs)
          -> std::optional<std::string> {
        Attrs tattrs(targs);
        if (t == "DEFAULT") {
          if (const std::string* d = attrs.default_value()) return *d;
          if (const std::string* d = tattrs.get("default")) return *d;
          return std::string();
        }
        const std::string* v = attrs.get(t);
        if (!v) v = tattrs.get("default");
        if (v) return expand_standard_escapes(*v);
        return std::nullopt;
      };
      return process(s, *value, params, 1);
    }
    return value;
  }
  auto& reg = macro_registry();
  if (auto it = reg.find(tag); it != reg.end()) {
    std::shared_ptr<const Attrs> attrs =
        args ? Attrs::cached(*args, it->second.friendly_syntax) : Attrs::none();
    auto r = it->second.fn(s, *attrs, topic);
    if (r) s.expanded_bytes += r->size();
    return r;
  }
  if (args && has_non_space(*args)) {
    Attrs attrs{*args};
    if (const std::string* d = attrs.get("default")) return expand_standard_escapes(*d);
  }
  return std::nullopt;
}

// Foswiki's _processMacros: a stack-based parse over the text split at '%'.
std::string process(Session& s, std::string_view text, const Handler& h, int depth) {
  if (text.empty()) return {};
  if (text.find('%') == std::string_view::npos) return std::string(text);
  if (depth <= 0) {
    s.log.write(LogLevel::warning, 201, "macros nested too deep; expansion stopped");
    // As Foswiki does: the %s of what is left go, so it cannot recurse again.
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      size_t a = text.find('%', i);
      if (a == std::string_view::npos) break;
      size_t b = text.find('%', a + 1);
      if (b == std::string_view::npos) break;
      out.append(text.substr(i, a - i));
      out.append(text.substr(a + 1, b - a - 1));
      i = b + 1;
    }
    out.append(text.substr(i));
    return out;
  }
  BlockMap verbatim;
  unsigned counter = 0;
  std::string work;
  std::string_view t = text;
  if (mentions_tag(text, "verbatim")) {
    work = take_out_blocks(text, "verbatim", verbatim, counter);
    t = work;
  }

  // One output buffer; each context still open (each '%' that has not been
  // closed yet) is where it starts in it.  The top context runs from
  // `top_start` to the end; `starts` holds the ones below it.
  std::string out;
  out.reserve(t.size());
  std::vector<size_t> starts;
  size_t top_start = 0;
  auto top = [&] { return std::string_view(out).substr(top_start); };
  size_t pos = 0;
  while (pos <= t.size()) {
    size_t pct = t.find('%', pos);
    if (pct == std::string_view::npos) {
      out.append(t.substr(pos));
      break;
    }
    out.append(t.substr(pos, pct - pos));
    pos = pct + 1;
    // A '%': it closes the context on top of the stack, or opens a new one.
    std::string_view tag;
    std::optional<std::string_view> args_view;
    if (out.size() > top_start && out.back() == '}') {
      // "}%": join back the contexts that a '%' inside the parameters opened.
      while (!starts.empty() && !(whole_call(top(), tag, args_view) && args_view)) {
        top_start = starts.back();
        starts.pop_back();
      }
    }
    if (whole_call(top(), tag, args_view)) {
      // tag and args_view point into `out`, which h() does not touch.
      std::optional<std::string> e = h(tag, args_view);
      if (e) {
        out.resize(top_start);
        top_start = starts.empty() ? 0 : starts.back();
        if (!starts.empty()) starts.pop_back();
        if (!has_call(*e)) {
          out += *e;
        } else {
          out += process(s, *e, h, depth - 1);
        }
        continue;
      }
    }
    starts.push_back(top_start);
    top_start = out.size();
    out.push_back('%');
  }
  // What never closed is in `out` already, in order.
  if (verbatim.empty()) return out;
  return put_back_blocks(out, verbatim, "verbatim");
}

// Escapes ` !%NAME` (after a space, '(' or '.') to `&#37;NAME`.
std::string escape_bang(std::string_view text) {
  std::string out;
  size_t run = 0;
  for (size_t i = text.find("!%"); i != std::string_view::npos; i = text.find("!%", i + 1)) {
    if (i == 0 || name_len(text, i + 2) == 0) continue;
    char before = text[i - 1];
    if (!(std::isspace(static_cast<unsigned char>(before)) || before == '(' || before == '.'))
      continue;
    if (out.empty()) out.reserve(text.size());
    out.append(text.substr(run, i - run));
    out += "&#37;";
    run = i + 2;
  }
  if (run == 0) return std::string(text);
  out.append(text.substr(run));
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
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

// $name and $name() -> to, everywhere in s.
void replace_token(std::string& s, std::string_view name, std::string_view to) {
  std::string needle = "$" + std::string(name);
  size_t at = s.find(needle);
  if (at == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t run = 0;
  for (; at != std::string::npos; at = s.find(needle, run)) {
    out.append(s, run, at - run);
    out.append(to);
    run = at + needle.size();
    if (s.compare(run, 2, "()") == 0) run += 2;
  }
  out.append(s, run, std::string::npos);
  s.swap(out);
}

}  // namespace

std::string expand_standard_escapes(std::string_view text) {
  std::string s(text);
  if (s.find('$') == std::string::npos) return s;
  replace_all(s, "$n()", "\n");
  {  // $n not followed by a letter
    std::string out;
    size_t done = 0;
    for (size_t i = s.find("$n"); i != std::string::npos; i = s.find("$n", i + 1)) {
      if (i + 2 < s.size() && std::isalpha(static_cast<unsigned char>(s[i + 2]))) continue;
      out.append(s, done, i - done).push_back('\n');
      done = i + 2;
      i = done - 1;
    }
    if (done > 0) {
      out.append(s, done, std::string::npos);
      s.swap(out);
    }
  }
  replace_token(s, "nop", "");
  replace_token(s, "quot", "\"");
  replace_token(s, "comma", ",");
  replace_token(s, "percent", "%");
  replace_token(s, "percnt", "%");
  replace_token(s, "lt", "<");
  replace_token(s, "gt", ">");
  replace_token(s, "amp", "&");
  replace_token(s, "dollar", "$");
  return s;
}

bool foswiki_is_true(const std::string* value, bool fallback) {
  if (!value) return fallback;
  std::string v = *value;
  size_t a = 0, b = v.size();
  while (a < b && std::isspace(static_cast<unsigned char>(v[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(v[b - 1]))) --b;
  v = v.substr(a, b - a);
  for (const char* w : {"off", "no", "false"}) {
    std::string lower;
    for (size_t i = 0; i < v.size();) {
      size_t n = std::string_view(w).size();
      bool match = i + n <= v.size();
      for (size_t k = 0; match && k < n; ++k)
        match = std::tolower(static_cast<unsigned char>(v[i + k])) == w[k];
      if (match) {
        i += n;
      } else {
        lower.push_back(v[i++]);
      }
    }
    v.swap(lower);
  }
  return !v.empty() && v != "0";
}

std::string take_out_blocks(std::string_view text, std::string_view tag, BlockMap& map,
                            unsigned& counter) {
  if (!mentions_tag(text, tag)) return std::string(text);

  std::string out, scoop, params;
  int depth = 0;
  bool scooping = false;
  size_t i = 0, run = 0;
  auto emit = [&](std::string_view piece) {
    if (depth > 0) scoop.append(piece);
    else out.append(piece);
  };
  while (i < text.size()) {
    size_t lt = text.find('<', i);
    if (lt == std::string_view::npos) break;
    size_t p = lt + 1;
    bool closing = p < text.size() && text[p] == '/';
    if (closing) ++p;
    size_t gt = text.find('>', p);
    if (!ieq(text.substr(p, tag.size()), tag) || gt == std::string_view::npos) {
      i = lt + 1;
      continue;
    }
    // A token <tag...> or </tag...>.
    emit(text.substr(run, lt - run));
    std::string_view token = text.substr(lt, gt + 1 - lt);
    std::string_view rest = text.substr(p + tag.size(), gt - p - tag.size());
    bool word_end = rest.empty() || !(std::isalnum(static_cast<unsigned char>(rest[0])) || rest[0] == '_');
    run = i = gt + 1;
    if (!closing && word_end) {
      ++depth;
      if (depth == 1) {
        params = std::string(rest);
        scooping = true;
        continue;
      }
    } else if (closing && rest.empty()) {
      if (depth > 0) {
        --depth;
        if (depth == 0) {
          std::string id = std::string(tag) + std::to_string(counter++);
          map.emplace_back(id, TakenBlock{params, std::move(scoop)});
          scoop.clear();
          out += "<!--";
          out.push_back('\0');
          out += id;
          out.push_back('\0');
          out += "-->";
          continue;
        }
      }
    }
    emit(token);
  }
  emit(text.substr(run));
  if (scooping && depth > 0) {  // left open: the rest of the text is the block
    std::string id = std::string(tag) + std::to_string(counter++);
    map.emplace_back(id, TakenBlock{params, std::move(scoop)});
    out += "<!--";
    out.push_back('\0');
    out += id;
    out.push_back('\0');
    out += "-->";
  }
  return out;
}

std::string put_back_blocks(std::string_view text, BlockMap& map, std::string_view tag,
                            std::optional<std::string_view> newtag,
                            const std::function<std::string(const std::string&)>& fn) {
  if (map.empty()) return std::string(text);
  std::string prefix = "<!--";
  prefix.push_back('\0');
  prefix += tag;
  std::string out;
  size_t i = 0;
  for (size_t at; (at = text.find(prefix, i)) != std::string_view::npos;) {
    size_t end = text.find(std::string_view("\0-->", 4), at + prefix.size());
    if (end == std::string_view::npos) break;
    std::string id(text.substr(at + 5, end - at - 5));
    auto it = std::find_if(map.begin(), map.end(), [&](const auto& e) { return e.first == id; });
    out.append(text.substr(i, at - i));
    if (it == map.end()) {
      out.append(text.substr(at, end + 4 - at));
    } else {
      std::string val = fn ? fn(it->second.text) : it->second.text;
      std::string_view nt = newtag ? *newtag : tag;
      if (nt.empty()) {
        out += val;
      } else {
        out += "<";
        out += nt;
        out += it->second.params;
        out += ">";
        out += val;
        out += "</";
        out += nt;
        out += ">";
      }
      map.erase(it);
    }
    i = end + 4;
  }
  out.append(text.substr(i));
  return out;
}

std::string expand_inner(Session& s, std::string_view text, const TopicRef& topic) {
  auto mem_web = s.prefs.internal("WEB"), mem_topic = s.prefs.internal("TOPIC");
  s.prefs.set_internal("WEB", topic.web.empty() ? s.base.web : topic.web);
  s.prefs.set_internal("TOPIC", topic.topic.empty() ? s.base.topic : topic.topic);
  const TopicRef here = topic;  // `topic` may be a value that the expansion changes
  // Two pointers: the std::function keeps them without allocating.
  const Handler handler = [&s, &here](std::string_view tag, std::optional<std::string_view> args) {
    return expand_one(s, tag, args, here);
  };
  std::string escaped;
  std::string_view source = text;
  if (text.find("!%") != std::string_view::npos) source = escaped = escape_bang(text);
  std::string out = process(s, source, handler, kMaxDepth);
  if (mem_web) s.prefs.set_internal("WEB", *mem_web);
  else s.prefs.clear_internal("WEB");
  if (mem_topic) s.prefs.set_internal("TOPIC", *mem_topic);
  else s.prefs.clear_internal("TOPIC");
  return out;
}

std::string expand_macros(Session& s, std::string_view text, const TopicRef& topic) {
  if (text.empty()) return {};
  BlockMap verbatim;
  unsigned counter = 1000000;  // distinct from the ids used inside process()
  std::string t = take_out_blocks(text, "verbatim", verbatim, counter);
  auto mem_w = s.prefs.internal("INCLUDINGWEB"), mem_t = s.prefs.internal("INCLUDINGTOPIC");
  s.prefs.set_internal("INCLUDINGWEB", topic.web);
  s.prefs.set_internal("INCLUDINGTOPIC", topic.topic);
  t = expand_inner(s, t, topic);
  t = take_out_blocks(t, "verbatim", verbatim, counter);
  // Foswiki expands a second time (after its plugins' handler): macros that
  // the first pass produced from escapes are expanded here.
  t = expand_inner(s, t, topic);
  if (mem_w) s.prefs.set_internal("INCLUDINGWEB", *mem_w);
  else s.prefs.clear_internal("INCLUDINGWEB");
  if (mem_t) s.prefs.set_internal("INCLUDINGTOPIC", *mem_t);
  else s.prefs.clear_internal("INCLUDINGTOPIC");

  // %TOC% is expanded last, over the whole text.
  auto& reg = macro_registry();
  if (auto toc = reg.find(kTocHook); toc != reg.end() && t.find("%TOC") != std::string::npos) {
    std::string out;
    size_t i = 0;
    int instance = 1;
    for (size_t at; (at = t.find("%TOC", i)) != std::string::npos;) {
      size_t after = at + 4;
      std::optional<std::string> args;
      size_t end;
      if (after < t.size() && t[after] == '%') {
        end = after + 1;
      } else if (after < t.size() && t[after] == '{') {
        size_t close = t.find("}%", after);
        size_t nl = t.find('\n', after);
        if (close == std::string::npos || (nl != std::string::npos && nl < close)) {
          out.append(t, i, after - i);
          i = after;
          continue;
        }
        args = t.substr(after + 1, close - after - 1);
        end = close + 2;
      } else {
        out.append(t, i, after - i);
        i = after;
        continue;
      }
      out.append(t, i, at - i);
      Attrs a(args ? std::optional<std::string_view>(*args) : std::nullopt);
      a.set("_TEXT", t);
      a.set("_INSTANCE", std::to_string(instance++));
      auto r = toc->second.fn(s, a, topic);
      out += r ? *r : std::string(t.substr(at, end - at));
      i = end;
    }
    out.append(t, i, std::string::npos);
    t.swap(out);
  }
  // Lines holding only <nop> go (left behind by conditional output).
  if (t.find("<nop>") != std::string::npos) {
    std::string out;
    size_t run = 0;
    for (size_t at = t.find("<nop>"); at != std::string::npos; at = t.find("<nop>", at + 1)) {
      if (at != 0 && t[at - 1] != '\n') continue;
      size_t j = at + 5;
      if (j < t.size() && t[j] == '\r') ++j;
      if (j >= t.size() || t[j] != '\n') continue;
      out.append(t, run, at - run);
      run = j + 1;
      at = j;
    }
    if (run > 0) {
      out.append(t, run, std::string::npos);
      t.swap(out);
    }
  }
  return put_back_blocks(t, verbatim, "verbatim");
}

std::string process_macros(Session& s, std::string_view text, const CallHandler& fn, int depth) {
  return process(s, text, fn, depth);
}

std::optional<std::string> expand_call(Session& s, std::string_view tag,
                                       std::optional<std::string_view> args, const TopicRef& topic) {
  return expand_one(s, tag, args, topic);
}

}  // namespace cwiki

#define PCRE2_CODE_UNIT_WIDTH 8
#include "macros/include_util.h"

#include <pcre2.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "util/chars.h"

namespace cwiki {

// ---- sections ----

namespace {

// Length of a section tag "%(START|STOP|END)SECTION%" or
// "%...SECTION{args}%" at s[i] (args: the shortest run up to "}%" on the
// same line), or 0.  `start` tells which kind; `args` gets the braces' text.
size_t section_tag(std::string_view s, size_t i, bool& start, std::optional<std::string_view>& args) {
  size_t p = i + 1;
  if (s.compare(p, 5, "START") == 0) {
    start = true;
    p += 5;
  } else if (s.compare(p, 4, "STOP") == 0) {
    start = false;
    p += 4;
  } else if (s.compare(p, 3, "END") == 0) {
    start = false;
    p += 3;
  } else {
    return 0;
  }
  if (s.compare(p, 7, "SECTION") != 0) return 0;
  p += 7;
  if (p < s.size() && s[p] == '%') {
    args.reset();
    return p + 1 - i;
  }
  if (p < s.size() && s[p] == '{') {
    for (size_t q = p + 1; q + 1 < s.size(); ++q) {
      if (s[q] == '\n') return 0;
      if (s[q] == '}' && s[q + 1] == '%') {
        args = s.substr(p + 1, q - p - 1);
        return q + 2 - i;
      }
    }
  }
  return 0;
}

bool is_generated_name(const std::string& n) {
  if (n.rfind("_SECTION", 0) != 0 || n.size() == 8) return false;
  for (size_t i = 8; i < n.size(); ++i)
    if (n[i] < '0' || n[i] > '9') return false;
  return true;
}

}  // namespace

bool incl::perl_true(const std::string* v) { return v && !v->empty() && *v != "0"; }

SectionedText parse_sections(std::string_view text) {
  using incl::perl_true;
  SectionedText out;
  out.text.reserve(text.size());
  std::unordered_map<std::string, size_t> ids;  // type:name -> index in out.sections
  std::vector<bool> open;                       // parallel to out.sections
  std::vector<size_t> open_unnamed;             // open sections with generated names, in order
  unsigned seq = 0;
  size_t run = 0;
  for (size_t i = text.find('%'); i != std::string_view::npos; i = text.find('%', i)) {
    bool start = false;
    std::optional<std::string_view> args;
    size_t n = section_tag(text, i, start, args);
    if (!n) {
      ++i;
      continue;
    }
    out.text.append(text.substr(run, i - run));
    run = i + n;
    i += n;
    Attrs a(args);
    std::string type = perl_true(a.get("type")) ? *a.get("type") : "section";
    size_t offset = out.text.size();
    std::string name;
    if (perl_true(a.get("_DEFAULT"))) name = *a.get("_DEFAULT");
    else if (perl_true(a.get("name"))) name = *a.get("name");
    if (start) {
      if (name.empty()) name = "_SECTION" + std::to_string(seq++);
      std::string id = type + ":" + name;
      if (ids.count(id)) continue;  // already defined: ignored
      // An unnamed section closes the open unnamed sections of its type.
      std::vector<size_t> still_open;
      for (size_t k : open_unnamed) {
        if (out.sections[k].type == type) {
          out.sections[k].end = offset;
          open[k] = false;
        } else {
          still_open.push_back(k);
        }
      }
      open_unnamed.swap(still_open);
      TextSection sec;
      sec.type = type;
      sec.name = name;
      sec.start = offset;
      if (args) sec.raw = std::string(*args);
      sec.attrs = std::move(a);
      sec.attrs.remove("_DEFAULT");
      sec.attrs.set("type", type);
      sec.attrs.set("name", name);
      ids.emplace(std::move(id), out.sections.size());
      if (is_generated_name(name)) open_unnamed.push_back(out.sections.size());
      out.sections.push_back(std::move(sec));
      open.push_back(true);
    } else {
      if (name.empty()) {  // closes the last open unnamed section of its type
        for (size_t k = open_unnamed.size(); k-- > 0;)
          if (out.sections[open_unnamed[k]].type == type) {
            name = out.sections[open_unnamed[k]].name;
            break;
          }
        if (name.empty()) continue;  // nothing to close
      }
      auto it = ids.find(type + ":" + name);
      if (it == ids.end() || !open[it->second]) continue;
      size_t k = it->second;
      out.sections[k].end = offset;
      open[k] = false;
      open_unnamed.erase(std::remove(open_unnamed.begin(), open_unnamed.end(), k), open_unnamed.end());
    }
  }
  out.text.append(text.substr(std::min(run, text.size())));
  for (size_t k = 0; k < out.sections.size(); ++k)
    if (open[k]) out.sections[k].end = out.text.size();
  return out;
}

// ---- names ----

namespace incl {

std::pair<std::string, std::string> normalize_web_topic(std::string_view default_web,
                                                        std::string_view name,
                                                        std::string_view users_web,
                                                        std::string_view home_topic) {
  std::string web(default_web), topic(name);
  // Split at the last '.' or '/', when the name is one line (a final newline
  // may follow, and is dropped with the split).
  std::string_view line = name;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.find('\n') == std::string_view::npos) {
    size_t sep = rfind_any(line, "./");
    if (sep != std::string_view::npos) {
      web = std::string(line.substr(0, sep));
      topic = std::string(line.substr(sep + 1));
    }
  }
  if (!perl_true(&web)) web = std::string(users_web);
  if (!perl_true(&topic)) topic = std::string(home_topic);
  for (char& c : web)
    if (c == '.') c = '/';
  return {web, topic};
}

std::string inline_alert(std::string_view def, const std::vector<std::string>& params) {
  // The messages as Foswiki's templates produce them (leading spaces and the
  // trailing space included), with %PARAMn% filled in afterwards.
  std::string_view body;
  if (def == "topic_not_found") body = "    Warning: Can't find topic <nop>%PARAM1%.<nop>%PARAM2% ";
  else if (def == "topic_section_not_found")
    body = "    Warning: Can't find named section <nop>%PARAM3% in topic <nop>%PARAM1%.<nop>%PARAM2% ";
  else if (def == "already_included")
    body = "   Warning: Can't INCLUDE <nop>%PARAM1% repeatedly, topic is already included. %PARAM2% ";
  else if (def == "bad_include_path")
    body = "   Warning: Can't INCLUDE '<nop>%PARAM1%', path is empty or contains illegal characters. ";
  else if (def == "access_denied") body = "      No permission to view %PARAM1% ";
  else if (def == "urls_not_allowed")
    body = "   Warning: This site does not allow %<nop>INCLUDE% of URLs ";
  else if (def == "bad_attachment")
    body = "     Error: File attachment at %PARAM1%,%PARAM2% does not exist ";
  else body = "   %PARAM1% %PARAM2% %PARAM3% %PARAM4% ";  // "generic"
  std::string text = "<span class='foswikiAlert'>\n" + std::string(body) + "\n</span>";
  // Each parameter in turn, then whatever %PARAMn% is left goes.
  auto replace_all = [](std::string& s, const std::string& from, std::string_view to) {
    std::string out;
    size_t i = 0;
    for (size_t at; (at = s.find(from, i)) != std::string::npos; i = at + from.size()) {
      out.append(s, i, at - i);
      out.append(to);
    }
    if (i == 0) return;
    out.append(s, i, std::string::npos);
    s.swap(out);
  };
  for (size_t n = 0; n < params.size(); ++n)
    replace_all(text, "%PARAM" + std::to_string(n + 1) + "%", params[n]);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 6, "%PARAM") == 0) {
      size_t j = i + 6;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      if (j > i + 6 && j < text.size() && text[j] == '%') {
        i = j + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

// ---- regular expressions ----

namespace {

struct MatchContext {
  pcre2_match_context* ctx;
  MatchContext() : ctx(pcre2_match_context_create(nullptr)) {
    if (!ctx) throw std::bad_alloc();
    pcre2_set_match_limit(ctx, 2000000);
    pcre2_set_depth_limit(ctx, 20000);
  }
  ~MatchContext() { pcre2_match_context_free(ctx); }
};

pcre2_match_context* match_context() {
  static const MatchContext mc;  // read-only after creation: shareable
  return mc.ctx;
}

}  // namespace

Pcre::Pcre(std::string_view pattern, uint32_t options) {
  int err = 0;
  PCRE2_SIZE off = 0;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                        PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | options, &err, &off,
                        nullptr);
  if (!code_) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw std::invalid_argument("regex at " + std::to_string(off) + ": " +
                                reinterpret_cast<char*>(msg));
  }
  pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // optional speed-up
}

Pcre::~Pcre() { pcre2_code_free(code_); }

bool Pcre::find(std::string_view subject, size_t from, Match& m, uint32_t match_options) const {
  if (from > subject.size()) return false;
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
      pcre2_match_data_create_from_pattern(code_, nullptr), &pcre2_match_data_free);
  if (!md) throw std::bad_alloc();
  int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), from,
                       match_options, md.get(), match_context());
  if (rc < 0) return false;  // no match, or a limit was hit
  uint32_t n = pcre2_get_ovector_count(md.get());
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
  m.subject = subject;
  m.groups.assign(n, {std::string_view::npos, std::string_view::npos});
  for (uint32_t i = 0; i < n && i < static_cast<uint32_t>(rc); ++i)
    if (ov[2 * i] != PCRE2_UNSET) m.groups[i] = {ov[2 * i], ov[2 * i + 1]};
  return true;
}

std::string Pcre::replace(std::string_view subject, const std::function<std::string(const Match&)>& fn,
                          bool global) const {
  std::string out;
  size_t pos = 0, copied = 0;
  bool after_empty = false;
  Match m;
  while (pos <= subject.size()) {
    uint32_t opts = after_empty ? (PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED) : 0;
    if (!find(subject, pos, m, opts)) {
      if (!after_empty) break;
      // No non-empty match here: step over one character and go on.
      after_empty = false;
      if (pos >= subject.size()) break;
      ++pos;
      while (pos < subject.size() && (static_cast<unsigned char>(subject[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    out.append(subject.substr(copied, m.begin() - copied));
    out += fn(m);
    copied = m.end();
    if (!global) break;
    after_empty = m.begin() == m.end();
    pos = m.end();
  }
  if (copied == 0 && out.empty()) return std::string(subject);
  out.append(subject.substr(copied));
  return out;
}

}  // namespace incl
}  // namespace cwiki

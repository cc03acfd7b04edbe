// Helpers of the INCLUDE/TOC family (src/macros/include.c++,
// include_toc.c++): Foswiki's section parser, its web.topic name
// normalisation, the inline alerts INCLUDE and TOC print, and a PCRE2 pattern
// with capture groups for the Perl regular expressions these macros apply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "macros/attrs.h"

struct pcre2_real_code_8;

namespace cwiki {

// ---- sections (Foswiki::parseSections) ----

// One %STARTSECTION{...}% ... %ENDSECTION{...}% (or %STOPSECTION%) region.
struct TextSection {
  std::string type;                // "section" unless type= says otherwise
  std::string name;                // the default parameter or name=; "_SECTIONn" when unnamed
  size_t start = 0, end = 0;       // byte offsets into SectionedText::text
  std::optional<std::string> raw;  // what stood between the STARTSECTION braces
  Attrs attrs;                     // the STARTSECTION parameters
};

struct SectionedText {
  std::string text;               // the input with every section tag removed
  std::vector<TextSection> sections;  // in the order of their STARTSECTION
};

// Splits out the section tags of `text` as Foswiki does: sections may nest
// or overlap; a second STARTSECTION of a type:name already seen is dropped;
// an unnamed STARTSECTION closes the open unnamed sections of its type; an
// END/STOPSECTION without a name closes the last open unnamed one; an
// END/STOPSECTION that matches no open section is dropped; what is still
// open at the end runs to the end.  Tag parameters must not span lines.
// Time linear in the size of `text` and the number of sections.
SectionedText parse_sections(std::string_view text);

namespace incl {

// ---- names ----

// Perl truth: defined, not "" and not "0".
bool perl_true(const std::string* v);
inline bool perl_true(const std::optional<std::string>& v) { return v && perl_true(&*v); }

// Foswiki's normalizeWebTopicName: "Web.Topic", "Web/Sub.Topic" or "Topic"
// (in `default_web`); the web part falls back to `users_web`, the topic to
// `home_topic`; the web comes back with '/' separators.  Only a name on one
// line is split (Foswiki's pattern does not cross newlines).
std::pair<std::string, std::string> normalize_web_topic(std::string_view default_web,
                                                        std::string_view name,
                                                        std::string_view users_web,
                                                        std::string_view home_topic);

// The text of Foswiki's inline alert `def` (a definition of its oopsalerts
// templates: topic_not_found, topic_section_not_found, already_included,
// bad_include_path, access_denied, urls_not_allowed, bad_attachment) with
// `params` as %PARAM1%, %PARAM2%, ...:
// <span class='foswikiAlert'>\n MESSAGE \n</span>
std::string inline_alert(std::string_view def, const std::vector<std::string>& params);

// ---- regular expressions ----

// A compiled PCRE2 pattern (UTF-8, Unicode classes, invalid UTF-8 in
// subjects tolerated), shareable between threads.  Every match is bounded by
// a backtracking limit; a match that hits it counts as no match.
class Pcre {
 public:
  // Throws std::invalid_argument when `pattern` does not compile.
  // `options` are PCRE2 compile options (PCRE2_CASELESS, PCRE2_DOTALL, ...).
  explicit Pcre(std::string_view pattern, uint32_t options = 0);
  ~Pcre();
  Pcre(const Pcre&) = delete;
  Pcre& operator=(const Pcre&) = delete;

  struct Match {
    std::string_view subject;
    std::vector<std::pair<size_t, size_t>> groups;  // [start, end); npos when unset
    bool has(size_t i) const { return i < groups.size() && groups[i].first != std::string_view::npos; }
    std::string_view str(size_t i) const {
      return has(i) ? subject.substr(groups[i].first, groups[i].second - groups[i].first)
                    : std::string_view();
    }
    size_t begin() const { return groups[0].first; }
    size_t end() const { return groups[0].second; }
  };

  // The first match starting at or after byte `from` (look-behinds see the
  // bytes before it).
  bool find(std::string_view subject, size_t from, Match& m, uint32_t match_options = 0) const;
  bool search(std::string_view subject) const {
    Match m;
    return find(subject, 0, m);
  }
  // Perl's s///g (or s/// when !global): each match replaced by fn(match).
  std::string replace(std::string_view subject, const std::function<std::string(const Match&)>& fn,
                      bool global = true) const;

 private:
  pcre2_real_code_8* code_;
};

// Foswiki's name patterns, written for PCRE2 (UCP makes the POSIX classes
// Unicode-aware, as Perl's are).
inline constexpr std::string_view kWikiWord = "[[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*";
inline constexpr std::string_view kAbbrev = "[[:upper:]]{3,}s?\\b";
inline constexpr std::string_view kAnchor = "\\#[[:alnum:]:._]+";
inline constexpr std::string_view kWebName =
    "[[:upper:]]+[[:alnum:]_]*(?:(?:[\\.\\/][[:upper:]]+[[:alnum:]_]*)+)*";
inline constexpr std::string_view kDefaultWebName = "_[[:alnum:]_]+";
inline constexpr std::string_view kLinkProtocols =
    "(?:file|ftp|gopher|https|http|irc|mailto|news|nntp|telnet|tel)";

}  // namespace incl
}  // namespace cwiki

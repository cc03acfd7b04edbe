// Inline TML: emphasis, [[links]], URLs, e-mail addresses and WikiWords
// (internal to src/tml).
//
// Foswiki applies these as a fixed sequence of substitutions over the text
// that the block stage produced (lists, tables and headings already turned
// into HTML); each one sees what the previous ones wrote, which decides,
// for example, that "*http://x*" is bold but not a link.  The renderer keeps
// that order: each step is a scanner that reads one buffer and writes the
// next, in time linear in the buffer (no backtracking; the searches for a
// closing delimiter use tables computed once per step).  The buffer is one
// segment of the output: whole lines, so that every rule that stops at the
// end of a line sees the same text as Foswiki.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tml/render.h"

namespace cwiki::tml {

struct Source;

// Foswiki's {NameFilter}: the characters a topic name may not contain.
class NameFilter {
 public:
  // Parses a Perl character class such as [\s\*?~^\$@%`"'&;|<>\[\]\x00-\x1f]
  // (literal characters, ranges, \s, \xHH and backslash escapes).
  explicit NameFilter(std::string_view cls);
  bool matches(char32_t c) const { return c < 128 ? ascii_matches_[c] : matches_wide(c); }

 private:
  bool matches_wide(char32_t c) const;

  std::array<bool, 128> ascii_{};
  std::array<bool, 128> ascii_matches_{};  // matches() of each ASCII character
  bool space_ = false;
  bool negate_ = false;
  std::vector<std::pair<char32_t, char32_t>> ranges_;  // beyond ASCII
};

// What the link rules need to know about the wiki and the topic.
struct LinkEnv {
  explicit LinkEnv(const RenderContext& c);

  const RenderContext& ctx;
  std::string web, topic;            // the topic being rendered
  std::string base_web, base_topic;  // the topic of the request
  NameFilter filter;
  std::vector<std::string> protocols;  // link protocol names, in match order
  std::array<bool, 256> protocol_start{};  // first bytes of the protocol names
  size_t max_protocol = 0;             // length of the longest protocol name
};

// Emphasis rules (== __ * _ =) applied to `text` on its own, as Foswiki does
// for the text of a [[link][text]].
std::string emphasis_all(std::string_view text);

// Applies one emphasis rule to `in`, writing `out`.
//   delim: "==", "__", "*", "_" or "="
// With `strip`, the delimiters are removed and nothing is added.
// Returns false, leaving `out` alone, when `in` holds no delimiter (the
// result would be `in` itself).
bool emphasis_pass(std::string_view in, std::string& out, std::string_view delim,
                   bool strip = false);

// Protects WikiWords, acronyms, e-mail addresses and "proto:" in link text
// with <nop> so that the later rules leave them alone; appends to `out`.
void escape_auto_links(const LinkEnv& env, std::string_view text, std::string& out);

// [[target]] / [[target][label]]; `label` is null for the first form.
// Appends the link to `out`.
void square_bracket_link(const LinkEnv& env, std::string_view target, const std::string* label,
                         std::string& out);

// An explicit URL (typed-in, or the target of a [[link]]).
std::string external_link(const LinkEnv& env, std::string url, const std::string* text);

// A typed-in e-mail address (with or without mailto:).
std::string mail_link(const LinkEnv& env, std::string_view text);

// A typed-in WikiWord or acronym, with optional web and #anchor; appends to `out`.
void wiki_word_link(const LinkEnv& env, std::string_view web, std::string_view topic,
                    std::string_view anchor, std::string& out);

// Length of the protocol name ("http", ...) that starts at s[i] and is
// followed by ':', or 0.
size_t match_protocol(const LinkEnv& env, std::string_view s, size_t i);

// End of an e-mail address starting at s[i] (0 when there is none).
// With `end_ww`, the address must be followed by what Foswiki's $ENDWW
// accepts, and the longest such address is taken.
size_t match_email(std::string_view s, size_t i, bool end_ww);

// A WikiWord or acronym at s[i], with an optional "Web." (or "Web/Sub.")
// prefix, as the rule for typed-in links reads it.
struct WebWord {
  size_t web_end = 0;     // end of the web part (== word_begin - 1), or i when none
  size_t word_begin = 0;  // the topic
  size_t word_end = 0;    // 0 when nothing matched
  bool abbrev = false;
};
WebWord match_web_word(std::string_view s, size_t i, int acronym_length);

// The inline stage for one segment.
class InlineRenderer {
 public:
  InlineRenderer(const LinkEnv& env, const Source& src, bool autolink);

  // Renders `segment` (whole lines of block-stage output) and appends the
  // result, with lifted blocks put back, to `out`.  `segment` is cleared.
  void render(std::string& segment, std::string& out);

  // After the last segment: closes a <noautolink> left open.
  void finish(std::string& out);
  bool noautolink_open() const { return noautolink_depth_ > 0; }

 private:
  // Each pass reads `in` and writes `out`; one that finds nothing to do
  // returns false without writing `out`.
  bool bang_squab_pass(const std::string& in, std::string& out);
  bool link_pass(const std::string& in, std::string& out);
  bool url_pass(const std::string& in, std::string& out);
  bool email_pass(const std::string& in, std::string& out);
  bool wikiword_pass(const std::string& in, std::string& out);
  void put_back(const std::string& in, std::string& out);

  const LinkEnv& env_;
  const Source& src_;
  bool autolink_;
  bool first_segment_ = true;
  int noautolink_depth_ = 0;
  std::string tail_;  // the last bytes of the previous segment
  std::string a_, b_;
};

}  // namespace cwiki::tml

// The result formatter of FORMAT (and, later, SEARCH): Foswiki::Search's
// formatResults and formatResult.
//
// Each item is a topic ("Web.Topic") or, for FORMAT{type="string"}, a plain
// string.  The format may use, for topics:
//   $web $topic $topic(N[,sep]) $parent $parent(N) $text $locked
//   $date $isodate $longdate $rev $username $wikiname $wikiusername
//   $createdate $createusername $createwikiname $createwikiusername
//   $summary $summary(flags) $changes $changes(N) $formname
//   $formfield(name[, display][, N[, ...]]) $count(re.*) $pattern(re.*)
//   $extract(re.*)
// and for every item $item $index $ntopics $nhits.  Header and footer see
// $web $ntopics $nhits $index.  Tokens a string item cannot fill stay as
// written, as in Foswiki.  The result is not yet passed through the
// standard escapes ($n, $quot, ...): callers do that.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "macros/session.h"

namespace cwiki {

struct FormatItem {
  std::string item;        // what $item shows: "Web.Topic" or the string
  bool is_topic = false;   // web/topic are set and topic tokens apply
  std::string web, topic;
  std::vector<std::string> hit_lines;  // multiple=on: one result per line
};

struct FormatOptions {
  std::optional<std::string> format;     // unset: no result text per item
  std::optional<std::string> header, footer, separator, newline;
  std::optional<std::string> footercounter;  // SEARCH's total line template
  bool nonoise = false;
  bool nototal = false;
  bool expandvariables = false;          // $text has its macros expanded
  bool group_by_web = false;             // SEARCH: header and footer per web
  std::string search_type;               // for summaries
  std::string base_web, base_topic;      // the request's topic (recursion guards)
};

struct FormatOutput {
  std::string text;
  int ntopics = 0;
};

// Formats `items` as Foswiki's formatResults does; linear in the output.
FormatOutput format_results(Session& s, const std::vector<FormatItem>& items, const FormatOptions& o);

// Meta::summariseText with empty or numeric flags: the topic text as plain
// text, cut to 162 (or N) characters, made inert for further rendering.
std::string summarise_text(Session& s, std::string_view web, std::string_view topic,
                           std::string_view text, std::string_view flags);

// Render::protectPlainText: <nop> before WikiWords and acronyms, around @ and %.
std::string protect_plain_text(std::string_view text);

}  // namespace cwiki

// Macro expansion, as Foswiki does it (Foswiki::expandMacros and friends).
//
// %NAME% and %NAME{...}% are expanded inside out and left to right: a call
// is expanded once its closing %, or }%, is reached, by which time the
// macros in its parameters have been expanded.  A name is looked up first
// as a preference (so every setting is a macro), then in the registry of
// macros; %NAME{default="x"}% of an unknown NAME gives x; anything else is
// left as written.  What an expansion produces is expanded in turn, at most
// kMaxDepth levels deep.  <verbatim> blocks are never expanded.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "macros/session.h"

namespace cwiki {

inline constexpr int kMaxDepth = 16;                      // levels of expansion of expansions
inline constexpr size_t kMaxExpansionBytes = 64u << 20;   // produced by macros in one request

// %TOC% is expanded after everything else, over the whole text: its handler
// is registered under this name (which no macro call can spell), and gets the
// text in the attribute "_TEXT" and the instance number in "_INSTANCE".
inline constexpr std::string_view kTocHook = "#TOC";

// Meta::expandMacros: the whole text of `topic`, as the view does it.
std::string expand_macros(Session& s, std::string_view text, const TopicRef& topic);

// Expands the macros of a piece of text in the context of `topic` (no TOC
// pass): what a macro uses for the text it produces.
std::string expand_inner(Session& s, std::string_view text, const TopicRef& topic);

// $n $nop $quot $comma $percent $percnt $lt $gt $amp $dollar, as in
// Foswiki's expandStandardEscapes.
std::string expand_standard_escapes(std::string_view text);

// Foswiki's takeOutBlocks / putBackBlocks for a tag such as "verbatim" (lower case):
// each block becomes a placeholder that nothing else touches.
struct TakenBlock {
  std::string params;  // the opening tag's attributes, as written
  std::string text;
};
using BlockMap = std::vector<std::pair<std::string, TakenBlock>>;
std::string take_out_blocks(std::string_view text, std::string_view tag, BlockMap& map,
                            unsigned& counter);
// `newtag` "" puts back only the contents; otherwise <newtag params>text</newtag>.
std::string put_back_blocks(std::string_view text, BlockMap& map, std::string_view tag,
                            std::optional<std::string_view> newtag = std::nullopt,
                            const std::function<std::string(const std::string&)>& fn = {});

// Foswiki's isTrue: "off", "no", "false" and empty (after trimming) are false.
bool foswiki_is_true(const std::string* value, bool fallback = false);

// Foswiki's _processMacros with the caller's rule for each call: `fn` gets the
// name and the text between the braces (nullopt without braces) and returns
// the expansion, or nullopt to leave the call as written.  Results holding
// further calls are expanded the same way, at most `depth` levels deep.
// Used for expansions other than the view's (e.g. new-topic expansion).
// `tag` and `args` point into the text being expanded: valid during the call.
using CallHandler =
    std::function<std::optional<std::string>(std::string_view tag, std::optional<std::string_view> args)>;
std::string process_macros(Session& s, std::string_view text, const CallHandler& fn,
                           int depth = kMaxDepth);

// One call as the view expands it (Foswiki's _expandMacroOnTopicRendering):
// a preference, a registered macro, or NAME{default="..."}; nullopt when
// nothing defines `tag`.
std::optional<std::string> expand_call(Session& s, std::string_view tag,
                                       std::optional<std::string_view> args, const TopicRef& topic);

}  // namespace cwiki

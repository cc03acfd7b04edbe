// The core macro family (settings, configuration constants, URLs, the
// request, encodings, dates, MAKETEXT, zones) and the helpers behind it that
// other parts of the engine use: Foswiki's getScriptUrl / getPubURL, its
// urlEncode and entityEncode, spaceOutWikiWord, maketext, revision info and
// the rendering of zones at the end of a page.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "macros/session.h"

namespace cwiki {

// ---- names and URLs ---------------------------------------------------------

using UrlParams = std::vector<std::pair<std::string, std::string>>;

// Foswiki's getScriptUrl: the URL of `script` ({ScriptUrlPaths}{script}, or
// {ScriptUrlPath}/script{ScriptSuffix}); no script gives {ScriptUrlPath}.
// With a web or topic, /Web/Topic is added (normalised, url-encoded; a web
// alone adds /Web).  `params` become ?a=b&c=d (encoded, in order); a
// parameter named "#" is the anchor.  The URL is absolute (Session::url_host
// in front) when `absolute` is set, when the session generates absolute URLs
// (Session::absolute_urls, or the context command_line, rss or
// absolute_urls), or when the configured path is already absolute.
std::string get_script_url(const Session& s, bool absolute, std::string_view script,
                           std::string_view web = {}, std::string_view topic = {},
                           const UrlParams& params = {});

// Foswiki's getPubURL (the store's getAttachmentURL): {PubUrlPath}, then
// /Web if a web is given, /Topic if a topic is given too, /attachment if
// also an attachment is given; a topic is normalised with the web first.
std::string get_pub_url(const Session& s, bool absolute, std::string_view web,
                        std::string_view topic = {}, std::string_view attachment = {});

// ---- encodings and words --------------------------------------------------

// Foswiki's entityEncode: control characters other than \n and \r, and
// " % & $ ' * < = > @ [ ] _ | (plus the characters of `extra`) become &#N;.
std::string entity_encode(std::string_view text, std::string_view extra = {});

// ENCODE's predefined encodings by type name (case-insensitive): entity /
// entities, html, quote / quotes, url, off / none, anything else "safe"
// (' " < > % as entities).
std::string encode_as(std::string_view text, std::string_view type);

// Foswiki's spaceOutWikiWord: `sep` between the parts of a WikiWord
// ("WebHome" -> "Web Home", "Item42Fix" -> "Item 42 Fix").
std::string space_out_wiki_word(std::string_view word, std::string_view sep = " ");

// Foswiki's Store::cleanUpRevID: "3" or "1.3" give 3; anything else 0.
int clean_up_rev_id(std::string_view rev);

// English maketext with Locale::Maketext's bracket notation: [_1] inserts
// args[0], [*,_1,noun] / [quant,_1,noun,plural,zero] quantify, [#,_1] /
// [numf,_1] format a number, ~[ ~] ~~ ~, are escapes.  Strings starting with
// '_' are refused, as Foswiki refuses them.  Errors give an inline alert.
std::string maketext(std::string_view text, const std::vector<std::string>& args);

// ---- revisions ---------------------------------------------------------------

// Foswiki's renderRevisionInfo: `format` (default "r$rev - $date - $time -
// $wikiusername") with $web $topic $rev $username $wikiname $wikiusername
// $date $time and the date tokens of format_time, for revision `rev` of the
// topic (0: the latest).  A format without tokens is returned as it is.
std::string render_revision_info(Session& s, const TopicRef& topic, int rev,
                                 std::string_view format);

// ---- zones ------------------------------------------------------------------

// Adds `text` under `id` to `zone` (ADDTOZONE); `requires` is a comma
// separated list of ids that must come first.  An empty id gets a generated
// one; the same id again replaces the earlier text.
void add_to_zone(Session& s, std::string_view zone, std::string_view id, std::string_view text,
                 std::string_view requires_ids = {}, const TopicRef& topic = {});

// How a zone other than head and script is rendered to HTML (the view passes
// its TML renderer; without one such zones stay TML).
using TmlRenderFn = std::function<std::string(std::string_view tml, const TopicRef& topic)>;

// Foswiki's _renderZones, for the very end of a page: every RENDERZONE
// placeholder becomes its zone's content, then what is left of the head and
// script zones goes before </head>; one final newline is removed.  A zone is
// rendered once: later placeholders of the same zone give nothing.
std::string render_zones(Session& s, std::string html, const TmlRenderFn& render = {});

}  // namespace cwiki

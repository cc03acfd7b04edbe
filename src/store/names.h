// Foswiki's naming rules for webs and topics.
//
// These decide which names the wiki accepts before any file is touched.
// They follow Foswiki 2 (Unicode letter classes, hierarchical webs on):
//   web component   [[:upper:]]+[[:alnum:]_]*      e.g. Main, Sandbox, Web_2
//   system web      _[[:alnum:]_]+                  e.g. _default, _empty
//   WikiWord        [[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*
//   acronym         [[:upper:]]{3,}s?               e.g. FAQ, URLs
//   topic           a WikiWord or an acronym; with allow_non_wikiword any
//                   non-empty name free of the characters Foswiki's default
//                   {NameFilter} rejects (space, control, \ * ? ~ ^ $ @ % ` " ' & | < : ; > [ ] #)
// On top of Foswiki's rules every name must be valid UTF-8, must not contain
// '/', '.' (as separators are split off before) or NUL, and is limited in length.
#pragma once

#include <string>
#include <string_view>

namespace cwiki {

inline constexpr size_t kMaxNameBytes = 200;      // one web or topic component
inline constexpr size_t kMaxWebPathBytes = 1000;  // a whole Web/Sub/Sub path
inline constexpr int kMaxWebDepth = 20;           // components in a web path

bool is_wikiword(std::string_view s);

// One component of a web path. allow_system admits the '_' names (_default).
bool is_valid_web_component(std::string_view s, bool allow_system = true);

// A whole web path, components separated by '/' or '.'.
bool is_valid_web_name(std::string_view s, bool allow_system = true);

bool is_valid_topic_name(std::string_view s, bool allow_non_wikiword = true);

// An attachment's file name as the store accepts it: valid UTF-8, not empty,
// no '/', '\\', NUL or control characters, not starting with '.', not ending
// in ",v" or ",pfv", at most kMaxNameBytes.
bool is_valid_attachment_name(std::string_view s);

// Normalises a web path to '/' separators ("Main.Sub" -> "Main/Sub").
std::string normalize_web(std::string_view s);

// Upper-cases an ASCII first letter, as Foswiki does for topic names from a URL.
std::string ucfirst(std::string_view s);

}  // namespace cwiki

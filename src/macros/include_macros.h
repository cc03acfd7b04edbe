// The INCLUDE family's public entry points, for the actions that need them
// (the macros themselves are registered by register_include_macros()).
#pragma once

#include <string>
#include <string_view>

#include "macros/session.h"

namespace cwiki {

// Foswiki's expandNewTopic (Meta::expandNewTopic / expandMacrosOnTopicCreation):
// the text of a template topic as it becomes a new topic's text.
//   * %STARTSECTION{type="templateonly"}%...%ENDSECTION{...}% regions go;
//     the tags of other sections are written back as
//     %STARTSECTION{...}%/%ENDSECTION{...}% with the STARTSECTION's parameters;
//   * %CREATE:NAME% and %CREATE:NAME{...}% expand as %NAME% / %NAME{...}%
//     would in a view; %NOP{...}% goes; every other macro stays as written
//     (with `legacy_subset`, Foswiki's {ExpandSomeMacrosOnTopicCreation},
//     also URLPARAM, DATE, SERVERTIME, GMTIME, USERNAME, WIKINAME,
//     WIKIUSERNAME and USERINFO);
//   * the insides of type="expandvariables" sections are expanded fully, in
//     the context of `topic`, and lose their section tags;
//   * finally every %NOP% goes.
std::string expand_new_topic(Session& s, std::string_view text, const TopicRef& topic,
                             bool legacy_subset = false);

// The same for one META:PREFERENCE value of the new topic (no sections):
// the %CREATE:...% (and legacy) expansion, then %NOP% removal.
std::string expand_new_topic_value(Session& s, std::string_view value, const TopicRef& topic,
                                   bool legacy_subset = false);

}  // namespace cwiki

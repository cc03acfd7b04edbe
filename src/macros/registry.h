// Where the macro families register themselves: register_all_macros() runs
// once per process, before the first request.
#pragma once

namespace cwiki {

void register_all_macros();

// One per family of macros (src/macros/<family>.c++).
void register_core_macros();     // core.c++: settings, URLs, users, encodings, dates, zones
void register_data_macros();     // data.c++: META, FORMFIELD, FORMAT, lists of webs/topics, icons
void register_if_macros();       // if.c++: IF and QUERY with Foswiki's expression language
void register_include_macros();  // include.c++: INCLUDE, sections, TOC
void register_template_macros(); // tmpl.c++: TMPL:P and SEP (skin templates)

}  // namespace cwiki

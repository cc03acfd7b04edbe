// Shared by the files of the core macro family (core*.c++); not for others.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "macros/session.h"

namespace cwiki::core_detail {

// Perl truth of a parameter: set, not empty and not "0".
inline bool perl_true(const std::string* v) { return v && !v->empty() && *v != "0"; }

// Perl's `a || b || fallback` over parameters.
inline std::string first_true(std::initializer_list<const std::string*> values,
                              std::string_view fallback) {
  for (const std::string* v : values)
    if (perl_true(v)) return *v;
  return std::string(fallback);
}

// Foswiki's normalizeWebTopicName without the %USERSWEB% replacement (the
// callers' parameters are expanded already): "Web.Topic" or "Web/Topic" in
// `topic` overrides `web`; an empty (or "0") web is {UsersWebName}, topic
// {HomeTopicName}; '.' in the web becomes '/'.
std::pair<std::string, std::string> normalize_web_topic(const Config& cfg, std::string_view web,
                                                        std::string_view topic);

// The text of one of Foswiki's inline alerts (templates/messages.tmpl) for
// the messages the core macros use, wrapped as Foswiki's inlineAlert does.
std::string alert(std::string_view def, const std::vector<std::string>& params = {});

// May the session's user view this topic?
bool can_view(Session& s, std::string_view web, std::string_view topic, const TopicDoc& doc);

void register_setting_macros();
void register_url_macros();
void register_request_macros();
void register_encoding_macros();
void register_date_macros();
void register_zone_macros();

}  // namespace cwiki::core_detail

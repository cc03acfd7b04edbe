// Template definitions for the data macros (icons, form and attachment
// tables, the web list indent, inline alerts), through the template module
// (tmpl/templates.h), with the few definitions a standard installation's
// templates give as fallbacks when the site has no templates directory.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "macros/session.h"

namespace cwiki {

// Foswiki's readTemplate(file) then expandTemplate(def): the expansion of
// block `def` after template `file` (and what it includes) has been read
// into the request's template database; nullopt when the block is unknown.
std::optional<std::string> data_template(Session& s, std::string_view file, std::string_view def);

// Foswiki's inlineAlert("alerts", def, params...): template oopsalerts with
// block `def` instantiated; `fallback` (in a foswikiAlert span) when the
// templates are not available.
std::string data_alert(Session& s, std::string_view def, const std::vector<std::string>& params,
                       std::string_view fallback);

}  // namespace cwiki

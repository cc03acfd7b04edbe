// The wiki's actions (Foswiki's scripts): one function each.
#pragma once

#include <string_view>

#include "actions/context.h"
#include "http/message.h"

namespace cwiki {

using ActionFn = Response (*)(const Context&);

// The function answering `name`, or nullptr when this release does not have it.
ActionFn find_action(std::string_view name);

// True for the names of Foswiki's scripts (view, edit, save, attach, ...),
// implemented here or not.
bool is_foswiki_action(std::string_view name);

Response view_action(const Context& ctx);

}  // namespace cwiki

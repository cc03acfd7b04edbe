#include "actions/actions.h"

namespace cwiki {

ActionFn find_action(std::string_view name) {
  if (name == "view") return &view_action;
  return nullptr;
}

bool is_foswiki_action(std::string_view name) {
  static constexpr std::string_view kScripts[] = {
      "attach",   "changes",  "compare",     "compareauth", "configure", "edit",
      "jsonrpc",  "login",    "logon",       "manage",      "oops",      "preview",
      "previewauth", "rdiff", "rdiffauth",   "register",    "rename",    "resetpasswd",
      "rest",     "restauth", "save",        "search",      "statistics", "upload",
      "view",     "viewauth", "viewfile",    "viewfileauth"};
  for (auto s : kScripts)
    if (s == name) return true;
  return false;
}

}  // namespace cwiki

#include "macros/data_templates.h"

#include <unordered_map>

#include "macros/data_util.h"
#include "tmpl/templates.h"

namespace cwiki {
namespace {

// What a standard installation's templates give, for sites (and tests)
// without a templates directory.
std::optional<std::string> builtin(std::string_view file, std::string_view def) {
  if (file == "icons" && def == "icon:image")
    return std::string(
        "<span class='foswikiIcon'><img src='%URL%' width='%WIDTH%' height='%HEIGHT%' "
        "alt='%ALT%' /></span>");
  if (file == "foswiki" && def == "webListIndent")
    return std::string("<span class='foswikiWebIndent'></span>");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> data_template(Session& s, std::string_view file, std::string_view def) {
  Templates& t = templates_of(s);
  // Reading `file` again would define the same blocks again: skip it while
  // no definition has changed since it was read.
  struct Read {
    unsigned long long generation;
    bool found;
  };
  auto& reads = s.memo<std::unordered_map<std::string, Read>>("data:template-reads");
  auto [it, fresh] = reads.try_emplace(std::string(file) + '\x1f' + skin_path(s), Read{0, false});
  if (fresh || it->second.generation != t.generation()) {
    it->second.found = t.define(file);
    it->second.generation = t.generation();
  }
  bool found = it->second.found;
  if (!t.have(def)) return found ? std::nullopt : builtin(file, def);
  std::string params = "\"";
  for (char c : def) {
    if (c == '"') params += "\\\"";
    else params.push_back(c);
  }
  params += "\"";
  return t.expand(params);
}

std::string data_alert(Session& s, std::string_view def, const std::vector<std::string>& params,
                       std::string_view fallback) {
  TopicRef where = s.base;
  if (auto text = oops_text(s, "alerts", def, params, where)) return *text;
  return inline_alert(fallback);
}

}  // namespace cwiki

// The macros of the skin template language: %TMPL:P{...}% and %SEP%.
//
// TMPL:P calls with a context="..." are left in a template when it is read
// (the contexts are not all known then); they are expanded here, with the
// page.  %SEP% is %TMPL:P{"sep"}% (" | " unless the skin defines "sep").
#include "macros/registry.h"
#include "macros/session.h"
#include "tmpl/templates.h"
#include "util/escape.h"

namespace cwiki {

void register_template_macros() {
  register_macro("TMPL:P", [](Session& s, const Attrs& attrs, const TopicRef&)
                               -> std::optional<std::string> {
    Templates& t = templates_of(s);
    std::string out = t.tmpl_p(attrs);
    if (!t.error().empty() && out.empty())
      return "<span class=\"foswikiAlert\">Template expansion stopped (" + t.error() +
             "): " + html_escape(t.error_param()) + "</span>";
    return out;
  });
  register_macro("SEP", [](Session& s, const Attrs&, const TopicRef&)
                            -> std::optional<std::string> { return expand_template(s, "sep"); });
}

}  // namespace cwiki

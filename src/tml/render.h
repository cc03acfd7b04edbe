// TML (Topic Markup Language) to HTML.
//
// This is the first renderer: it covers the everyday markup (paragraphs,
// headings, lists, tables, rules, emphasis, verbatim, links and WikiWords)
// in one pass over the lines, and passes embedded HTML through as Foswiki
// does.  Macros are left as written.
#pragma once

#include <string>
#include <string_view>

namespace cwiki {

// What the renderer needs to know about the wiki; it touches no files itself.
class LinkResolver {
 public:
  virtual ~LinkResolver() = default;
  virtual bool topic_exists(std::string_view web, std::string_view topic) const = 0;
  virtual std::string view_url(std::string_view web, std::string_view topic) const = 0;
  virtual std::string edit_url(std::string_view web, std::string_view topic) const = 0;
};

// Renders `text` (the topic text without META) as seen from topic web.topic.
std::string render_tml(std::string_view text, std::string_view web, std::string_view topic,
                       const LinkResolver& links);

}  // namespace cwiki

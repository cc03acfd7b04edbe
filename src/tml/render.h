// TML (Topic Markup Language) to HTML, as Foswiki's renderer does it.
//
// The renderer works on text whose macros are already expanded, and produces
// the HTML Foswiki's Render.pm produces for it (before the view script's final
// clean-up, so <nop> markers are still present).  It touches no files: what it
// needs to know about the wiki (does a topic exist, what are its URLs, what is
// a preference's value) comes through RenderContext.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cwiki {

// What the renderer asks the wiki.
class LinkResolver {
 public:
  virtual ~LinkResolver() = default;
  virtual bool topic_exists(std::string_view web, std::string_view topic) const = 0;
  virtual bool web_exists(std::string_view web) const { return true; }
  // The view URL of a topic (path only, e.g. /foswiki/bin/view/Web/Topic).
  virtual std::string view_url(std::string_view web, std::string_view topic) const = 0;
  // The URL that creates a missing topic (edit script, with topicparent=).
  virtual std::string edit_url(std::string_view web, std::string_view topic) const = 0;
};

// Site settings that change what the renderer writes (Foswiki's {...} config).
struct RenderOptions {
  std::string email_padding;         // {AntiSpam}{EmailPadding}
  bool entity_encode_email = true;   // {AntiSpam}{EntityEncode}
  bool hide_user_details = true;     // {AntiSpam}{HideUserDetails}
  bool allow_inline_script = true;   // {AllowInlineScript}
  bool require_compatible_anchors = false;  // {RequireCompatibleAnchors}
  int acronym_length = 3;            // {AcronymLength}
  std::string users_web = "Main";    // {UsersWebName}
  std::string system_web = "System";  // {SystemWebName}
  std::string home_topic = "WebHome";  // {HomeTopicName}
  std::string pub_url_path = "/foswiki/pub";  // {PubUrlPath}
  // {NameFilter}: a Perl character class of the characters a topic name may
  // not hold; [[spaced words]] turn runs of them into spaces.
  std::string name_filter = R"([\\\s\*?~^\$@%`"'&|<:;>\[\]#\x00-\x1f])";
  bool plural_to_singular = true;    // {PluralToSingular}
  // {LinkProtocolPattern}, without the parentheses: the URL schemes that are
  // linked when typed in.
  std::string link_protocols = "file|ftp|gopher|https|http|irc|mailto|news|nntp|telnet|tel";
};

struct RenderContext {
  std::string web;    // the topic being rendered
  std::string topic;
  // The topic of the request (Foswiki's BASEWEB/BASETOPIC): links to it get
  // class foswikiCurrentTopicLink, links to its web's home topic
  // foswikiCurrentWebHomeLink.  Empty means the same as web/topic.
  std::string base_web;
  std::string base_topic;
  // Without a resolver no topic exists and links have empty URLs.
  const LinkResolver* links = nullptr;
  RenderOptions options;
  // Preference values the renderer consults (NOAUTOLINK for render_tml,
  // WIKITOOLNAME for tml_to_plain); nullopt when a preference is not set.
  std::function<std::optional<std::string>(std::string_view)> pref;
};

// Renders `text` (the topic text, macros already expanded) to HTML.
// Preferences read through ctx.pref: NOAUTOLINK (a true value turns off
// WikiWord linking).  Time and memory are linear in the size of `text`.
std::string render_tml(std::string_view text, const RenderContext& ctx);

// The anchor name Foswiki makes from a heading's text (Foswiki::Render::Anchors::make).
// Headings rendered by render_tml get this name, made unique within the
// topic with _AN1, _AN2, ...  (`compatible` is accepted and ignored: the
// extra anchors of {RequireCompatibleAnchors} are not produced.)
std::string make_anchor(std::string_view heading_text, bool compatible = false);

// TML to plain text (Foswiki's TML2PlainText); `opts` is its option string
// ("showvar", "nohead", "showmeta"; "expandvar" is treated as absent, since
// the renderer does not expand macros).
std::string tml_to_plain(std::string_view text, const RenderContext& ctx,
                         std::string_view opts = {});

}  // namespace cwiki

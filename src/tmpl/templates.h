// Foswiki's skin template language (Foswiki::Templates) and the skin path.
//
// A template file is plain text with directives:
//   %TMPL:INCLUDE{"name"}%      the text of another template, found by name
//   %TMPL:DEF{"name" p="d"}% ... %TMPL:END%
//                               a named block (p: a parameter with default d)
//   %TMPL:P{"name" p="v"}%      the block, with %p% replaced by v
//   %TMPL:P{context="a, b" then="x" else="y"}%
//                               block x when every context is set, else y
//   %TMPL:PREV%                 inside a DEF: the previous definition
//   %{ comment }%               removed with the white space around it
// Blocks are defined per request: a later definition of a name replaces the
// earlier one, which stays reachable as "name:_PREV".
//
// Finding a template by name follows Foswiki's {TemplatePath} (default):
//   $TemplateDir/$web/$name.$skin.tmpl   $TemplateDir/$name.$skin.tmpl
//   $web.$skinSkin$nameTemplate          System.$skinSkin$nameTemplate
//   $TemplateDir/$web/$name.tmpl         $TemplateDir/$name.tmpl
//   $web.$nameTemplate                   System.$nameTemplate
// The entries that mention $skin come first, for each skin of the skin path
// in turn; the others follow.  Topic entries use the web and name with a
// capital first letter, and need VIEW access.  A name ending in ".tmpl" is
// read from the template directory only; a "Web.Topic" name that exists is
// that topic.  A file (or topic) already read by the same read_template is
// skipped, so that view.myskin.tmpl can include "view" to extend the next one.
//
// $TemplateDir stands for each template directory in turn: the site's
// (Config::templates()), then the project's own skin (Config::skin_dir,
// share/templates).
//
// Caches, per process: template files, keyed by path and checked with
// stat() on every use; each template parsed (its definitions and text, with
// its includes resolved) by name, skin path and web; and the outcome of a
// request's first read_template (its text and the definitions it leaves) by
// name, skin path, web and contexts.  The last two are used again once every
// file they looked at (found or not) has the same stat() and every topic
// they looked for is still missing; reads that used a topic as a template
// are not kept.  Within a request, a template read again is not looked up
// again.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "macros/attrs.h"
#include "macros/session.h"
#include "store/cache.h"

namespace cwiki {

// Limits.  Foswiki stops after 999 nested expansions of one block; the
// others have no counterpart in Foswiki and only stop runaway templates.
inline constexpr int kMaxTemplateRecursion = 999;      // nested TMPL:P of one name (and in all)
inline constexpr int kMaxIncludePasses = 32;           // rounds of TMPL:INCLUDE resolution
inline constexpr size_t kMaxTemplateBytes = 16u << 20; // text of one read_template
inline constexpr size_t kMaxTemplateOutput = 64u << 20;  // produced by TMPL:P in one request
inline constexpr size_t kMaxPrevChain = 100;           // kept "name:_PREV..." definitions

// The template database of one request (Foswiki's Foswiki::Templates object):
// the blocks defined so far and the expansion state.  Get it with
// templates_of(session); it lives as long as the session.
class Templates {
 public:
  explicit Templates(Session& s);

  // Foswiki's readTemplate: finds `name`, resolves its TMPL:INCLUDEs,
  // records its TMPL:DEFs (replacing earlier ones) and returns the rest of
  // the text with every TMPL:P expanded, except those with a context="..."
  // or spread over several lines (expanded later as macros, with the page).
  // Blocks are expanded with the session's contexts as they are now.  Other
  // macros are left alone; runs of three leading spaces become tabs.
  // `skins` empty: skin_path(session); `web` empty: the session's base web.
  // nullopt when no template of that name is found.
  std::optional<std::string> read(std::string_view name, std::string_view skins = {},
                                  std::string_view web = {});

  // As read(), for the definitions only: the template's text is neither
  // expanded nor returned (cheaper when only its blocks are wanted, e.g.
  // "formtables" for FORM:display:row).  False when it is not found.
  bool define(std::string_view name, std::string_view skins = {});

  // Foswiki's tmplP: the expansion of block attrs._DEFAULT (or of then/else
  // by context), with its parameters substituted and TMPL:P inside expanded.
  // "" for an unknown block.
  std::string tmpl_p(const Attrs& attrs);

  // Foswiki's expandTemplate: tmpl_p of the parameters of a TMPL:P call,
  // e.g. "sep" or "\"x\" context=\"view\" then=\"a\"".
  std::string expand(std::string_view params);

  // True when block `name` is defined.
  bool have(std::string_view name) const;

  // Changes whenever a definition is made or replaced: equal values mean
  // the same blocks.
  unsigned long long generation() const { return generation_; }

  // Why expansion stopped in this request ("" when it did not), e.g.
  // "template_recursion" with error_param() the block's name.  Foswiki shows
  // an oops page (attention, def template_recursion) in that case.
  const std::string& error() const { return error_; }
  const std::string& error_param() const { return error_param_; }

 private:
  // The definitions of one name and of its "name:_PREV..." predecessors:
  // defs.back() is "name", the one before it "name:_PREV", and so on (a
  // redefinition is a push_back).  Unset places are nullopt.
  struct Chain {
    std::vector<std::optional<std::string>> defs;  // short: at most kMaxPrevChain + 1
    size_t falsy = 0;  // places that are unset, "" or "0"
  };
  using Params = std::vector<std::pair<std::string, std::string>>;  // defaults, in order
  struct Defs {
    std::unordered_map<std::string, Chain> chains;   // by name without ":_PREV"s
    std::unordered_map<std::string, Params> params;  // by full name
  };
  struct Deps;        // what a parse looked at, to check a cached outcome
  struct Parsed;      // a template's definitions and text, before they are applied
  struct CachedRead;  // a first read()'s outcome, kept for the next requests
  struct MergedDefs;  // a cached read's definitions plus one define()'s
  static StatCache<CachedRead>& read_cache();
  static StatCache<Parsed>& parse_cache();
  static StatCache<MergedDefs>& merge_cache();

  std::string parse_key(std::string_view name, const std::string& skins,
                        const std::string& web) const;
  std::shared_ptr<const Parsed> parse(std::string_view name, const std::string& skins,
                                      const std::string& web, const std::string& key);
  std::string apply(const Parsed& p, bool expand_text = true);
  // base_ with vars_ laid over it, as one shared (and cacheable) set that
  // becomes base_; vars_ is emptied.
  std::shared_ptr<const Defs> fold_definitions();
  std::optional<std::string> read_file(std::string name, std::string_view skins,
                                       std::string_view web);
  std::optional<std::string> read_topic_template(const std::string& web,
                                                 const std::string& topic, bool mark);
  bool topic_exists(const std::string& web, const std::string& topic);
  enum class Found { missing, unreadable, ok };
  Found load(const std::string& path, std::shared_ptr<const std::string>& text);
  void note_dir(std::string_view path);
  bool still_valid(const Deps& d) const;
  const std::optional<std::string>* find_text(const std::string& name, bool* exists) const;
  const Params* find_params(const std::string& name) const;
  Chain& chain_for_write(const std::string& base);
  void store_def(const std::string& name, std::string value);
  void set_param(const std::string& name, const std::string& p, const std::string& v);
  std::string expand_calls(std::string_view text, bool only_trivial);
  void fail(const char* what, const std::string& param);

  Session& s_;
  // The definitions: those of a cached first read (shared, immutable), under
  // the ones made since (copied on write, a whole name at a time).
  std::shared_ptr<const Defs> base_;
  Defs vars_;
  bool pristine_ = true;  // nothing read yet: a cached first read may be used
  Deps* deps_ = nullptr;  // recording what a parse looks at
  // Templates parsed by this request, by name, skins and web: read again
  // without looking at the disk.
  std::unordered_map<std::string, std::shared_ptr<const Parsed>> parsed_;
  std::unordered_map<std::string, int> recursions_;
  std::unordered_set<std::string> files_;  // read by the current read()
  int depth_ = 0;
  size_t produced_ = 0;
  unsigned long long generation_ = 0;
  std::string error_, error_param_;
};

// The request's template database (created on first use).
Templates& templates_of(Session& s);

// Foswiki's getSkin: the skin path, comma-separated: the cover= URL
// parameter, the COVER preference, then the skin= URL parameter or, when it
// is empty, the SKIN preference.  Only letters, digits, '.', ',' and white
// space are taken from each.
std::string skin_path(Session& s);

// Shorthands for templates_of(s).read(...) / .expand(...).
std::optional<std::string> read_template(Session& s, std::string_view name,
                                         std::string_view skins = {});
std::string expand_template(Session& s, std::string_view params);

// The name of the template the view action reads, as Foswiki's view chooses
// it: "TopicDoesNotExistView" for a missing topic; otherwise the template=
// URL parameter, the VIEW_TEMPLATE preference, or "view"; always "view"
// for raw=on, raw=all and raw=debug.
std::string view_template_name(const Session& s, bool topic_exists, std::string_view raw);

// The view's template text: the template view_template_name() names or,
// when it does not exist, "view".  nullopt when neither exists (Foswiki then
// shows the attention oops page, def no_such_template, params name and
// VIEW_TEMPLATE).  Enter the request's contexts (view, inactive, new_topic,
// ...) before calling: blocks are expanded while the template is read.
std::optional<std::string> read_view_template(Session& s, bool topic_exists,
                                              std::string_view raw);

// The tokens Foswiki's view replaces in its template before anything is
// expanded: %REVTITLE% by `rev_title` ("(r3)" when an earlier revision is
// shown, else ""), %REVARG% by `rev_arg` ("&rev=3" or ""), %REVISIONS% by
// `revisions` when given; and, when `indexable` (the topic exists, no raw
// view, no URL parameters, robots welcome), each <meta name="robots" ...>
// tag is removed.
void substitute_view_tokens(std::string& tmpl, std::string_view rev_title,
                            std::string_view rev_arg, bool indexable,
                            const std::string* revisions = nullptr);

// The view's split of its template around %TEXT%, as Foswiki's view does:
// `header` before the last %TEXT%, `footer` after it, `body` = `text`.
// %STARTTEXT% (in the header) and %ENDTEXT% (in the footer) move the part
// between them and %TEXT% into the body.  Without %TEXT%, the template is
// the header (unless %STARTTEXT% splits it) and the body is empty.
// Each part is then expanded and rendered on its own, with the context
// header_text, body_text or footer_text entered.
struct ViewParts {
  std::string header, body, footer;
};
ViewParts split_view_template(std::string_view tmpl, std::string_view text);

// An oops page's text (Foswiki's oops script), ready to be rendered as TML
// in the context of `topic`: template "oops" + `tmpl` (e.g. "accessdenied";
// `tmpl` itself when it already starts with "oops"; "oops" when empty),
// with %INSTANTIATE% replaced by block `def` (when not empty), its macros
// expanded, %PARAM1%, %PARAM2%, ... replaced by `params` (entity-encoded),
// the missing ones removed, and macros expanded again.  nullopt when the
// template does not exist.
std::optional<std::string> oops_text(Session& s, std::string_view tmpl, std::string_view def,
                                     const std::vector<std::string>& params,
                                     const TopicRef& topic);

// Foswiki's entityEncode: control characters (but \n and \r) and
// " % & $ ' * < = > @ [ _ | become numeric entities.
std::string entity_encode(std::string_view s);

// The directories $TemplateDir stands for, in order: the site's template
// directory, then cfg.skin_dir when set.
std::vector<std::string> template_dirs(const Config& cfg);

}  // namespace cwiki

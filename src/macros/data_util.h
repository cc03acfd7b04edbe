// Helpers shared by the data macros (META, FORMFIELD, FORMAT, lists of webs
// and topics, icons, users and groups): name normalisation, the request's
// user, access checks, dates, and small pieces of Foswiki's rendering code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "auth/users.h"
#include "macros/session.h"
#include "store/meta.h"

namespace cwiki {

// Foswiki's normalizeWebTopicName: "Web.Topic", "Web/Sub.Topic" or "Topic"
// (in `default_web`); %USERSWEB%, %MAINWEB%, %SYSTEMWEB%, %WEB% and
// %HOMEWEB% in the web part are replaced; web separators become '/'; an
// empty topic is the home topic; a missing web is the users web.
std::pair<std::string, std::string> normalize_web_topic(const Session& s, std::string_view default_web,
                                                        std::string_view name);

// The request's users directory, created on first use and kept in the Session.
Users& users_of(Session& s);
// The cUID of the request's user (Session::cuid resolved through its login).
std::string current_cuid(Session& s);

// May the request's user access web.topic in `mode` (VIEW, CHANGE, ...)?
// `doc` is the topic (nullptr: read it; a topic that does not exist is
// judged by its web's settings alone); an empty `topic` asks about the web.
// The admin may do everything; the guest is judged by auth/access.h; other
// users by the same rules with their groups resolved.
bool may_access(Session& s, std::string_view mode, std::string_view web, std::string_view topic,
                const TopicDoc* doc = nullptr);
// The same for a snapshot of the store (nullptr: the topic does not exist);
// the answer is remembered for the request.
bool may_access(Session& s, std::string_view mode, std::string_view web, std::string_view topic,
                const TopicPtr& snap);

// The value of setting `name` for web `web` (DefaultPreferences, the site
// preferences and the WebPreferences of the web and its parents, with
// FINALPREFERENCES honoured); "" when unset.
std::string web_preference(Session& s, std::string_view web, std::string_view name);
// The same as a pointer into a level the session keeps (nullptr when unset);
// without `site_levels`, only the WebPreferences (Foswiki's preferences of a
// web object, as VAR reads them).
const std::string* web_setting(Session& s, std::string_view web, std::string_view name,
                               bool site_levels = true);

// An inline error as Foswiki's inlineAlert prints it.
std::string inline_alert(std::string_view message);

// Foswiki::Time::formatTime (GMT): $seconds $minutes $hours $day $wday $dow
// $week $we $month $mo $year $ye $epoch $tz $isotz, and the composites $rcs
// $http $email $iso $longdate; an empty format is $longdate.
std::string format_time(long long epoch, std::string_view format);

// !WikiWord becomes <nop>WikiWord (Foswiki's rendering of "nop" marks in values).
std::string nop_bang_wikiwords(std::string_view text);

// Foswiki::Render::breakName: "N" hyphenates every N characters with "- ",
// "N, ..." shortens to N characters and appends "...".
std::string break_name(std::string_view text, std::string_view args);

// The value of a Foswiki token "$name" or "$name()" at text[i] ('$' at i):
// the length of the token, or 0 when `name` does not follow.
size_t token_at(std::string_view text, size_t i, std::string_view name, bool allow_parens = true);

// Replaces each token of `text` that `match` recognises with `value`:
// match(text, i), called at each '$', gives the token's length there (0: none).
template <class Match>
std::string replace_tokens(std::string_view text, Match match, std::string_view value) {
  std::string out;
  out.reserve(text.size());
  size_t done = 0;
  for (size_t i = text.find('$'); i != std::string_view::npos; i = text.find('$', i + 1)) {
    if (size_t n = match(text, i)) {
      out.append(text.substr(done, i - done)).append(value);
      done = i + n;
      i = done - 1;
    }
  }
  return out.append(text.substr(done));
}

// Replaces $name (and $name() when allow_parens) by `value` everywhere.
std::string replace_token(std::string_view text, std::string_view name, std::string_view value,
                          bool allow_parens = false);

// Splits Foswiki style "a, b,c" (at commas followed by optional white space;
// trailing empty items dropped, as Perl's split does).
std::vector<std::string> split_comma_list(std::string_view s);

}  // namespace cwiki

// Access control: the one place every action asks "may this user do that?".
//
// Users and login come with a later release; until then every request is the
// guest user (WikiGuest), and the rules are evaluated for the guest as Foswiki
// does: DENYTOPIC<MODE> / ALLOWTOPIC<MODE> from the topic itself, then
// DENYWEB<MODE> / ALLOWWEB<MODE> from the web's preferences (System's
// DefaultPreferences, the site preferences, each parent web's and the web's
// WebPreferences, honouring FINALPREFERENCES).
//
// Group membership is not resolved yet, so the decision errs on the safe side:
// a group in a DENY list is taken to include the guest, a group in an ALLOW
// list is taken not to.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "site/config.h"
#include "store/meta.h"
#include "store/store.h"

namespace cwiki {

struct AccessDecision {
  bool allowed = true;
  std::string reason;  // why access was denied, for the error page and the log
};

// `mode` is VIEW, CHANGE, RENAME, ...
AccessDecision guest_access(const Store& store, const Config& cfg, std::string_view mode,
                            std::string_view web, const TopicDoc& topic);
// The same for a snapshot of the store (nullptr: a topic that does not
// exist, judged by its web alone); its settings are parsed once per snapshot.
AccessDecision guest_access(const Store& store, const Config& cfg, std::string_view mode,
                            std::string_view web, const TopicPtr& topic);

// The topic's own DENYTOPIC<mode> / ALLOWTOPIC<mode> (nullopt when not set).
struct TopicAcl {
  std::optional<std::string> deny, allow;
};
TopicAcl topic_acl(const TopicDoc& doc, std::string_view mode);
TopicAcl topic_acl(const TopicPtr& snap, std::string_view mode);

}  // namespace cwiki

// The query Host of a request: evaluation as IF, QUERY and SEARCH see it,
// over a macro Session (URL parameters, preferences, context flags, macro
// expansion for `$`, the user, access rights, groups).
//
// Users and groups come from the request's directory (auth/users.h, through
// users_of() in macros/data_util.h), access rights from may_access() there.
#pragma once

#include <memory>
#include <string>

#include "macros/session.h"
#include "query/eval.h"

namespace cwiki::query {

class SessionHost : public Host {
 public:
  explicit SessionHost(Session& s);
  ~SessionHost() override;

  // As Host::load, but a topic the user may not VIEW looks like a missing
  // one (Foswiki itself reads any topic here; the engine does not leak).
  std::shared_ptr<const TopicObject> load(std::string_view web, std::string_view topic) override;
  std::string base_web() override;
  std::string users_web() override;
  std::string system_web() override;
  std::string home_topic() override;
  Value config(std::string_view key) override;

  const std::string* url_param(std::string_view name) override;
  std::optional<std::string> preference(std::string_view name, const TopicObject& tom) override;
  std::optional<std::string> session_preference(std::string_view name) override;
  bool macro_exists(std::string_view name) override;
  std::string context(std::string_view name) override;
  std::string expand(std::string_view text, const TopicObject& tom) override;
  bool allows(std::string_view mode, std::string_view web, std::string_view topic) override;
  std::string canonical_user(std::string_view identifier) override;
  bool is_in_group(std::string_view cuid, std::string_view group) override;

  // The session's topic as a query's topic object (latest revision).
  std::shared_ptr<const TopicObject> topic(const TopicRef& t);

 private:
  Session& s_;
};

}  // namespace cwiki::query

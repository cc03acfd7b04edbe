// Maps a request URL to an action and a web/topic, the way Foswiki does:
//   <script path>/<action>/<Web>/<Topic>      /foswiki/bin/view/Main/WebHome
//   <view path>/<Web>/<Topic>                 /foswiki/Main/WebHome (short URL)
//   <view path>/<Web>/                        the web's home topic
//   <view path>/                              the default web's home topic
//   Web/SubWeb/Topic, Web.Topic, Web/SubWeb.Topic
// A `topic=` parameter overrides the path (`topic=Web.Topic` or `topic=Topic`).
// When the last component names both a topic and a subweb, the topic wins
// unless the path ends in '/'.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"
#include "site/config.h"

namespace cwiki {

// Existence checks the router needs to tell a topic from a subweb.
class NameOracle {
 public:
  virtual ~NameOracle() = default;
  virtual bool web_exists(std::string_view web) const = 0;
  virtual bool topic_exists(std::string_view web, std::string_view topic) const = 0;
};

struct Route {
  int status = 0;       // 0: routed; otherwise the HTTP status to answer with
  std::string message;  // what went wrong, in words for the user (not escaped)
  std::string action;   // "view", "edit", ...
  std::string web;      // '/'-separated, e.g. "Sandbox/Sub"
  std::string topic;
  bool short_url = false;  // reached through the short view URL

  bool ok() const { return status == 0; }
};

Route route(const Config& cfg, std::string_view path, const Params& params,
            const NameOracle& names);

}  // namespace cwiki

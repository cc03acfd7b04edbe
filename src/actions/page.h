// The HTML page around what an action produces: a minimal layout until the
// template engine and skins take over.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"
#include "site/config.h"

namespace cwiki {

struct Page {
  std::string web;    // empty for pages that belong to no web
  std::string topic;  // empty for pages that belong to no topic
  std::string title;  // plain text
  std::string body_html;
  std::string actions_html;  // links shown under the topic
};

std::string render_page(const Config& cfg, const Page& page);

// A complete error page with `status`; `message` is plain text.
Response error_response(const Config& cfg, int status, std::string_view title,
                        std::string_view message, std::string_view web = {},
                        std::string_view topic = {});

}  // namespace cwiki

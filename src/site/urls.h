// URLs the wiki generates for its own pages.
#pragma once

#include <string>
#include <string_view>

#include "site/config.h"

namespace cwiki {

// <script path>/<action>/<Web>/<Topic>, each name %-encoded.
std::string script_url(const Config& cfg, std::string_view action, std::string_view web = {},
                       std::string_view topic = {});
// The view URL: the short form when short URLs are on.
std::string view_url(const Config& cfg, std::string_view web, std::string_view topic);
std::string pub_url(const Config& cfg, std::string_view web, std::string_view topic,
                    std::string_view file);

}  // namespace cwiki

// What an action gets to answer one request.
#pragma once

#include <vector>

#include "http/message.h"
#include "http/router.h"
#include "site/config.h"
#include "site/log.h"
#include "store/store.h"

namespace cwiki {

struct Context {
  const Config& cfg;
  const Store& store;
  const Request& req;
  const Params& params;
  const std::vector<Upload>& uploads;
  const Route& route;
  Log& log;
};

}  // namespace cwiki

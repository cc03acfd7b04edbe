// The wiki engine of one site: configuration plus the shared state every
// request reads.  One Engine serves many threads at once; handle() is const
// and thread-safe.
#pragma once

#include "http/message.h"
#include "site/config.h"
#include "site/log.h"
#include "store/fs.h"
#include "store/store.h"

namespace cwiki {

class Engine {
 public:
  // `fs` is the file system the store reads through (a fake one in tests).
  explicit Engine(Config cfg, const Fs& fs = posix_fs());

  // Answers one request.  Never throws: an unexpected failure becomes a 500
  // page and a log line.
  Response handle(const Request& req, Log& log) const;

  const Config& config() const { return cfg_; }

 private:
  Response dispatch(const Request& req, Log& log) const;

  Config cfg_;
  Store store_;
};

}  // namespace cwiki

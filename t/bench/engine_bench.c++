// In-process view benchmark: Engine::handle for one URL, many times, without
// Apache, to show where the engine's own time goes (run it under
// valgrind --tool=callgrind or perf for a profile).
//
//   build/bench/engine_bench ROOT SKIN_DIR PATH [N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "site/engine.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: engine_bench ROOT SKIN_DIR PATH [N]\n");
    return 2;
  }
  cwiki::Config cfg;
  cfg.root = argv[1];
  cfg.skin_dir = argv[2];
  cwiki::Engine engine(cfg);
  cwiki::NullLog log;
  cwiki::Request req;
  req.path = argv[3];
  req.headers.emplace_back("host", "127.0.0.1");
  int n = argc > 4 ? std::atoi(argv[4]) : 200;
  cwiki::Response first = engine.handle(req, log);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) engine.handle(req, log);
  auto t1 = std::chrono::steady_clock::now();
  double ms = std::chrono::duration<double, std::milli>(t1 - t0).count() / n;
  std::printf("%s: status %d, %zu bytes, %.3f ms per request (%d requests)\n", argv[3], first.status,
              first.body.size(), ms, n);
  return 0;
}

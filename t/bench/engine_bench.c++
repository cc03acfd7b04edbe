// In-process view benchmark: Engine::handle for one URL, many times, without
// Apache: the engine's own time per request, as wall time and as the CPU
// time the process used (user + system, from getrusage), which a busy
// machine inflates less.  Run it under valgrind --tool=callgrind or perf for
// a profile.
//
//   build/bench/engine_bench ROOT SKIN_DIR PATH [N]
#include <sys/resource.h>

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
  auto cpu_ms = [] {
    struct rusage ru;
    ::getrusage(RUSAGE_SELF, &ru);
    auto ms = [](const struct timeval& tv) { return tv.tv_sec * 1e3 + tv.tv_usec / 1e3; };
    return ms(ru.ru_utime) + ms(ru.ru_stime);
  };
  double c0 = cpu_ms();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) engine.handle(req, log);
  auto t1 = std::chrono::steady_clock::now();
  double cpu = (cpu_ms() - c0) / n;
  double ms = std::chrono::duration<double, std::milli>(t1 - t0).count() / n;
  std::printf("%-40s status %d, %6zu bytes: %.3f ms wall, %.3f ms CPU per request (%d requests)\n",
              argv[3], first.status, first.body.size(), ms, cpu, n);
  return 0;
}

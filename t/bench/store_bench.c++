// Store benchmark: topics/s loading a whole Foswiki tree with an empty worker
// cache (cold) and from the cache (warm), the latency of one save (with its
// fsyncs), and the memory the cached tree holds.
//
//   build/bench/store_bench [data_dir]     (default: ../shared/foswiki/data)
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "store/store.h"

using namespace cwiki;
using Clock = std::chrono::steady_clock;

static long rss_kb() {
  std::ifstream f("/proc/self/statm");
  long size = 0, resident = 0;
  f >> size >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

static double secs(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int main(int argc, char** argv) {
  std::string data = argc > 1 ? argv[1] : "../shared/foswiki/data";
  const char* env = std::getenv("CWIKI_SHARED");
  if (argc <= 1 && env) data = std::string(env) + "/foswiki/data";
  StoreOptions o;
  o.data_dir = data;
  o.pub_dir = data + "/../pub";
  o.cache_bytes = 512u << 20;
  Store store(o);
  std::vector<std::pair<std::string, std::string>> all;
  for (const auto& web : store.webs({}, true, true))
    for (const auto& t : store.topics(web)) all.emplace_back(web, t);
  if (all.empty()) {
    std::printf("store: no topics under %s; skipped\n", data.c_str());
    return 0;
  }
  size_t bytes = 0;
  long rss0 = rss_kb();
  auto t0 = Clock::now();
  for (auto& [w, t] : all)
    if (auto s = store.read(w, t)) bytes += s->doc.text.size();
  auto t1 = Clock::now();
  long rss1 = rss_kb();
  const int rounds = 5;
  for (int i = 0; i < rounds; ++i)
    for (auto& [w, t] : all) store.read(w, t);
  auto t2 = Clock::now();
  auto cs = store.cache_stats();
  std::printf("store: %zu topics, %.1f MB of text, from %s\n", all.size(), bytes / 1e6, data.c_str());
  std::printf("  load, empty cache:  %9.0f topics/s  (%.1f MB/s, read + parse + revision info)\n",
              all.size() / secs(t0, t1), bytes / 1e6 / secs(t0, t1));
  std::printf("  load, from cache:   %9.0f topics/s  (stat + lookup)\n",
              rounds * all.size() / secs(t1, t2));
  std::printf("  cached tree: %zu topics, %.1f MB accounted, %.1f MB resident growth\n",
              cs.entries, cs.bytes / 1e6, (rss1 - rss0) / 1024.0);

  // Saves, in a scratch web of a temporary site.
  char tmpl[] = "/tmp/cwiki-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  std::string root = tmpl;
  ::mkdir((root + "/data").c_str(), 0755);
  ::mkdir((root + "/data/Bench").c_str(), 0755);
  std::ofstream(root + "/data/Bench/WebPreferences.txt") << "prefs\n";
  StoreOptions so;
  so.data_dir = root + "/data";
  so.pub_dir = root + "/pub";
  Store s(so);
  TopicDoc doc;
  doc.text = std::string(4000, 'x') + "\n";
  std::vector<double> ms;
  for (int i = 0; i < 100; ++i) {
    SaveOptions opts;
    opts.author = "bench";
    opts.force_new_revision = true;
    auto a = Clock::now();
    SaveResult r = s.save("Bench", "SaveTopic", doc, opts);
    auto b = Clock::now();
    if (!r.ok()) {
      std::printf("save failed: %s\n", r.error.c_str());
      return 1;
    }
    ms.push_back(secs(a, b) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double m : ms) sum += m;
  std::printf("  save (4 kB topic, new revision, fsync'd): mean %.2f ms, median %.2f ms, p95 %.2f ms\n",
              sum / ms.size(), ms[ms.size() / 2], ms[ms.size() * 95 / 100]);
  std::string cmd = "rm -rf '" + root + "'";
  return std::system(cmd.c_str());
}

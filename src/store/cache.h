// A bounded, thread-safe cache of immutable values, validated by stat().
//
// Each entry remembers the FileStat of the file it was made from.  A lookup
// passes the file's current FileStat; the entry is returned only when the two
// agree (same inode, size, mtime and ctime), so a change made by another
// worker process, by Foswiki itself or by hand is seen on the next lookup.
// Values are shared_ptr<const T>: a reader keeps its snapshot while another
// thread replaces or evicts the entry.  The least recently used entries are
// evicted when the total size exceeds the budget.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/fs.h"

namespace cwiki {

// How long after its last change a file's stat is not trusted to reveal the
// next change (file timestamps move in clock ticks of a few milliseconds).
inline constexpr long long kStatGraceNs = 50'000'000;

template <typename T>
class StatCache {
 public:
  explicit StatCache(size_t budget_bytes) : budget_(budget_bytes) {}

  std::shared_ptr<const T> get(const std::string& key, const FileStat& current) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) {
      ++misses_;
      return nullptr;
    }
    if (!it->second.stat.same_as(current)) {
      drop(it);
      ++misses_;
      return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second.pos);
    ++hits_;
    return it->second.value;
  }

  // Stores `value`, made from a file whose stat was `st`, weighing `bytes`.
  // A file changed within the last kStatGraceNs is not cached: a second change
  // in the same clock tick would not show in its stat.
  void put(const std::string& key, const FileStat& st, std::shared_ptr<const T> value,
           size_t bytes) {
    if (bytes > budget_ || now_ns() - st.mtime_ns < kStatGraceNs) return;
    std::lock_guard<std::mutex> g(mu_);
    if (auto it = map_.find(key); it != map_.end()) drop(it);
    lru_.push_front(key);
    map_.emplace(key, Entry{std::move(value), st, bytes, lru_.begin()});
    bytes_ += bytes;
    while (bytes_ > budget_ && !lru_.empty()) drop(map_.find(lru_.back()));
  }

  void erase(const std::string& key) {
    std::lock_guard<std::mutex> g(mu_);
    if (auto it = map_.find(key); it != map_.end()) drop(it);
  }

  struct Stats {
    size_t entries, bytes, budget;
    unsigned long long hits, misses;
  };
  Stats stats() const {
    std::lock_guard<std::mutex> g(mu_);
    return {map_.size(), bytes_, budget_, hits_, misses_};
  }

 private:
  struct Entry {
    std::shared_ptr<const T> value;
    FileStat stat;
    size_t bytes;
    std::list<std::string>::iterator pos;
  };
  using Map = std::unordered_map<std::string, Entry>;

  void drop(typename Map::iterator it) {
    bytes_ -= it->second.bytes;
    lru_.erase(it->second.pos);
    map_.erase(it);
  }

  mutable std::mutex mu_;
  Map map_;
  std::list<std::string> lru_;
  size_t bytes_ = 0;
  size_t budget_;
  unsigned long long hits_ = 0, misses_ = 0;
};

}  // namespace cwiki

#include "prefs/stack.h"

#include <algorithm>
#include <cstring>

#include <mutex>
#include <unordered_map>

#include "prefs/prefs.h"

namespace cwiki {
namespace {

// What Foswiki does to every value it stores: CR removed, TAB to space,
// the two characters \n to a newline (\\n to \n), backquotes removed.
std::string clean_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\r' || c == '`') continue;
    if (c == '\t') {
      out.push_back(' ');
      continue;
    }
    if (c == '\\' && i + 1 < v.size() && v[i + 1] == 'n' && i > 0 && v[i - 1] != '\\') {
      out.push_back('\n');
      ++i;
      continue;
    }
    if (c == '\\' && i + 2 < v.size() && v[i + 1] == '\\' && v[i + 2] == 'n' && i > 0 &&
        v[i - 1] != '\\') {
      out += "\\n";
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void split_names(std::string_view list, std::vector<std::string>& out) {
  size_t i = 0;
  while (i < list.size()) {
    size_t j = list.find_first_of(", \t\n", i);
    if (j == std::string_view::npos) j = list.size();
    if (j > i) out.emplace_back(list.substr(i, j - i));
    i = j + 1;
  }
}

}  // namespace

std::shared_ptr<const PrefsLevel> PrefsLevel::from_topic(const TopicDoc& doc) {
  auto l = std::make_shared<PrefsLevel>();
  for (auto& s : parse_prefs(doc)) {
    if (s.name.starts_with("DENYTOPIC") || s.name.starts_with("ALLOWTOPIC"))
      l->topic_access.emplace_back(s.name, s.value);
    (s.local ? l->local : l->set)[s.name] = clean_value(s.value);
  }
  for (const auto& [name, value] : l->set)
    if (name.starts_with("DENYWEB") || name.starts_with("ALLOWWEB"))
      l->web_access.emplace_back(name, value);
  if (auto it = l->set.find("FINALPREFERENCES"); it != l->set.end())
    split_names(it->second, l->final_names);
  return l;
}

std::shared_ptr<const PrefsLevel> PrefsLevel::of(const TopicPtr& snap) {
  if (!snap) return empty();
  // Keyed by the snapshot's address; the weak pointer tells a live entry
  // from one whose snapshot is gone (and whose address may be reused).
  struct Entry {
    std::weak_ptr<const TopicSnapshot> snap;
    std::shared_ptr<const PrefsLevel> level;
  };
  static std::mutex mu;
  static std::unordered_map<const TopicSnapshot*, Entry> cache;
  {
    std::lock_guard<std::mutex> g(mu);
    auto it = cache.find(snap.get());
    if (it != cache.end()) {
      if (auto live = it->second.snap.lock(); live && live.get() == snap.get()) return it->second.level;
      cache.erase(it);
    }
  }
  auto level = from_topic(snap->doc);
  std::lock_guard<std::mutex> g(mu);
  if (cache.size() > 4096)  // drop the entries of snapshots no longer alive
    for (auto it = cache.begin(); it != cache.end();)
      it = it->second.snap.expired() ? cache.erase(it) : std::next(it);
  cache[snap.get()] = Entry{snap, level};
  return level;
}

std::shared_ptr<const PrefsLevel> PrefsLevel::empty() {
  static const auto e = std::make_shared<const PrefsLevel>();
  return e;
}

namespace {

// A hash of a preference name, 8 bytes at a time.
uint64_t name_hash(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 29);
}

}  // namespace

PrefsStack::Where* PrefsStack::NameIndex::find(std::string_view name) {
  if (slots_.empty()) return nullptr;
  const uint64_t h = name_hash(name);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (!s.used) return nullptr;
    if (s.hash == h && s.name == name) return &s.where;
  }
}

std::pair<PrefsStack::Where*, bool> PrefsStack::NameIndex::try_emplace(std::string_view name,
                                                                         Where w) {
  if (2 * (used_ + 1) > slots_.size()) grow();
  const uint64_t h = name_hash(name);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (!s.used) {
      s = Slot{name, h, w, true};
      ++used_;
      return {&s.where, true};
    }
    if (s.hash == h && s.name == name) return {&s.where, false};
  }
}

void PrefsStack::NameIndex::erase(std::string_view name) {
  if (slots_.empty()) return;
  const size_t mask = slots_.size() - 1;
  const uint64_t h = name_hash(name);
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    if (!slots_[i].used) return;
    if (slots_[i].hash == h && slots_[i].name == name) break;
  }
  // Backward-shift deletion: later entries of the same probe run move up,
  // so a search never stops early at the hole.
  size_t hole = i;
  for (size_t j = (i + 1) & mask; slots_[j].used; j = (j + 1) & mask) {
    size_t home = slots_[j].hash & mask;
    // Can slots_[j] move to `hole`?  Only if its home is not in (hole, j].
    bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (between) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot{};
  --used_;
}

void PrefsStack::NameIndex::reserve(size_t n) {
  if (2 * n <= slots_.size()) return;
  size_t size = slots_.empty() ? 64 : slots_.size();
  while (2 * n > size) size *= 2;
  rehash(size);
}

void PrefsStack::NameIndex::grow() { rehash(slots_.empty() ? 64 : slots_.size() * 2); }

void PrefsStack::NameIndex::rehash(size_t size) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.resize(size);
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (!s.used) continue;
    size_t i = s.hash & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void PrefsStack::define(std::string_view name, uint32_t level, const std::string* value) {
  auto [where, added] = top_.try_emplace(name, Where{level, value});
  if (added) {
    undo_.push_back(Undo{name, level, Where{kNone, nullptr}});
  } else if (where->level != level) {
    undo_.push_back(Undo{name, level, *where});
    *where = Where{level, value};
  } else {
    where->value = value;  // a run-time value over the level's own
  }
}

void PrefsStack::push(std::shared_ptr<const PrefsLevel> level) {
  const auto idx = static_cast<uint32_t>(levels_.size());
  levels_.push_back(std::make_unique<Level>(Level{std::move(level), {}}));
  const PrefsLevel& l = *levels_.back()->fixed;
  top_.reserve(top_.size() + l.set.size());
  for (const auto& [name, value] : l.set)
    if (final_.empty() || !final_.count(name)) define(name, idx, &value);
  for (const auto& name : l.final_names) final_.try_emplace(name, idx);
}

void PrefsStack::push_session_level() { push(PrefsLevel::empty()); }

void PrefsStack::restore(size_t size) {
  if (size >= levels_.size()) return;
  while (!undo_.empty() && undo_.back().level >= size) {
    const Undo& u = undo_.back();
    if (u.prev.level == kNone) top_.erase(u.name);
    else *top_.find(u.name) = u.prev;
    undo_.pop_back();
  }
  for (auto it = final_.begin(); it != final_.end();)
    it = it->second >= size ? final_.erase(it) : std::next(it);
  levels_.resize(size);
}

void PrefsStack::set_internal(std::string_view name, std::string_view value) {
  for (auto& [n, v] : internals_)
    if (n == name) {
      v.assign(value);
      return;
    }
  internals_.emplace_back(name, value);
}

void PrefsStack::clear_internal(std::string_view name) {
  for (auto it = internals_.begin(); it != internals_.end(); ++it)
    if (it->first == name) {
      internals_.erase(it);
      return;
    }
}

std::optional<std::string> PrefsStack::internal(std::string_view name) const {
  for (const auto& [n, v] : internals_)
    if (n == name) return v;
  return std::nullopt;
}

std::optional<std::string> PrefsStack::get(std::string_view name) const {
  for (const auto& [n, v] : internals_)
    if (n == name) return v;
  // A Local value of the topic level (the one below the session level).
  if (levels_.size() >= 2) {
    size_t topic_level = levels_.size() - 2;
    const auto& local = levels_[topic_level]->fixed->local;
    if (!local.empty()) {
      auto f = final_.find(name);
      if (f == final_.end() || f->second >= topic_level)
        if (auto it = local.find(name); it != local.end()) return it->second;
    }
  }
  const Where* w = top_.find(name);
  if (!w) return std::nullopt;
  return *w->value;
}

std::vector<std::string> PrefsStack::names() const {
  std::vector<std::string> out;
  out.reserve(top_.size());
  top_.for_each([&](std::string_view name, const Where&) { out.emplace_back(name); });
  std::sort(out.begin(), out.end());
  return out;
}

const PrefsLevel* PrefsStack::defining_level(std::string_view name) const {
  const Where* d = top_.find(name);
  if (!d) return nullptr;
  const Level& l = *levels_[d->level];
  if (l.session.count(name)) return nullptr;
  return l.fixed.get();
}

const PrefsLevel* PrefsStack::topic_level() const {
  return levels_.size() >= 2 ? levels_[levels_.size() - 2]->fixed.get() : nullptr;
}

bool PrefsStack::set_session(const std::string& name, std::string value) {
  if (levels_.empty() || final_.count(name)) return false;
  const auto top = static_cast<uint32_t>(levels_.size() - 1);
  auto& session = levels_[top]->session;
  auto it = session.insert_or_assign(name, clean_value(value)).first;
  define(it->first, top, &it->second);
  return true;
}

}  // namespace cwiki

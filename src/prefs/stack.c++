#include "prefs/stack.h"

#include <algorithm>

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

void PrefsStack::define(std::string_view name, uint32_t level) {
  auto [it, added] = top_.try_emplace(name, level);
  if (added) {
    undo_.push_back(Undo{name, level, kNone});
  } else if (it->second != level) {
    undo_.push_back(Undo{it->first, level, it->second});
    it->second = level;
  }
}

void PrefsStack::push(std::shared_ptr<const PrefsLevel> level) {
  const auto idx = static_cast<uint32_t>(levels_.size());
  levels_.push_back(std::make_unique<Level>(Level{std::move(level), {}}));
  const PrefsLevel& l = *levels_.back()->fixed;
  for (const auto& [name, value] : l.set)
    if (!final_.count(name)) define(name, idx);
  for (const auto& name : l.final_names) final_.try_emplace(name, idx);
}

void PrefsStack::push_session_level() { push(PrefsLevel::empty()); }

void PrefsStack::restore(size_t size) {
  if (size >= levels_.size()) return;
  while (!undo_.empty() && undo_.back().level >= size) {
    const Undo& u = undo_.back();
    if (u.prev == kNone) top_.erase(u.name);
    else top_.find(u.name)->second = u.prev;
    undo_.pop_back();
  }
  for (auto it = final_.begin(); it != final_.end();)
    it = it->second >= size ? final_.erase(it) : std::next(it);
  levels_.resize(size);
}

std::optional<std::string> PrefsStack::internal(const std::string& name) const {
  auto it = internals_.find(name);
  if (it == internals_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> PrefsStack::get(std::string_view name) const {
  // Asked for every macro call: the maps that are usually empty are not
  // searched.
  if (!internals_.empty())
    if (auto it = internals_.find(name); it != internals_.end()) return it->second;
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
  auto d = top_.find(name);
  if (d == top_.end()) return std::nullopt;
  const Level& l = *levels_[d->second];
  if (!l.session.empty())
    if (auto it = l.session.find(name); it != l.session.end()) return it->second;
  if (auto it = l.fixed->set.find(name); it != l.fixed->set.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string> PrefsStack::names() const {
  std::vector<std::string> out;
  out.reserve(top_.size());
  for (const auto& [name, level] : top_) out.emplace_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

const PrefsLevel* PrefsStack::defining_level(std::string_view name) const {
  auto d = top_.find(name);
  if (d == top_.end()) return nullptr;
  const Level& l = *levels_[d->second];
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
  define(it->first, top);
  return true;
}

}  // namespace cwiki

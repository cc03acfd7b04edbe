// The preference cascade, as Foswiki evaluates it.
//
// A request's preferences form a stack of levels, pushed in this order:
//   System.DefaultPreferences, the site preferences (Main.SitePreferences),
//   the user's topic, each web's WebPreferences from the top web down, the
//   topic itself, and a level for values set while the request runs (%SET%).
// A later level overrides an earlier one, except that a name listed in a
// level's FINALPREFERENCES can no longer be set by the levels above it.
// `Local` settings apply only when their own topic is the one viewed: they
// are looked up in the topic level, unless finalised below it.
// Internal values (WEB, TOPIC, INCLUDINGWEB, ...) set by the engine override
// everything.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/meta.h"
#include "store/store.h"
#include "util/string_map.h"

namespace cwiki {

using StringMap = StringKeyMap<std::string>;

// One topic's settings, parsed once and shared.
struct PrefsLevel {
  StringMap set;    // `Set` and META:PREFERENCE type Set
  StringMap local;  // `Local`
  std::vector<std::string> final_names;                // from its FINALPREFERENCES
  // The topic's DENYTOPIC* / ALLOWTOPIC* settings, Set and Local alike, raw,
  // in the order they appear (a later one overrides an earlier one).
  std::vector<std::pair<std::string, std::string>> topic_access;
  // Its DENYWEB* / ALLOWWEB* Set values (a web's access settings), by name.
  std::vector<std::pair<std::string, std::string>> web_access;

  static std::shared_ptr<const PrefsLevel> from_topic(const TopicDoc& doc);
  static std::shared_ptr<const PrefsLevel> empty();
  // The settings of a topic snapshot, parsed once per snapshot and shared by
  // every request and thread that uses the same snapshot (the store hands out
  // the same snapshot until the topic changes).  Empty for nullptr.
  static std::shared_ptr<const PrefsLevel> of(const TopicPtr& snapshot);
};

class PrefsStack {
 public:
  // Pushes a level; its names that are final below it are ignored.
  void push(std::shared_ptr<const PrefsLevel> level);
  // Pushes an empty level whose values can be set while the request runs.
  void push_session_level();
  size_t size() const { return levels_.size(); }
  // Pops back to `size` levels.
  void restore(size_t size);

  // The value of `name`, as a macro or a setting sees it.
  std::optional<std::string> get(std::string_view name) const;
  // Sets a value in the top (session) level, unless the name is final.
  // Returns false when it is final.
  bool set_session(const std::string& name, std::string value);
  bool is_final(std::string_view name) const { return final_.count(name) > 0; }

  // The engine's few internal values, searched before everything else.
  using Internals = std::vector<std::pair<std::string, std::string>>;
  void set_internal(std::string_view name, std::string_view value);
  void clear_internal(std::string_view name);
  std::optional<std::string> internal(std::string_view name) const;
  const Internals& internals() const { return internals_; }
  void set_internals(Internals values) { internals_ = std::move(values); }

  // For ALLVARIABLES and SHOWPREFERENCE: every name some level sets (sorted);
  // the level that gives `name` its value (nullptr when unset, or set while
  // the request runs); the topic level (below the session level, or nullptr).
  std::vector<std::string> names() const;
  const PrefsLevel* defining_level(std::string_view name) const;
  const PrefsLevel* topic_level() const;

 private:
  struct Level {
    std::shared_ptr<const PrefsLevel> fixed;
    StringMap session;  // values set at run time
  };
  static constexpr uint32_t kNone = ~0u;
  // Where a name's value is: the highest level that sets it, and the value
  // there (values are never moved while their level is on the stack).
  struct Where {
    uint32_t level;
    const std::string* value;
  };
  // name -> Where, by open addressing: a request pushes a few hundred names
  // and looks one up for every macro call, without a node per name.
  class NameIndex {
   public:
    Where* find(std::string_view name);
    const Where* find(std::string_view name) const {
      return const_cast<NameIndex*>(this)->find(name);
    }
    // The entry for `name`, added (with `w`) when missing.
    std::pair<Where*, bool> try_emplace(std::string_view name, Where w);
    void erase(std::string_view name);
    // Room for `n` entries without growing.
    void reserve(size_t n);
    size_t size() const { return used_; }
    template <class F>
    void for_each(F f) const {
      for (const Slot& s : slots_)
        if (s.used) f(s.name, s.where);
    }

   private:
    struct Slot {
      std::string_view name;
      uint64_t hash = 0;
      Where where{0, nullptr};
      bool used = false;
    };
    void grow();
    void rehash(size_t size);
    std::vector<Slot> slots_;  // a power of two in size, at most half full
    size_t used_ = 0;
  };
  // A change of top_ made by pushing level `level`, undone when it is popped.
  struct Undo {
    std::string_view name;
    uint32_t level;
    Where prev;  // the entry before; prev.level kNone: it was added
  };
  void define(std::string_view name, uint32_t level, const std::string* value);

  // Levels are heap objects: the names below point into them.
  std::vector<std::unique_ptr<Level>> levels_;
  // name -> where its value is (keys point into the levels).
  NameIndex top_;
  std::vector<Undo> undo_;
  // name -> the level that finalised it (keys point into the levels).
  std::unordered_map<std::string_view, uint32_t> final_;
  Internals internals_;
};

}  // namespace cwiki

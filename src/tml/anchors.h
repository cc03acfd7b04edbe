// Anchor names for headings and #Anchor lines (internal to src/tml).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cwiki::tml {

// The set of anchor names given out while one topic is rendered.  Foswiki
// keeps names unique within a topic by appending _AN1, _AN2, ... (and
// shortening the name so that it stays within 32 characters).
class AnchorSet {
 public:
  // Records a name as used (for #WikiWord anchors, which are never renamed).
  void add(std::string_view name) { insert(name); }
  bool contains(std::string_view name) const { return slots_.empty() ? false : find(name).second; }
  // Returns `name`, or the first free _ANn variant of it, and records it.
  std::string add_unique(std::string_view name);

 private:
  // The names are kept in one buffer, found through an open-addressing
  // table (a topic with very many headings stays cheap to render).
  struct Slot {
    uint64_t offset = 0;  // of the name in pool_
    uint32_t size = 0;
    uint32_t hash = 0;    // 0: empty slot
  };
  static uint32_t hash_of(std::string_view name);
  // The slot holding `name`, or the empty slot where it would go, and
  // whether it was found.  The table must not be empty.
  std::pair<size_t, bool> find(std::string_view name) const;
  bool insert(std::string_view name);  // false when already present
  void grow();

  std::string pool_;
  std::vector<Slot> slots_;
  size_t count_ = 0;
  // Per base name, the last suffix number found taken, so that many equal
  // headings cost linear time rather than quadratic.
  std::unordered_map<std::string, int> next_suffix_;
};

}  // namespace cwiki::tml

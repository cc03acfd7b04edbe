// Anchor names for headings and #Anchor lines (internal to src/tml).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace cwiki::tml {

// The set of anchor names given out while one topic is rendered.  Foswiki
// keeps names unique within a topic by appending _AN1, _AN2, ... (and
// shortening the name so that it stays within 32 characters).
class AnchorSet {
 public:
  // Records a name as used (for #WikiWord anchors, which are never renamed).
  void add(const std::string& name) { names_.insert(name); }
  bool contains(const std::string& name) const { return names_.count(name) != 0; }
  // Returns `name`, or the first free _ANn variant of it, and records it.
  std::string add_unique(const std::string& name);

 private:
  std::unordered_set<std::string> names_;
  // Per base name, the last suffix number found taken, so that many equal
  // headings cost linear time rather than quadratic.
  std::unordered_map<std::string, int> next_suffix_;
};

}  // namespace cwiki::tml

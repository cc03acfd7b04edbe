// Hash maps keyed by std::string that are searched with a string_view,
// without building a std::string for the lookup.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cwiki {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class V>
using StringKeyMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace cwiki

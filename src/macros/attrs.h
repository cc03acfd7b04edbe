// The parameters of a macro call, %NAME{"default" name="value" ...}%, parsed
// as Foswiki parses them.
//
// The standard syntax: an optional first double-quoted value (the default
// parameter), then name="value" pairs; a later pair overrides an earlier
// one of the same name, while the first default value wins; \" and \' stand
// for quotes.  Anything that fits no pair ends the parse (unquoted text at
// the very start is the default).  The "friendly" syntax (used by IF) also
// accepts single quotes, unquoted values, commas and bare names.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cwiki {

class Attrs {
 public:
  Attrs() = default;
  // `raw` is what stood between the braces (nullopt: no braces at all).
  explicit Attrs(std::optional<std::string_view> raw, bool friendly = false);

  const std::string* get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string_view fallback) const;
  // The default (unnamed) parameter, "_DEFAULT" in Foswiki's terms.
  const std::string* default_value() const { return get("_DEFAULT"); }
  bool has(std::string_view name) const { return get(name) != nullptr; }
  // The text between the braces, as written ("_RAW").
  const std::optional<std::string>& raw() const { return raw_; }
  bool empty() const { return values_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& values() const { return values_; }

  void set(std::string_view name, std::string value);
  void remove(std::string_view name);

  // Attrs(raw, friendly), parsed once per thread for each distinct text:
  // skins make the same calls on every page, and parsing depends on the text
  // alone.  At most 512 texts of up to 512 bytes each per syntax and thread
  // are kept, about 1.5 MB at worst, since an httpd child has a few dozen
  // threads (a PatternSkin view makes about 180 calls with some 40 distinct
  // texts of a few dozen bytes).  Shared, because a macro may still hold its
  // parameters while the calls inside it are parsed and the cache starts
  // afresh.
  static std::shared_ptr<const Attrs> cached(std::string_view raw, bool friendly = false);
  // The parameters of a call without braces.
  static std::shared_ptr<const Attrs> none();

 private:
  std::optional<std::string> raw_;
  std::vector<std::pair<std::string, std::string>> values_;
};

}  // namespace cwiki

// Foswiki's embedded topic format: the topic text plus %META:TYPE{k="v" ...}%
// lines.  TOPICINFO is only recognised on the first line; other META lines
// anywhere; values are %XX-encoded (format 1.1) or use the older
// %_N_% / %_Q_% / %_P_% escapes (format 1.0 and earlier).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cwiki {

struct MetaItem {
  std::string type;  // TOPICINFO, TOPICPARENT, FIELD, PREFERENCE, ...
  std::vector<std::pair<std::string, std::string>> attrs;  // decoded, in file order

  const std::string* get(std::string_view key) const {
    for (const auto& [k, v] : attrs)
      if (k == key) return &v;
    return nullptr;
  }
};

struct ParsedTopic {
  std::string text;  // the topic text without META lines
  std::vector<MetaItem> meta;

  const MetaItem* find(std::string_view type) const {
    for (const auto& m : meta)
      if (m.type == type) return &m;
    return nullptr;
  }
};

// Splits a topic file's contents into text and META data.
ParsedTopic parse_topic(std::string_view file);

// Decodes a META attribute value (format 1.1: %XX; older: %_N_% and friends).
std::string meta_decode(std::string_view v, bool old_format);

}  // namespace cwiki

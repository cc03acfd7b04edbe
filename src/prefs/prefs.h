// Preference settings as a topic states them: `   * Set NAME = value` and
// `   * Local NAME = value` lines in the text (a value may continue on the
// following indented, non-bullet lines) and %META:PREFERENCE{...}% items.
#pragma once

#include <string>
#include <vector>

#include "store/meta.h"

namespace cwiki {

struct PrefSetting {
  bool local = false;  // `Local`: applies to the topic itself only
  std::string name;
  std::string value;
};

// In the order Foswiki applies them: text lines first, then META:PREFERENCE.
std::vector<PrefSetting> parse_prefs(const TopicDoc& topic);

}  // namespace cwiki

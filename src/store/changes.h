// A web's .changes file: Foswiki 2 keeps it as one JSON array of change
// objects ({"verb","cuid","revision","path","time",...}); older Foswiki wrote
// one tab-separated line per change (topic, user, time, revision, more).
// Both are read; the JSON form is written.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace cwiki {

// The changes in the file, oldest first.  A corrupt file reads as empty (as
// Foswiki reads it).  `web` fills in paths of the legacy format.
std::vector<Change> parse_changes(std::string_view file, std::string_view web);

// The file with `c` appended, after dropping the oldest entries whose time is
// before `cutoff`.  Entries already in the file keep all their keys.
std::string append_change_json(std::string_view file, std::string_view web, const Change& c,
                               long long cutoff);

}  // namespace cwiki

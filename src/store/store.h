// Read access to a Foswiki data/ tree.
//
// Every web and topic name is checked against Foswiki's naming rules (see
// names.h) before a path is built from it, so the store never touches a file
// outside data_dir.  Webs are '/'-separated paths ("Main", "Sandbox/Sub").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/fs.h"
#include "store/meta.h"

namespace cwiki {

inline constexpr size_t kMaxTopicBytes = 32u << 20;  // a topic file larger than this is refused

class Store {
 public:
  Store(std::string data_dir, const Fs& fs = posix_fs());

  const std::string& data_dir() const { return data_dir_; }

  // A web exists when its directory holds a WebPreferences topic, as Foswiki decides.
  bool web_exists(std::string_view web) const;
  bool topic_exists(std::string_view web, std::string_view topic) const;

  // The raw file contents of a topic (META lines included), or nullopt when
  // the topic does not exist or cannot be read (`error` says why).
  std::optional<std::string> read_topic_file(std::string_view web, std::string_view topic,
                                             std::string* error = nullptr) const;
  std::optional<ParsedTopic> read_topic(std::string_view web, std::string_view topic,
                                        std::string* error = nullptr) const;

  // Topic names of a web, sorted.
  std::vector<std::string> topics(std::string_view web) const;
  // Direct subwebs of `web` ("" for the top level), as full paths, sorted.
  std::vector<std::string> webs(std::string_view web = {}) const;

  // Path of a topic's .txt file; empty when the names are invalid.
  std::string topic_path(std::string_view web, std::string_view topic) const;

 private:
  std::string data_dir_;
  const Fs& fs_;
};

}  // namespace cwiki

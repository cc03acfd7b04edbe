#include "store/store.h"

#include <algorithm>

#include "store/names.h"

namespace cwiki {

Store::Store(std::string data_dir, const Fs& fs) : data_dir_(std::move(data_dir)), fs_(fs) {
  while (data_dir_.size() > 1 && data_dir_.back() == '/') data_dir_.pop_back();
}

std::string Store::topic_path(std::string_view web, std::string_view topic) const {
  if (!is_valid_web_name(web) || !is_valid_topic_name(topic)) return {};
  std::string p = data_dir_;
  p += '/';
  p += normalize_web(web);
  p += '/';
  p += topic;
  p += ".txt";
  return p;
}

bool Store::web_exists(std::string_view web) const {
  std::string p = topic_path(web, "WebPreferences");
  return !p.empty() && fs_.stat(p).is_file;
}

bool Store::topic_exists(std::string_view web, std::string_view topic) const {
  std::string p = topic_path(web, topic);
  return !p.empty() && fs_.stat(p).is_file;
}

std::optional<std::string> Store::read_topic_file(std::string_view web, std::string_view topic,
                                                  std::string* error) const {
  std::string p = topic_path(web, topic);
  if (p.empty()) {
    if (error) *error = "invalid web or topic name";
    return std::nullopt;
  }
  return fs_.read(p, kMaxTopicBytes, error);
}

std::optional<ParsedTopic> Store::read_topic(std::string_view web, std::string_view topic,
                                             std::string* error) const {
  auto raw = read_topic_file(web, topic, error);
  if (!raw) return std::nullopt;
  return parse_topic(*raw);
}

std::vector<std::string> Store::topics(std::string_view web) const {
  std::vector<std::string> out;
  if (!is_valid_web_name(web)) return out;
  for (auto& name : fs_.list(data_dir_ + "/" + normalize_web(web))) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".txt") == 0) {
      name.resize(name.size() - 4);
      if (is_valid_topic_name(name)) out.push_back(std::move(name));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Store::webs(std::string_view web) const {
  std::vector<std::string> out;
  std::string dir = data_dir_;
  std::string prefix;
  if (!web.empty()) {
    if (!is_valid_web_name(web)) return out;
    prefix = normalize_web(web) + "/";
    dir += "/" + normalize_web(web);
  }
  for (auto& name : fs_.list(dir)) {
    if (!is_valid_web_component(name)) continue;
    std::string full = prefix + name;
    if (web_exists(full)) out.push_back(std::move(full));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cwiki

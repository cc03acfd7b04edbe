#include "site/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/names.h"

namespace cwiki {

std::string Config::data() const { return data_dir.empty() ? root + "/data" : data_dir; }
std::string Config::pub() const { return pub_dir.empty() ? root + "/pub" : pub_dir; }
std::string Config::templates() const {
  return template_dir.empty() ? root + "/templates" : template_dir;
}

std::string check_url_path(std::string_view v, bool allow_empty) {
  if (v.empty()) return allow_empty ? "" : "must not be empty";
  if (v.front() != '/') return "must start with '/'";
  if (v.size() > 1 && v.back() == '/') return "must not end with '/'";
  if (v.size() == 1) return "must not be '/' alone";
  for (unsigned char c : v) {
    if (c <= 0x20 || c >= 0x7f) return "must be printable ASCII without spaces";
    if (c == '?' || c == '#' || c == '%' || c == '\\')
      return "must not contain '?', '#', '%' or '\\'";
  }
  if (v.find("//") != std::string_view::npos) return "must not contain '//'";
  if (v.find("/./") != std::string_view::npos || v.find("/../") != std::string_view::npos ||
      v.ends_with("/..") || v.ends_with("/."))
    return "must not contain '.' or '..' segments";
  return "";
}

std::string check_default_web(std::string_view v) {
  return is_valid_web_name(v, false) ? "" : "is not a valid Foswiki web name";
}

std::string check_default_topic(std::string_view v) {
  return is_valid_topic_name(v, true) ? "" : "is not a valid Foswiki topic name";
}

namespace {

std::string check_dir(const std::string& path, std::string_view directive, const char* what) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return std::string(directive) + " " + path + ": " + what + " " + std::strerror(errno);
  if (!S_ISDIR(st.st_mode))
    return std::string(directive) + " " + path + ": " + what + " is not a directory";
  if (::access(path.c_str(), R_OK | X_OK) != 0)
    return std::string(directive) + " " + path + ": " + what + " cannot be read (" +
           std::strerror(errno) + ")";
  return "";
}

}  // namespace

std::string check_dirs(const Config& c, std::string_view root_directive,
                       std::string_view data_directive) {
  if (c.root.empty() && c.data_dir.empty())
    return std::string(root_directive) + " is not set: say where the Foswiki root is";
  if (!c.root.empty()) {
    if (auto e = check_dir(c.root, root_directive, "the Foswiki root:"); !e.empty()) return e;
  }
  if (c.data_dir.empty()) {
    if (auto e = check_dir(c.data(), root_directive, "its data directory:"); !e.empty()) return e;
  } else {
    if (auto e = check_dir(c.data_dir, data_directive, "the data directory:"); !e.empty())
      return e;
  }
  return "";
}

}  // namespace cwiki

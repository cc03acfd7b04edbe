#include "store/changes.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace cwiki {
namespace {

using json = nlohmann::ordered_json;

// Numbers may have been written as strings ("3"), booleans as 1/"1"/null.
long long as_int(const json& v) {
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number()) return static_cast<long long>(v.get<double>());
  if (v.is_string()) return std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  return 0;
}

std::string as_string(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

bool truthy(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return false;
  if (it->is_string()) {
    std::string s = it->get<std::string>();
    return !s.empty() && s != "0";
  }
  return as_int(*it) != 0;
}

Change from_json(const json& o) {
  Change c;
  c.verb = as_string(o, "verb");
  c.cuid = as_string(o, "cuid");
  if (auto it = o.find("revision"); it != o.end()) c.revision = static_cast<int>(as_int(*it));
  c.path = as_string(o, "path");
  c.oldpath = as_string(o, "oldpath");
  c.attachment = as_string(o, "attachment");
  c.oldattachment = as_string(o, "oldattachment");
  c.comment = as_string(o, "comment");
  c.minor = truthy(o, "minor");
  if (auto it = o.find("time"); it != o.end()) c.time = as_int(*it);
  return c;
}

json to_json(const Change& c) {
  json o;
  o["verb"] = c.verb;
  o["cuid"] = c.cuid;
  o["revision"] = c.revision;
  o["path"] = c.path;
  if (!c.oldpath.empty()) o["oldpath"] = c.oldpath;
  if (!c.attachment.empty()) o["attachment"] = c.attachment;
  if (!c.oldattachment.empty()) o["oldattachment"] = c.oldattachment;
  o["minor"] = c.minor ? json(1) : json(nullptr);
  if (!c.comment.empty()) o["comment"] = c.comment;
  o["time"] = c.time;
  return o;
}

// The older format: one "topic \t user \t time \t revision \t more" per line.
json legacy_to_json(std::string_view file, std::string_view web) {
  json arr = json::array();
  size_t pos = 0;
  while (pos < file.size()) {
    size_t nl = file.find_first_of("\r\n", pos);
    if (nl == std::string_view::npos) nl = file.size();
    std::string_view line = file.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    std::vector<std::string_view> f;
    size_t s = 0;
    for (;;) {
      size_t t = line.find('\t', s);
      f.push_back(line.substr(s, t == std::string_view::npos ? std::string_view::npos : t - s));
      if (t == std::string_view::npos) break;
      s = t + 1;
    }
    if (f.size() < 4) continue;
    json o;
    long long rev = std::strtoll(std::string(f[3]).c_str(), nullptr, 10);
    std::string more = f.size() > 4 ? std::string(f[4]) : "";
    o["verb"] = rev > 1 ? "update" : "insert";
    o["cuid"] = std::string(f[1]);
    o["revision"] = rev;
    o["path"] = std::string(web) + (f[0].empty() ? "" : "." + std::string(f[0]));
    o["minor"] = more.find("minor") != std::string::npos ? json(1) : json(nullptr);
    if (!more.empty()) o["comment"] = more;
    o["time"] = std::strtoll(std::string(f[2]).c_str(), nullptr, 10);
    arr.push_back(std::move(o));
  }
  return arr;
}

json read_array(std::string_view file, std::string_view web) {
  size_t i = 0;
  while (i < file.size() && (file[i] == ' ' || file[i] == '\n' || file[i] == '\r' || file[i] == '\t'))
    ++i;
  if (i < file.size() && file[i] == '[') {
    json arr = json::parse(file.begin(), file.end(), nullptr, false);
    if (arr.is_discarded() || !arr.is_array()) return json::array();
    return arr;
  }
  return legacy_to_json(file, web);
}

}  // namespace

std::vector<Change> parse_changes(std::string_view file, std::string_view web) {
  std::vector<Change> out;
  for (const auto& o : read_array(file, web))
    if (o.is_object()) out.push_back(from_json(o));
  return out;
}

std::string append_change_json(std::string_view file, std::string_view web, const Change& c,
                               long long cutoff) {
  json arr = read_array(file, web);
  size_t drop = 0;
  while (drop < arr.size() && arr[drop].is_object() && arr[drop].contains("time") &&
         as_int(arr[drop]["time"]) < cutoff)
    ++drop;
  if (drop) arr.erase(arr.begin(), arr.begin() + static_cast<long>(drop));
  arr.push_back(to_json(c));
  // As Foswiki writes it: compact, one line, UTF-8 as is.
  return arr.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace cwiki

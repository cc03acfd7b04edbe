#include "store/meta.h"

#include <cstdlib>

namespace cwiki {
namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses the inside of %META:TYPE{...}% as Foswiki does: repeated
// `\s*([^=]+)="([^"]*)"`; anything that does not fit is skipped.
std::vector<std::pair<std::string, std::string>> read_key_values(std::string_view args,
                                                                 bool old_format) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (i < args.size()) {
    size_t eq = args.find('=', i);
    if (eq == std::string_view::npos) break;
    if (eq + 1 >= args.size() || args[eq + 1] != '"') {
      i = eq + 1;
      continue;
    }
    size_t close = args.find('"', eq + 2);
    if (close == std::string_view::npos) break;
    size_t ks = i;
    while (ks < eq && (args[ks] == ' ' || args[ks] == '\t')) ++ks;
    std::string key(args.substr(ks, eq - ks));
    out.emplace_back(std::move(key), meta_decode(args.substr(eq + 2, close - eq - 2), old_format));
    i = close + 1;
  }
  return out;
}

bool is_meta_line(std::string_view line, std::string_view& type, std::string_view& args) {
  if (line.size() < 10 || line.substr(0, 6) != "%META:" || line.substr(line.size() - 2) != "}%")
    return false;
  size_t brace = line.find('{', 6);
  if (brace == std::string_view::npos || brace == 6) return false;
  type = line.substr(6, brace - 6);
  args = line.substr(brace + 1, line.size() - 2 - brace - 1);
  return true;
}

// Keys a META type must carry to be taken as META rather than text.
bool valid_embedding(std::string_view type, const MetaItem& m) {
  if (type == "FIELD" || type == "FILEATTACHMENT" || type == "PREFERENCE" ||
      type == "TOPICPARENT" || type == "FORM")
    return m.get("name") != nullptr;
  return true;
}

}  // namespace

std::string meta_decode(std::string_view v, bool old_format) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%') {
      if (old_format) {
        if (v.substr(i, 5) == "%_N_%") { out.push_back('\n'); i += 4; continue; }
        if (v.substr(i, 5) == "%_Q_%") { out.push_back('"'); i += 4; continue; }
        if (v.substr(i, 5) == "%_P_%") { out.push_back('%'); i += 4; continue; }
      } else if (i + 2 < v.size() && hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hexval(v[i + 1]) * 16 + hexval(v[i + 2])));
        i += 2;
        continue;
      }
    }
    out.push_back(v[i]);
  }
  return out;
}

ParsedTopic parse_topic(std::string_view file) {
  ParsedTopic t;
  bool old_format = false;
  size_t pos = 0;
  std::string_view type, args;

  // TOPICINFO counts only on the first line.
  size_t nl = file.find('\n');
  if (nl != std::string_view::npos && is_meta_line(file.substr(0, nl), type, args) &&
      type == "TOPICINFO") {
    MetaItem m{"TOPICINFO", read_key_values(args, false)};
    const std::string* fmt = m.get("format");
    double f = fmt ? std::strtod(fmt->c_str(), nullptr) : 0.0;
    old_format = !fmt || fmt->empty() || fmt->find_first_not_of("0123456789.") != std::string::npos ||
                 f < 1.1;
    if (old_format) m.attrs = read_key_values(args, true);
    t.meta.push_back(std::move(m));
    pos = nl + 1;
  }

  bool removed = false;
  t.text.reserve(file.size() - pos);
  while (pos < file.size()) {
    nl = file.find('\n', pos);
    if (nl == std::string_view::npos) {  // a last line without '\n' is never META
      t.text.append(file.substr(pos));
      break;
    }
    std::string_view line = file.substr(pos, nl - pos);
    if (is_meta_line(line, type, args) && (old_format || type != "TOPICINFO")) {
      MetaItem m{std::string(type), read_key_values(args, old_format)};
      if (old_format || valid_embedding(type, m)) {
        t.meta.push_back(std::move(m));
        removed = true;
        pos = nl + 1;
        continue;
      }
    }
    t.text.append(file.substr(pos, nl + 1 - pos));
    pos = nl + 1;
  }
  if (removed && !t.text.empty() && t.text.back() == '\n') t.text.pop_back();
  if (old_format) {
    std::string expanded;
    expanded.reserve(t.text.size());
    for (char c : t.text) {
      if (c == '\t') expanded.append("   ");
      else expanded.push_back(c);
    }
    t.text.swap(expanded);
  }
  return t;
}

}  // namespace cwiki

#include "prefs/prefs.h"

#include <string_view>

namespace cwiki {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool name_start(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
bool name_char(unsigned char c) {
  return name_start(c) || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

// Length of a bullet prefix `(\t|   )+\*`, or 0.
size_t bullet_prefix(std::string_view line) {
  size_t i = 0;
  bool indented = false;
  for (;;) {
    if (i < line.size() && line[i] == '\t') {
      ++i;
    } else if (line.substr(i, 3) == "   ") {
      i += 3;
    } else {
      break;
    }
    indented = true;
  }
  if (!indented || i >= line.size() || line[i] != '*') return 0;
  return i + 1;
}

// Matches `^(\t|   )+\*\s+(Set|Local)\s+(NAME)\s*=\s*(.*)$`.
bool match_set(std::string_view line, PrefSetting& out) {
  size_t i = bullet_prefix(line);
  if (i == 0) return false;
  size_t s = i;
  while (i < line.size() && is_space(line[i])) ++i;
  if (i == s) return false;
  std::string_view rest = line.substr(i);
  if (rest.substr(0, 3) == "Set") {
    out.local = false;
    i += 3;
  } else if (rest.substr(0, 5) == "Local") {
    out.local = true;
    i += 5;
  } else {
    return false;
  }
  s = i;
  while (i < line.size() && is_space(line[i])) ++i;
  if (i == s || i >= line.size() || !name_start(static_cast<unsigned char>(line[i]))) return false;
  s = i;
  while (i < line.size() && name_char(static_cast<unsigned char>(line[i]))) ++i;
  out.name = std::string(line.substr(s, i - s));
  while (i < line.size() && is_space(line[i])) ++i;
  if (i >= line.size() || line[i] != '=') return false;
  ++i;
  while (i < line.size() && is_space(line[i])) ++i;
  out.value = std::string(line.substr(i));
  return true;
}

// `^(   |\t)+ *[^\s]` and not a bullet: a continuation of the previous value.
bool is_continuation(std::string_view line) {
  if (bullet_prefix(line)) return false;
  size_t i = 0;
  bool indented = false;
  for (;;) {
    if (i < line.size() && line[i] == '\t') ++i;
    else if (line.substr(i, 3) == "   ") i += 3;
    else break;
    indented = true;
  }
  if (!indented) return false;
  while (i < line.size() && line[i] == ' ') ++i;
  return i < line.size() && !is_space(line[i]) && line[i] != '\n';
}

}  // namespace

std::vector<PrefSetting> parse_prefs(const TopicDoc& topic) {
  std::vector<PrefSetting> out;
  std::string_view text = topic.text;
  bool open = false;
  PrefSetting cur;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    PrefSetting next;
    if (match_set(line, next)) {
      if (open) out.push_back(std::move(cur));
      cur = std::move(next);
      open = true;
    } else if (open) {
      if (is_continuation(line)) {
        cur.value += '\n';
        cur.value += line;
      } else {
        out.push_back(std::move(cur));
        open = false;
      }
    }
    if (nl == text.size()) break;
  }
  if (open) out.push_back(std::move(cur));

  for (const auto& m : topic.meta) {
    if (m.type != "PREFERENCE") continue;
    const std::string* name = m.get("name");
    if (!name) continue;
    const std::string* type = m.get("type");
    const std::string* value = m.get("value");
    out.push_back(PrefSetting{type && *type == "Local", *name, value ? *value : std::string()});
  }
  return out;
}

}  // namespace cwiki

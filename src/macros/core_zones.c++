// Zones: ADDTOZONE, ADDTOHEAD, RENDERZONE and the rendering of zones at the
// end of a page (Foswiki::Render::Zones).
#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>

#include "auth/access.h"
#include "macros/core.h"
#include "macros/core_internal.h"
#include "macros/data_util.h"
#include "macros/expand.h"

namespace cwiki {
namespace {

// What separates the placeholder RENDERZONE leaves in the text.
constexpr char kZoneMarker = '\x03';
constexpr std::string_view kPlaceholderCount = "zone:placeholders";
constexpr std::string_view kAutoId = "zone:auto-id";
constexpr size_t kMaxZoneItems = 100000;  // per zone; more are ignored

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// Gives <script>, <link> and <style> tags without a class the class
// "$zone $id", which the zone's format fills in.
std::string add_tag_classes(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 32);
  size_t i = 0;
  while (i < data.size()) {
    if (data[i] != '<') {
      out.push_back(data[i++]);
      continue;
    }
    size_t name_len = 0;
    for (std::string_view tag : {"script", "link", "style"})
      if (data.compare(i + 1, tag.size(), tag) == 0) name_len = tag.size();
    size_t j = i + 1 + name_len;
    if (name_len == 0 || j >= data.size() || !is_space(data[j])) {
      out.push_back(data[i++]);
      continue;
    }
    while (j < data.size() && is_space(data[j])) ++j;
    size_t gt = data.find('>', j);
    std::string_view rest = data.substr(j, gt == std::string_view::npos ? std::string_view::npos : gt - j);
    if (rest.find("class=") != std::string_view::npos) {
      out.append(data.substr(i, j - i));
    } else {
      out.append(data.substr(i, 1 + name_len));
      out += " class='$zone $id' ";
    }
    i = j;
  }
  return out;
}

// Perl's split(/\s*,\s*/, s): trailing empty fields dropped.
std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  if (s.empty()) return out;
  while (true) {
    size_t c = s.find(',', i);
    std::string_view f = s.substr(i, c == std::string_view::npos ? std::string_view::npos : c - i);
    size_t a = 0, b = f.size();
    if (!out.empty() || i > 0)
      while (a < b && is_space(f[a])) ++a;
    if (c != std::string_view::npos)
      while (b > a && is_space(f[b - 1])) --b;
    out.emplace_back(f.substr(a, b - a));
    if (c == std::string_view::npos) break;
    i = c + 1;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// $name followed by a non-word character (or the end) -> value.
void replace_token(std::string& s, std::string_view name, std::string_view value) {
  s = replace_tokens(
      s,
      [&](std::string_view t, size_t i) -> size_t {
        if (t.compare(i + 1, name.size(), name) != 0) return 0;
        size_t j = i + 1 + name.size();
        return j < t.size() && word_char(static_cast<unsigned char>(t[j])) ? 0 : j - i;
      },
      value);
}

// Removes <literal> <noautolink> <nop> <verbatim> and their closing tags
// (also written with a ':' before the name), as Foswiki does in the head.
std::string strip_pseudo_tags(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '<') {
      size_t j = i + 1;
      if (j < s.size() && s[j] == '/') ++j;
      if (j < s.size() && s[j] == ':') ++j;
      bool hit = false;
      for (std::string_view tag : {"literal", "noautolink", "nop", "verbatim"}) {
        if (s.compare(j, tag.size(), tag) == 0 && j + tag.size() < s.size() &&
            s[j + tag.size()] == '>') {
          i = j + tag.size() + 1;
          hit = true;
          break;
        }
      }
      if (hit) continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

struct Node {
  std::string id;
  const Session::ZoneItem* item = nullptr;  // nullptr: required but never added
  std::vector<size_t> requires_nodes;
  std::vector<std::string> missing;
};

// Foswiki's _renderZone.
std::string render_zone(Session& s, const std::string& zone, const Attrs& params,
                        const TopicRef& topic_in, const TmlRenderFn& render) {
  if (zone.empty()) return "";
  auto zit = s.zones.find(zone);
  if (zit == s.zones.end()) return "";
  std::vector<Session::ZoneItem> items = std::move(zit->second);
  s.zones.erase(zit);  // a zone is rendered once

  auto truthy = [](const std::string* v) { return v && !v->empty() && *v != "0"; };
  std::string header = truthy(params.get("header")) ? *params.get("header") : "";
  std::string footer = truthy(params.get("footer")) ? *params.get("footer") : "";
  const std::string missing_format =
      params.has("missingtoken") ? *params.get("missingtoken") : "$id: requires= missing ids: $missingids";
  std::string format = params.has("format") ? *params.get("format")
                                            : "$item<!--<literal>$missing</literal>-->";
  std::string separator = params.has("separator") ? *params.get("separator") : "$n()";
  TopicRef topic = topic_in;
  if (topic.web.empty() && topic.topic.empty()) topic = s.base;

  // The zone's records: the last text given for an id wins; ids that are
  // only required are records without text.
  std::vector<Node> nodes;
  std::unordered_map<std::string, size_t> by_id;
  auto node_for = [&](const std::string& id) {
    auto [it, fresh] = by_id.emplace(id, nodes.size());
    if (fresh) nodes.push_back(Node{id, nullptr, {}, {}});
    return it->second;
  };
  for (const auto& item : items) node_for(item.id);
  for (const auto& item : items) {
    auto it = by_id.find(item.id);
    if (it != by_id.end()) nodes[it->second].item = &item;
  }
  size_t populated = nodes.size();
  for (size_t n = 0; n < populated; ++n) {
    const auto& reqs = nodes[n].item->requires_ids;
    std::vector<size_t> r;
    for (const auto& req : reqs) r.push_back(node_for(req));
    nodes[n].requires_nodes = std::move(r);
  }
  auto by_name = [&](size_t a, size_t b) { return nodes[a].id < nodes[b].id; };
  for (auto& n : nodes) std::stable_sort(n.requires_nodes.begin(), n.requires_nodes.end(), by_name);

  // Depth-first, each record after what it requires (an explicit stack, so
  // that long chains of requires cannot exhaust the call stack).
  std::vector<size_t> order(nodes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), by_name);
  std::vector<char> visited(nodes.size(), 0);
  std::vector<size_t> total;
  std::vector<std::pair<size_t, size_t>> stack;  // node, next requirement
  for (size_t start : order) {
    if (visited[start]) continue;
    visited[start] = 1;
    stack.emplace_back(start, 0);
    while (!stack.empty()) {
      auto& [n, k] = stack.back();
      if (k < nodes[n].requires_nodes.size()) {
        size_t r = nodes[n].requires_nodes[k];
        if (!visited[r]) {
          visited[r] = 1;
          stack.emplace_back(r, 0);
          continue;  // `n` and `k` are revisited once `r` is done
        }
        if (!nodes[r].item) nodes[n].missing.push_back(nodes[r].id);
        ++k;
        continue;
      }
      size_t done = n;
      stack.pop_back();
      total.push_back(done);
      if (!stack.empty()) {
        auto& [p, pk] = stack.back();
        if (!nodes[done].item) nodes[p].missing.push_back(nodes[done].id);
        ++pk;
      }
    }
  }
  if (total.empty()) return "";

  std::vector<std::string> lines;
  for (size_t n : total) {
    const Node& node = nodes[n];
    if (!node.item) continue;
    std::string text = node.item->text;
    size_t a = 0, b = text.size();
    while (a < b && is_space(text[a])) ++a;
    while (b > a && is_space(text[b - 1])) --b;
    text = text.substr(a, b - a);
    if (text.empty() || text == "0") continue;
    std::string line = format;
    if (!node.missing.empty()) {
      replace_token(line, "missing", missing_format);
      std::string ids;
      for (size_t i = 0; i < node.missing.size(); ++i) ids += (i ? ", " : "") + node.missing[i];
      replace_token(line, "missingids", ids);
    } else {
      replace_token(line, "missing", "$id");
    }
    replace_token(line, "item", text);
    replace_token(line, "id", node.id);
    replace_token(line, "zone", zone);
    if (!line.empty() && line != "0") lines.push_back(std::move(line));
  }
  std::string joined = header;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) joined += separator;
    joined += lines[i];
  }
  joined += footer;
  std::string result = expand_macros(s, expand_standard_escapes(joined), topic);
  if (zone == "head" || zone == "script") return strip_pseudo_tags(result);
  return render ? render(result, topic) : result;
}

std::string next_auto_id(Session& s) {
  std::string& counter = s.scratch[std::string(kAutoId)];
  long long n = counter.empty() ? 0 : std::atoll(counter.c_str());
  counter = std::to_string(++n);
  return counter;
}

}  // namespace

void add_to_zone(Session& s, std::string_view zone, std::string_view id_in, std::string_view text,
                 std::string_view requires_ids, const TopicRef& topic) {
  std::string id(id_in);
  if (id.empty() || id == "0") id = next_auto_id(s);
  auto& items = s.zones[std::string(zone)];
  if (items.size() >= kMaxZoneItems) return;
  Session::ZoneItem item;
  item.id = std::move(id);
  item.requires_ids = split_commas(requires_ids);
  item.text = add_tag_classes(text);
  item.topic = topic;
  items.push_back(std::move(item));
}

std::string render_zones(Session& s, std::string html, const TmlRenderFn& render) {
  // The placeholders RENDERZONE left, in order.
  if (html.find(kZoneMarker) != std::string::npos) {
    std::string out;
    out.reserve(html.size());
    const std::string open = std::string(1, kZoneMarker) + "RENDERZONE{";
    size_t i = 0;
    while (i < html.size()) {
      size_t at = html.find(open, i);
      if (at == std::string::npos) break;
      size_t close = html.find(std::string("}") + kZoneMarker, at + open.size());
      size_t nl = html.find('\n', at);
      if (close == std::string::npos || (nl != std::string::npos && nl < close)) {
        out.append(html, i, at + 1 - i);
        i = at + 1;
        continue;
      }
      out.append(html, i, at - i);
      std::string n = html.substr(at + open.size(), close - at - open.size());
      std::string key = "zone:placeholder:" + n;
      auto raw = s.scratch.find(key);
      if (raw != s.scratch.end()) {
        Attrs params{std::string_view(raw->second)};
        TopicRef topic;
        if (auto t = s.scratch.find(key + ":topic"); t != s.scratch.end()) {
          size_t sep = t->second.find('\n');
          topic.web = t->second.substr(0, sep);
          if (sep != std::string::npos) topic.topic = t->second.substr(sep + 1);
        }
        const std::string* zone = params.default_value();
        if (!zone || zone->empty() || *zone == "0") zone = params.get("zone");
        std::string z = zone ? *zone : "";
        s.scratch.erase(key);
        out += render_zone(s, z, params, topic, render);
      }
      i = close + 2;
    }
    out.append(html, i, std::string::npos);
    html.swap(out);
  }
  Attrs chomp_on{std::string_view("chomp=\"on\"")};
  for (const char* zone : {"head", "script"}) {
    std::string content = render_zone(s, zone, chomp_on, {}, render);
    if (content.empty() || content == "0") continue;
    // before the first </head>, in any case
    for (size_t i = html.find("</"); i != std::string::npos; i = html.find("</", i + 1)) {
      if (i + 7 <= html.size() && std::tolower(static_cast<unsigned char>(html[i + 2])) == 'h' &&
          std::tolower(static_cast<unsigned char>(html[i + 3])) == 'e' &&
          std::tolower(static_cast<unsigned char>(html[i + 4])) == 'a' &&
          std::tolower(static_cast<unsigned char>(html[i + 5])) == 'd' && html[i + 6] == '>') {
        html.insert(i, content + "\n");
        break;
      }
    }
  }
  if (!html.empty() && html.back() == '\n') html.pop_back();
  return html;
}

namespace core_detail {

void register_zone_macros() {
  register_macro("ADDTOZONE", [](Session& s, const Attrs& a, const TopicRef& t) -> std::optional<std::string> {
    std::string zones = first_true({a.default_value(), a.get("zone")}, "head");
    std::string id = first_true({a.get("id"), a.get("tag")}, "");
    std::string topic = first_true({a.get("topic")}, "");
    std::string section = first_true({a.get("section")}, "");
    std::string requires_ids = first_true({a.get("requires")}, "");
    std::string text = first_true({a.get("text")}, "");
    if (!topic.empty() || !section.empty()) {
      if (topic.empty()) topic = t.topic;
      auto [w, tp] = normalize_web_topic(s.cfg, t.web, topic);
      text = "%INCLUDE{\"" + w + "." + tp + "\"";
      if (!section.empty()) text += " section=\"" + section + "\"";
      text += " warn=\"off\"}%";
    }
    for (const auto& zone : split_commas(zones)) add_to_zone(s, zone, id, text, requires_ids, t);
    return std::string();
  });

  register_macro("ADDTOHEAD", [](Session& s, const Attrs& a, const TopicRef& t) -> std::optional<std::string> {
    const std::string* def = a.default_value();
    std::optional<std::string> text;
    if (const std::string* v = a.get("text")) text = *v;
    if (const std::string* tp = a.get("topic")) {
      auto [w, topic] = normalize_web_topic(s.cfg, t.web, *tp);
      std::string dotted = w;
      std::replace(dotted.begin(), dotted.end(), '/', '.');
      std::string key = "addtohead:" + dotted + "." + topic;
      if (!s.scratch.count(key)) {
        s.scratch[key] = "1";
        text = std::string();
        if (auto snap = s.store.read(w, topic); snap && can_view(s, w, topic, snap->doc))
          text = snap->doc.text;
      }
    }
    if (!text) text = def ? *def : std::string();
    const std::string* req = a.get("requires");
    add_to_zone(s, "head", def ? *def : std::string(), *text, req ? *req : std::string(), t);
    return std::string();
  });

  register_macro("RENDERZONE", [](Session& s, const Attrs& a, const TopicRef& t) -> std::optional<std::string> {
    std::string& count = s.scratch[std::string(kPlaceholderCount)];
    long long n = count.empty() ? 0 : std::atoll(count.c_str());
    count = std::to_string(n + 1);
    std::string key = "zone:placeholder:" + std::to_string(n);
    s.scratch[key] = a.raw() ? *a.raw() : std::string();
    s.scratch[key + ":topic"] = t.web + "\n" + t.topic;
    std::string out(1, kZoneMarker);
    out += "RENDERZONE{" + std::to_string(n) + "}";
    out.push_back(kZoneMarker);
    return out;
  });
}

}  // namespace core_detail
}  // namespace cwiki

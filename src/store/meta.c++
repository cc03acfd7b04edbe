#include "store/meta.h"

#include <algorithm>
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
    out.emplace_back(std::string(args.substr(ks, eq - ks)),
                     meta_decode(args.substr(eq + 2, close - eq - 2), old_format));
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

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// Covers everything a writer puts in the file: the text and every item's
// type and attributes, in order.
uint64_t content_hash(const TopicDoc& d) {
  uint64_t h = fnv1a(14695981039346656037ULL, d.text);
  for (const auto& m : d.meta) {
    h = fnv1a(h, "\x01");
    h = fnv1a(h, m.type);
    for (const auto& [k, v] : m.attrs) {
      h = fnv1a(h, "\x02");
      h = fnv1a(h, k);
      h = fnv1a(h, "\x03");
      h = fnv1a(h, v);
    }
  }
  return h;
}

bool unchanged(const TopicDoc& d) {
  const auto& L = d.layout;
  if (!L || d.meta.size() != L->meta_count) return false;
  if (L->topicinfo_first_line && (d.meta.empty() || d.meta[0].type != "TOPICINFO")) return false;
  if (!L->old_format)
    for (const auto& m : d.meta)
      if (m.raw.empty()) return false;
  return content_hash(d) == L->text_hash;
}

int type_rank(std::string_view t) {
  static constexpr std::string_view order[] = {"TOPICINFO", "TOPICPARENT", "FORM",
                                               "FIELD",     "FILEATTACHMENT", "TOPICMOVED"};
  for (int i = 0; i < 6; ++i)
    if (order[i] == t) return i;
  return 6;
}

}  // namespace

const std::string* MetaItem::get(std::string_view key) const {
  for (const auto& [k, v] : attrs)
    if (k == key) return &v;
  return nullptr;
}

void MetaItem::set(std::string_view key, std::string value) {
  raw.clear();
  for (auto& [k, v] : attrs) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  attrs.emplace_back(std::string(key), std::move(value));
}

const MetaItem* TopicDoc::find(std::string_view type) const {
  for (const auto& m : meta)
    if (m.type == type) return &m;
  return nullptr;
}

MetaItem* TopicDoc::find(std::string_view type) {
  for (auto& m : meta)
    if (m.type == type) return &m;
  return nullptr;
}

std::vector<const MetaItem*> TopicDoc::find_all(std::string_view type) const {
  std::vector<const MetaItem*> out;
  for (const auto& m : meta)
    if (m.type == type) out.push_back(&m);
  return out;
}

const MetaItem* TopicDoc::find_named(std::string_view type, std::string_view name) const {
  for (const auto& m : meta)
    if (m.type == type) {
      const std::string* n = m.get("name");
      if (n && *n == name) return &m;
    }
  return nullptr;
}

void TopicDoc::put(MetaItem item) {
  item.raw.clear();
  const std::string* name = item.get("name");
  for (auto& m : meta) {
    if (m.type != item.type) continue;
    const std::string* n = m.get("name");
    if ((!name && !n) || (name && n && *n == *name)) {
      m = std::move(item);
      return;
    }
  }
  meta.push_back(std::move(item));
}

void TopicDoc::remove(std::string_view type, std::string_view name) {
  std::erase_if(meta, [&](const MetaItem& m) {
    if (m.type != type) return false;
    if (name.empty()) return true;
    const std::string* n = m.get("name");
    return n && *n == name;
  });
}

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

std::string meta_encode(std::string_view v) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(v.size());
  for (unsigned char c : v) {
    if (c == '%' || c == '"' || c == '\r' || c == '\n' || c == '{' || c == '}') {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string meta_line(const MetaItem& item) {
  std::vector<const std::pair<std::string, std::string>*> keys;
  const std::pair<std::string, std::string>* name = nullptr;
  for (const auto& kv : item.attrs) {
    if (kv.first == "name") name = &kv;
    else if (!(item.type == "TOPICINFO" && kv.first == "rev")) keys.push_back(&kv);
  }
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::string out = "%META:" + item.type + "{";
  bool first = true;
  auto emit = [&](const std::pair<std::string, std::string>& kv) {
    if (!first) out += ' ';
    first = false;
    out += kv.first;
    out += "=\"";
    out += meta_encode(kv.second);
    out += '"';
  };
  if (name && !name->second.empty()) emit(*name);
  for (auto* kv : keys) emit(*kv);
  out += "}%";
  return out;
}

TopicDoc parse_topic(std::string_view file) {
  TopicDoc t;
  TopicDoc::Layout L;
  bool old_format = false;
  size_t pos = 0;
  std::string_view type, args;

  // TOPICINFO counts only on the first line.
  size_t nl = file.find('\n');
  if (nl != std::string_view::npos && is_meta_line(file.substr(0, nl), type, args) &&
      type == "TOPICINFO") {
    MetaItem m{"TOPICINFO", read_key_values(args, false), std::string(file.substr(0, nl))};
    const std::string* fmt = m.get("format");
    old_format = !fmt || fmt->empty() ||
                 fmt->find_first_not_of("0123456789.") != std::string::npos ||
                 std::strtod(fmt->c_str(), nullptr) < 1.1;
    if (old_format) {
      m.attrs = read_key_values(args, true);
      m.set("format", "1.1");  // as Foswiki does on reading: a save writes the current format
    }
    t.meta.push_back(std::move(m));
    L.topicinfo_first_line = true;
    pos = nl + 1;
  }

  bool removed = false;
  size_t line_index = 0;
  t.text.reserve(file.size() - pos);
  while (pos < file.size()) {
    nl = file.find('\n', pos);
    if (nl == std::string_view::npos) {  // a last line without '\n' is never META
      t.text.append(file.substr(pos));
      break;
    }
    std::string_view line = file.substr(pos, nl - pos);
    if (is_meta_line(line, type, args) && (old_format || type != "TOPICINFO")) {
      MetaItem m{std::string(type), read_key_values(args, old_format), std::string(line)};
      if (old_format || valid_embedding(type, m)) {
        t.meta.push_back(std::move(m));
        L.meta_lines.push_back(line_index);
        removed = true;
        pos = nl + 1;
        ++line_index;
        continue;
      }
    }
    t.text.append(file.substr(pos, nl + 1 - pos));
    pos = nl + 1;
    ++line_index;
  }
  if (removed && !t.text.empty() && t.text.back() == '\n') {
    t.text.pop_back();
    L.newline_eaten = true;
  }
  if (old_format) {
    std::string expanded;
    expanded.reserve(t.text.size());
    for (char c : t.text) {
      if (c == '\t') expanded.append("   ");
      else expanded.push_back(c);
    }
    t.text.swap(expanded);
    L.old_format = true;
    L.old_raw = std::string(file);
  }
  L.meta_count = t.meta.size();
  L.text_hash = content_hash(t);
  t.layout = std::move(L);
  return t;
}

std::string serialize_topic(const TopicDoc& d) {
  if (!unchanged(d)) return serialize_canonical(d);
  const auto& L = *d.layout;
  if (L.old_format) return L.old_raw;
  std::string out;
  out.reserve(d.text.size() + 256 * d.meta.size() + 2);
  size_t m = 0;
  if (L.topicinfo_first_line) {
    out += d.meta[0].raw;
    out += '\n';
    m = 1;
  }
  std::string_view text = d.text;
  std::string with_newline;
  if (L.newline_eaten) {
    with_newline = d.text + "\n";
    text = with_newline;
  }
  // The body's lines are the text's lines with the META lines put back
  // where they were; every line but the last ends with '\n'.
  size_t tpos = 0;
  size_t next_meta = 0;
  for (size_t line = 0;; ++line) {
    if (next_meta < L.meta_lines.size() && L.meta_lines[next_meta] == line) {
      out += d.meta[m + next_meta].raw;
      out += '\n';
      ++next_meta;
      continue;
    }
    size_t e = text.find('\n', tpos);
    if (e == std::string_view::npos) {
      out.append(text.substr(tpos));
      break;
    }
    out.append(text.substr(tpos, e + 1 - tpos));
    tpos = e + 1;
  }
  return out;
}

std::string serialize_canonical(const TopicDoc& d) {
  bool keep_raw = !(d.layout && d.layout->old_format);
  auto line = [&](const MetaItem& m) { return keep_raw && !m.raw.empty() ? m.raw : meta_line(m); };
  std::string out;
  for (int rank = 0; rank < 2; ++rank)
    for (const auto& m : d.meta)
      if (type_rank(m.type) == rank) out += line(m) + "\n";
  out += d.text;
  // Reading takes one trailing newline away whenever META other than
  // TOPICINFO was found, so one is added here in that case.  (Foswiki adds
  // it only before trailing META, and so loses a newline of a topic that
  // has a parent but no trailing META; this writer keeps the text intact,
  // and Foswiki reads it back the same.)
  bool other_meta = false;
  for (const auto& m : d.meta)
    if (m.type != "TOPICINFO") other_meta = true;
  if (other_meta) out += '\n';
  for (int rank = 2; rank <= 6; ++rank)
    for (const auto& m : d.meta)
      if (type_rank(m.type) == rank) out += line(m) + "\n";
  return out;
}

}  // namespace cwiki

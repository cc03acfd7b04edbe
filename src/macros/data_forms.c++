#include "macros/data_forms.h"

#include <cctype>

#include "macros/data_templates.h"
#include "macros/data_util.h"
#include "macros/expand.h"
#include "store/names.h"

namespace cwiki {
namespace {

constexpr size_t kMaxFormFields = 1000;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The cells of a TML table row ("| a | b |"), or nullopt when `line` is no row.
std::optional<std::vector<std::string>> table_row(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view t = trim(line);
  if (t.size() < 2 || t.front() != '|' || t.back() != '|') return std::nullopt;
  std::vector<std::string> cells;
  std::string_view inner = t.substr(1, t.size() - 2);
  size_t i = 0;
  while (true) {
    size_t j = inner.find('|', i);
    if (j == std::string_view::npos) {
      cells.emplace_back(inner.substr(i));
      break;
    }
    cells.emplace_back(inner.substr(i, j - i));
    i = j + 1;
  }
  return cells;
}

// Removes <nop>, <!>, <noautolink> and their closing forms.
std::string strip_nop_tags(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size();) {
    if (v[i] == '<') {
      size_t j = i + 1;
      if (j < v.size() && v[j] == '/') ++j;
      for (std::string_view tag : {std::string_view("noautolink"), std::string_view("nop"),
                                   std::string_view("!")}) {
        if (v.compare(j, tag.size(), tag) == 0) {
          size_t k = j + tag.size();
          if (k < v.size() && v[k] == '/') ++k;
          if (k < v.size() && v[k] == '>') {
            i = k + 1;
            goto next;
          }
        }
      }
    }
    out.push_back(v[i++]);
  next:;
  }
  return out;
}

std::string url_decode_labels(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// ListFieldDefinition::getOptions, for the value map of +values types.
void load_options(Session& s, FieldDef& f, std::string_view form_web) {
  std::vector<std::string> vals;
  if (!f.value.empty()) {
    size_t i = 0;
    while (true) {
      size_t j = f.value.find(',', i);
      vals.push_back(f.value.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j + 1;
    }
    while (!vals.empty() && vals.back().empty()) vals.pop_back();
  }
  if (vals.empty()) {
    auto [w, t] = normalize_web_topic(s, form_web, f.defining_topic.empty() ? f.name : f.defining_topic);
    if (is_valid_web_name(w) && is_valid_topic_name(t)) {
      if (TopicPtr topic = s.store.read(w, t); topic && may_access(s, "VIEW", w, t, topic)) {
        std::string text = expand_inner(s, topic->doc.text, TopicRef{w, t});
        bool in_block = false;
        size_t pos = 0;
        while (pos < text.size()) {
          size_t nl = text.find('\n', pos);
          if (nl == std::string::npos) nl = text.size();
          std::string_view line(text.data() + pos, nl - pos);
          pos = nl + 1;
          auto row = table_row(line);
          if (row && !row->empty() && trim((*row)[0]) == "*Name*") {
            in_block = true;
          } else if (row && !row->empty()) {
            if (in_block) vals.emplace_back(trim((*row)[0]));
          } else {
            in_block = false;
          }
        }
      }
    }
  }
  for (auto& v : vals) {
    size_t k = 0;
    while (k < v.size() && is_space(v[k])) ++k;
    v.erase(0, k);
  }
  if (f.value_mapped()) {
    for (auto& v : vals) {
      // label=value, the '=' not escaped by a backslash
      size_t eq = std::string::npos;
      for (size_t k = v.size(); k-- > 1;)
        if (v[k] == '=' && v[k - 1] != '\\') {
          eq = k;
          break;
        }
      std::string label = v, value = v;
      if (eq != std::string::npos) {
        label = v.substr(0, eq);
        value = v.substr(eq + 1);
        for (size_t at; (at = label.find("\\=")) != std::string::npos;) label.replace(at, 2, "=");
      }
      f.value_map[value] = url_decode_labels(label);
      f.options.push_back(value);
    }
  } else {
    f.options = std::move(vals);
  }
}

}  // namespace

std::string FieldDef::display_value(std::string_view value) const {
  if (!value_mapped()) return std::string(value);
  // split /\s*,\s*/
  std::string out;
  size_t i = 0;
  bool first = true;
  while (i <= value.size()) {
    size_t j = value.find(',', i);
    if (j == std::string_view::npos) j = value.size();
    std::string_view item = value.substr(i, j - i);
    i = j + 1;
    if (j == value.size() && item.empty() && !first) break;
    std::string key(trim(item));
    if (!first) out += ", ";
    first = false;
    auto it = value_map.find(key);
    out += it != value_map.end() ? it->second : key;
    if (j == value.size()) break;
  }
  return out;
}

const FieldDef* FormDef::field(std::string_view name) const {
  for (const auto& f : fields)
    if (!f.name.empty() && f.name == name) return &f;
  return nullptr;
}

std::string field_title_to_name(std::string_view title) {
  std::string t;
  for (size_t i = 0; i < title.size(); ++i) {
    if (title.compare(i, 5, "<nop>") == 0) {
      i += 4;
      continue;
    }
    if (title[i] == '!') continue;
    t.push_back(title[i]);
  }
  std::string out;
  for (unsigned char c : t)
    if (std::isalnum(c) || c == '_' || c == '.' || c >= 0x80) out.push_back(static_cast<char>(c));
  return out;
}

std::shared_ptr<const FormDef> load_form(Session& s, std::string_view web, std::string_view form_name) {
  auto [fw, ft] = normalize_web_topic(s, web, form_name);
  if (!is_valid_web_name(fw) || !is_valid_topic_name(ft)) return nullptr;
  TopicPtr topic = s.store.read(fw, ft);
  if (!topic) return nullptr;
  if (!may_access(s, "VIEW", fw, ft, topic)) return nullptr;
  auto form = std::make_shared<FormDef>();
  form->web = fw;
  form->topic = ft;

  static const char* const kColumns[] = {"name", "type", "size", "value", "description",
                                         "attributes", "default"};
  std::string_view text = topic->doc.text;
  bool in_table = false, have_head = false;
  size_t pos = 0;
  while (pos <= text.size() && form->fields.size() < kMaxFormFields) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto row = table_row(line);
    if (!row) {
      if (in_table) break;  // only the first table counts
      if (nl == text.size()) break;
      continue;
    }
    in_table = true;
    std::map<std::string, std::string> cols;
    bool any_th = false;
    size_t col = 0;
    for (auto& raw : *row) {
      std::string_view cell = trim(raw);
      if (cell.size() >= 2 && cell.front() == '*' && cell.back() == '*') any_th = true;
      if (col < 7) cols[kColumns[col]] = std::string(cell);
      ++col;
    }
    if (!have_head && any_th) {  // a first row with header cells names the columns
      have_head = true;
      continue;
    }
    have_head = true;
    FieldDef f;
    f.type = cols["type"];
    for (char& c : f.type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (f.type.empty()) f.type = "text";
    auto clean = [&](std::string v) {
      if (v.find('%') != std::string::npos) v = expand_inner(s, v, TopicRef{fw, ft});
      v = strip_nop_tags(v);
      return std::string(trim(v));
    };
    f.value = clean(cols["value"]);
    if (cols.count("default")) {
      f.has_default = true;
      f.default_value = clean(cols["default"]);
    }
    for (char c : cols["attributes"])
      if (!is_space(c)) f.attributes.push_back(c);
    f.size = std::string(trim(cols["size"]));
    f.description = cols["description"];
    f.title = cols["name"];
    // [[DefiningTopic][Title]]
    if (f.title.rfind("[[", 0) == 0) {
      size_t mid = f.title.find("][");
      size_t end = f.title.rfind("]]");
      if (mid != std::string::npos && end != std::string::npos && end > mid) {
        f.defining_topic = field_title_to_name(expand_inner(s, f.title.substr(2, mid - 2), TopicRef{fw, ft}));
        f.title = f.title.substr(mid + 2, end - mid - 2);
      }
    }
    f.name = field_title_to_name(f.title);
    static const char* const kReserved[] = {
        "action",         "breaklock",    "contenttype", "cover",         "dontnotify",
        "editaction",     "forcenewrevision", "formtemplate", "onlynewtopic", "onlywikiname",
        "originalrev",    "skin",         "templatetopic", "text",         "topic",
        "topicparent",    "user"};
    for (const char* r : kReserved)
      if (f.name == r) f.name += '_';
    if (f.value_mapped()) load_options(s, f, fw);
    form->fields.push_back(std::move(f));
  }
  return form;
}

std::string protect_form_field_value(std::string_view value_in, const FieldDisplay& d) {
  std::string value(value_in);
  if (d.break_args && !d.break_args->empty()) {
    value = std::string(trim(value));
    value = break_name(value, *d.break_args);
  }
  if (d.protectdollar) {
    std::string out;
    for (size_t i = 0; i < value.size(); ++i) {
      out.push_back(value[i]);
      if (value[i] != '$') continue;
      for (std::string_view w : {"nop", "n", "quot", "percnt", "dollar"}) {
        if (value.compare(i + 1, w.size(), w) == 0) {
          out += "<nop>";
          break;
        }
      }
    }
    value.swap(out);
  }
  std::string newline = "<br />";
  if (d.newline) {
    newline.clear();
    for (size_t i = 0; i < d.newline->size(); ++i) {
      if ((*d.newline)[i] == '$' && i + 1 < d.newline->size() && (*d.newline)[i + 1] == 'n') {
        newline.push_back('\n');
        ++i;
      } else {
        newline.push_back((*d.newline)[i]);
      }
    }
  }
  std::string bar = d.bar && !d.bar->empty() ? *d.bar : "&#124;";
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n') continue;
    if (value[i] == '\n') out += newline;
    else if (value[i] == '|') out += bar;
    else out.push_back(value[i]);
  }
  return out;
}

std::string render_field(const FieldDef& f, std::string_view format_in, std::string_view value,
                         const FieldDisplay& d) {
  if (!d.showhidden && f.attributes.find('H') != std::string::npos) return "";
  std::string title = d.usetitle ? *d.usetitle : f.title;
  std::string format = replace_token(format_in, "title", title);
  if (format.find("$value(display)") != std::string::npos) {
    std::string vd = protect_form_field_value(f.display_value(value), d);
    std::string out;
    size_t p = 0;
    for (size_t at; (at = format.find("$value(display)", p)) != std::string::npos; p = at + 15) {
      out.append(format, p, at - p);
      out += vd;
    }
    out.append(format, p, std::string::npos);
    format.swap(out);
  }
  if (format.find("$value") != std::string::npos)
    format = replace_token(format, "value", protect_form_field_value(value, d));
  format = replace_token(format, "name", f.name);
  format = replace_token(format, "attributes", f.attributes);
  format = replace_token(format, "type", f.type);
  format = replace_token(format, "size", f.size);
  format = replace_token(format, "definingTopic", f.defining_topic.empty() ? "FIELD" : f.defining_topic);
  return nop_bang_wikiwords(format);
}

std::string render_form_field(Session& s, std::string_view web, const TopicDoc& doc,
                              std::string_view name_in, std::string_view format_in, FieldDisplay d) {
  std::string name(name_in);
  const MetaItem* mf = doc.find_named("FIELD", name);
  if (!mf) {
    name = field_title_to_name(name);
    mf = doc.find_named("FIELD", name);
  }
  if (!mf) return "";
  const std::string* stored = mf->get("value");
  std::string value = stored ? *stored : "";
  const std::string* mtitle = mf->get("title");
  if (const MetaItem* form = doc.find("FORM")) {
    if (const std::string* fname = form->get("name"); fname && !fname->empty()) {
      if (auto def = load_form(s, web, *fname)) {
        if (const FieldDef* f = def->field(name)) {
          if (mtitle) d.usetitle = *mtitle;
          else d.usetitle.reset();
          return render_field(*f, format_in, value, d);
        }
      }
    }
  }
  // no form definition: do what can be done with the stored field
  std::string format(format_in);
  if (size_t at = format.find("$title"); at != std::string::npos)
    format.replace(at, 6, mtitle ? *mtitle : "");
  std::string v = protect_form_field_value(value, d);
  if (size_t at = format.find("$value"); at != std::string::npos) {
    size_t end = at + 6;
    if (end < format.size() && format[end] == '(') {
      size_t close = format.find(')', end);
      if (close != std::string::npos) end = close + 1;
    }
    format.replace(at, end - at, v);
  }
  return format;
}

std::string render_form(Session& s, std::string_view web, const TopicDoc& doc) {
  const MetaItem* form = doc.find("FORM");
  if (!form) return "";
  const std::string* fname = form->get("name");
  if (!fname || fname->empty()) return "";
  std::string prefix;
  auto def = load_form(s, web, *fname);
  FormDef pseudo;
  if (!def) {
    prefix = data_alert(s, "formdef_missing", {*fname}, "Form definition '" + *fname + "' not found");
    auto [fw, ft] = normalize_web_topic(s, web, *fname);
    pseudo.web = fw;
    pseudo.topic = ft;
    for (const MetaItem* f : doc.find_all("FIELD")) {
      FieldDef fd;
      if (const std::string* n = f->get("name")) fd.name = *n;
      const std::string* t = f->get("title");
      fd.title = t && !t->empty() ? *t : fd.name;
      pseudo.fields.push_back(std::move(fd));
    }
  }
  const FormDef& fd = def ? *def : pseudo;
  std::string path = fd.web + "." + fd.topic;
  std::string text = replace_token(data_template(s, "formtables", "FORM:display:header").value_or(""),
                                   "title", path);
  std::string row_tmpl = data_template(s, "formtables", "FORM:display:row").value_or("");
  for (size_t at; (at = row_tmpl.find("%A_TITLE%")) != std::string::npos;) row_tmpl.replace(at, 9, "$title");
  for (size_t at; (at = row_tmpl.find("%A_VALUE%")) != std::string::npos;)
    row_tmpl.replace(at, 9, "$value(display)");
  bool all_hidden = true;
  for (const auto& f : fd.fields) {
    const MetaItem* fm = doc.find_named("FIELD", f.name);
    if (!fm) continue;
    if (f.attributes.find('H') != std::string::npos) continue;
    all_hidden = false;
    const std::string* v = fm->get("value");
    text += render_field(f, row_tmpl, v ? *v : "", FieldDisplay{});
  }
  if (all_hidden) return prefix;
  text += replace_token(data_template(s, "formtables", "FORM:display:footer").value_or(""), "title", path);
  for (size_t at; (at = text.find("%A_TITLE%")) != std::string::npos;) text.replace(at, 9, path);
  return prefix + text;
}

}  // namespace cwiki

// The data macros: META, FORMFIELD, FORMAT, EXPAND, PARENTTOPIC, TOPICLIST,
// WEBLIST, ICON, ICONURL, ICONURLPATH (the users and groups macros are in
// data_users.c++).  Each follows the Foswiki 2 macro of the same name.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>

#include "macros/data_format.h"
#include "macros/data_forms.h"
#include "macros/data_templates.h"
#include "macros/data_util.h"
#include "macros/expand.h"
#include "macros/registry.h"
#include "site/urls.h"
#include "store/names.h"
#include "tmpl/templates.h"
#include "util/escape.h"

namespace cwiki {

void register_data_user_macros();  // data_users.c++

namespace {

constexpr int kMaxParentDepth = 1000;  // TOPICPARENT chains followed at most

// Perl truth of an optional parameter.
bool perl_true(const std::string* v) { return v && !v->empty() && *v != "0"; }

// $params->{x} || fallback
std::string or_default(const Attrs& a, std::string_view name, std::string_view fallback) {
  const std::string* v = a.get(name);
  return perl_true(v) ? *v : std::string(fallback);
}

// Perl's numeric value of a string (leading integer; garbage is 0).
long long perl_int(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  bool neg = false;
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) neg = v[i++] == '-';
  long long n = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && n < 1000000000000LL)
    n = n * 10 + (v[i++] - '0');
  return neg ? -n : n;
}

// Store::cleanUpRevID: "r3", "1.3" and "3" are revision 3; 0 means none.
int clean_rev(std::string_view v) {
  if (v.size() >= 3 && (v.substr(0, 3) == "rev" || v.substr(0, 3) == "Rev")) v.remove_prefix(3);
  else if (!v.empty() && (v[0] == 'r' || v[0] == 'R')) v.remove_prefix(1);
  if (size_t dot = v.find('.'); dot != std::string_view::npos) v.remove_prefix(dot + 1);
  if (v.empty() || v.size() > 9) return 0;
  for (char c : v)
    if (!std::isdigit(static_cast<unsigned char>(c))) return 0;
  return std::stoi(std::string(v));
}

bool valid_topic(std::string_view web, std::string_view topic) {
  return is_valid_web_name(web) && is_valid_topic_name(topic);
}

// The topic a macro runs on, as loaded for the view: the revision asked for
// in the URL when it is the request's topic.
// Revision `rev` (0: the latest) of web.topic, shared; nullptr when missing.
TopicPtr read_topic(Session& s, const TopicRef& t, int rev) {
  if (!valid_topic(t.web, t.topic)) return nullptr;
  if (rev <= 0) return s.store.read(t.web, t.topic);
  auto snap = s.store.read_rev(t.web, t.topic, rev);
  return snap ? std::make_shared<const TopicSnapshot>(std::move(*snap)) : nullptr;
}

// The topic a macro runs on, as loaded for the view: the revision asked for
// in the URL when it is the request's topic.
TopicPtr load_context_topic(Session& s, const TopicRef& t) {
  int rev = 0;
  if (t.web == s.base.web && t.topic == s.base.topic)
    if (const std::string* r = s.params.get("rev")) rev = clean_rev(*r);
  return read_topic(s, t, rev);
}

std::string absolute_if(Session& s, std::string url, bool absolute) {
  if (absolute || s.absolute_urls || s.contexts.count("command_line") || s.contexts.count("absolute_urls"))
    return s.url_host + url;
  return url;
}

// ---- META ----

std::string render_parent(Session& s, const TopicRef& t, const TopicDoc& doc, const Attrs& a) {
  bool dont_recurse = perl_true(a.get("dontrecurse"));
  long long depth = perl_int(or_default(a, "depth", "0"));
  bool no_web_home = perl_true(a.get("nowebhome"));
  std::string prefix = or_default(a, "prefix", "");
  std::string suffix = or_default(a, "suffix", "");
  std::string sep = or_default(a, "separator", " &gt; ");
  std::string format = or_default(a, "format", "[[$web.$topic][$topic]]");
  if (t.web.empty() || t.topic.empty()) return "";
  std::set<std::string> visited{t.web + "." + t.topic};
  if (dont_recurse) depth = 1;
  std::vector<std::string> stack;
  std::string pweb = t.web;
  std::optional<std::string> parent;
  if (const MetaItem* p = doc.find("TOPICPARENT"))
    if (const std::string* n = p->get("name")) parent = *n;
  long long current = 0;
  while (parent && !parent->empty() && current < kMaxParentDepth) {
    ++current;
    auto [w, tp] = normalize_web_topic(s, pweb, *parent);
    pweb = w;
    std::string key = w + "." + tp;
    if ((no_web_home && tp == s.cfg.default_topic) || visited.count(key)) break;
    visited.insert(key);
    std::string text = replace_token(format, "web", w);
    text = replace_token(text, "topic", tp);
    if (depth == 0 || current == depth) stack.insert(stack.begin(), text);
    if (current == depth) break;
    parent.reset();
    if (valid_topic(w, tp))
      if (TopicPtr pt = s.store.read(w, tp))
        if (const MetaItem* p = pt->doc.find("TOPICPARENT"))
          if (const std::string* n = p->get("name")) parent = *n;
  }
  std::string text;
  for (size_t i = 0; i < stack.size(); ++i) {
    if (i) text += sep;
    text += stack[i];
  }
  if (!text.empty()) text = prefix + text + suffix;
  return text;
}

std::string render_moved(Session& s, const TopicRef& t, const TopicDoc& doc, const Attrs& a) {
  const MetaItem* moved = doc.find("TOPICMOVED");
  if (!moved) return "";
  auto get = [&](const char* k) {
    const std::string* v = moved->get(k);
    return v ? *v : std::string();
  };
  auto [from_web, from_topic] = normalize_web_topic(s, t.web, get("from"));
  auto [to_web, to_topic] = normalize_web_topic(s, t.web, get("to"));
  std::string by = get("by");
  if (!by.empty()) by = users_of(s).web_dot_wikiname(by);
  std::string date = format_time(perl_int(get("date")), "");
  std::string put_back;
  if (t.web == to_web && t.topic == to_topic) {
    put_back = " - <a href=\"" + html_escape(absolute_if(s, script_url(s.cfg, "rename", t.web, t.topic), false)) +
               "\" rel=\"nofollow\" title=\"Click to move topic back to previous location, with "
               "option to change references.\">Put it back...</a>";
  }
  std::string text = "<nop>" + to_web + ".<nop>" + to_topic + " was renamed or moved from <nop>" +
                     from_web + ".<nop>" + from_topic + " on " + date + " by " + by + put_back;
  return or_default(a, "prefix", "") + text + or_default(a, "suffix", "");
}

std::string format_file_size(long long bytes) {
  static const char* const kUnits[] = {"bytes", "K", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  double fs = static_cast<double>(bytes);
  int u = 0;
  while (fs >= 1024 && u < 8) {
    fs /= 1024;
    ++u;
  }
  long long size = static_cast<long long>(fs);
  std::string unit = kUnits[u];
  if (u == 0 && size == 1) unit = "byte";
  return std::to_string(size) + " " + unit;
}

std::string attachment_row(Session& s, const TopicRef& t, const MetaItem& att, std::string_view tmpl,
                           int num, bool is_last) {
  auto get = [&](const char* k) {
    const std::string* v = att.get(k);
    return v ? *v : std::string();
  };
  std::string file = get("name");
  Users& u = users_of(s);
  auto cuid = [&]() -> std::optional<std::string> {
    std::string user = get("author");
    if (user.empty()) user = get("user");
    if (user.empty()) user = "UnknownUser";
    if (auto c = u.cuid_of(user)) return c;
    auto ln = u.login_of(user);
    if (ln && *ln != "unknown") return user;
    return std::nullopt;
  };
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    bool a = tmpl.compare(i, 3, "%A_") == 0, r = tmpl.compare(i, 3, "%R_") == 0;
    size_t end = (a || r) ? tmpl.find('%', i + 3) : std::string_view::npos;
    bool word = end != std::string_view::npos && end > i + 3;
    for (size_t k = i + 3; word && k < end; ++k)
      if (!(std::isalnum(static_cast<unsigned char>(tmpl[k])) || tmpl[k] == '_')) word = false;
    if (!word) {
      out.push_back(tmpl[i++]);
      continue;
    }
    std::string attr(tmpl.substr(i + 3, end - i - 3));
    i = end + 1;
    if (r) {
      int n = num - 1;
      auto every = [&](std::string_view prefix) -> std::optional<long long> {
        if (attr.rfind(prefix, 0) != 0) return std::nullopt;
        long long k = perl_int(attr.substr(prefix.size()));
        return k > 0 ? std::optional<long long>(k) : std::nullopt;
      };
      if (auto k = every("STARTROW_")) out += n % *k == 0 ? "1" : "";
      else if (auto k2 = every("ENDROW_")) out += (is_last || n % *k2 == *k2 - 1) ? "1" : "";
      continue;
    }
    if (attr == "REV") out += get("version");
    else if (attr == "ICON") out += "%ICON{\"" + file + "\" default=\"else\"}%";
    else if (attr == "EXT") {
      size_t dot = file.rfind('.');
      if (dot != std::string::npos) out += file.substr(dot + 1);
    } else if (attr == "URL") {
      std::string url = script_url(s.cfg, "viewfile", t.web, t.topic);
      std::string q;
      if (!get("version").empty() && get("version") != "0") q += "rev=" + url_encode(get("version"));
      q += (q.empty() ? "" : "&") + std::string("filename=") + url_encode(file);
      out += absolute_if(s, url + "?" + q, false);
    } else if (attr == "FILESIZE") out += get("size");
    else if (attr == "SIZE") {
      long long size = perl_int(get("size"));
      out += format_file_size(size < 1 ? 1 : size);
    } else if (attr == "COMMENT") {
      for (char c : get("comment")) {
        if (c == '|') out += "&#124;";
        else out.push_back(c);
      }
    } else if (attr == "ATTRS") out += get("attr").empty() ? "&nbsp;" : get("attr");
    else if (attr == "FILE") out += file;
    else if (attr == "EFILE") {
      static const char hex[] = "0123456789abcdef";
      for (unsigned char c : file) {
        if (std::isalnum(c)) {
          out.push_back(static_cast<char>(c));
        } else {
          out.push_back('%');
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        }
      }
    } else if (attr == "DATE") out += format_time(perl_int(get("date")), "");
    else if (attr == "EPOCH") out += std::to_string(perl_int(get("date")));
    else if (attr == "USER") {
      auto c = cuid();
      out += c ? u.web_dot_wikiname(*c) : s.cfg.users_web + ".UnknownUser";
    } else if (attr == "USERNAME") {
      auto c = cuid();
      out += c ? u.wikiname_of(*c) : "UnknownUser";
    } else if (attr == "COUNT") out += std::to_string(num);
    else out += "%A_" + attr + "%";
  }
  return out;
}

std::string render_attachments(Session& s, const TopicRef& t, const TopicDoc& doc, const Attrs& a) {
  bool show_all = perl_true(a.get("all"));
  std::string suffix = show_all ? ":A" : "";
  std::string title = or_default(a, "title", "");
  std::string tmpl = or_default(a, "template", "attachtables");
  std::vector<const MetaItem*> atts = doc.find_all("FILEATTACHMENT");
  if (atts.empty()) return "";
  std::stable_sort(atts.begin(), atts.end(), [](const MetaItem* x, const MetaItem* y) {
    const std::string* a1 = x->get("name");
    const std::string* b1 = y->get("name");
    return (a1 ? *a1 : std::string()) < (b1 ? *b1 : std::string());
  });
  std::string row = data_template(s, tmpl, "ATTACH:files:row" + suffix).value_or("");
  std::vector<const MetaItem*> visible;
  for (const MetaItem* att : atts) {
    const std::string* attr = att->get("attr");
    bool ok = !attr || attr->empty();
    if (!ok && show_all) {
      ok = true;
      for (char c : *attr)
        if (c != 'h') ok = false;
    }
    if (ok) visible.push_back(att);
  }
  std::string rows;
  for (size_t i = 0; i < visible.size(); ++i)
    rows += attachment_row(s, t, *visible[i], row, static_cast<int>(i + 1), i + 1 == visible.size());
  std::string text;
  if (show_all || !rows.empty())
    text = data_template(s, tmpl, "ATTACH:files:header" + suffix).value_or("") + rows +
           data_template(s, tmpl, "ATTACH:files:footer" + suffix).value_or("");
  return title + text;
}

FieldDisplay display_from(const Attrs& a) {
  FieldDisplay d;
  d.showhidden = perl_true(a.get("showhidden"));
  if (const std::string* v = a.get("newline")) d.newline = *v;
  if (const std::string* v = a.get("bar")) d.bar = *v;
  if (const std::string* v = a.get("break")) d.break_args = *v;
  d.protectdollar = perl_true(a.get("protectdollar"));
  return d;
}

std::optional<std::string> META(Session& s, const Attrs& a, const TopicRef& t) {
  std::string option = or_default(a, "_DEFAULT", "");
  if (option != "form" && option != "formfield" && option != "attachments" && option != "moved" &&
      option != "parent")
    return std::string();
  auto snap = load_context_topic(s, t);
  TopicDoc empty;
  const TopicDoc& doc = snap ? snap->doc : empty;
  if (option == "form") return render_form(s, t.web, doc);
  if (option == "formfield")
    return render_form_field(s, t.web, doc, a.get_or("name", ""), "$value", display_from(a));
  if (option == "attachments") return render_attachments(s, t, doc, a);
  if (option == "moved") return render_moved(s, t, doc, a);
  return expand_standard_escapes(render_parent(s, t, doc, a));
}

// ---- FORMFIELD ----

std::optional<std::string> FORMFIELD(Session& s, const Attrs& a, const TopicRef& t) {
  TopicRef target = t;
  TopicPtr current;  // the context topic, when no topic= is given
  int rev = 0;
  if (perl_true(a.get("topic"))) {
    std::string web = or_default(a, "web", t.web);
    auto [w, tp] = normalize_web_topic(s, web, *a.get("topic"));
    target = {w, tp};
    if (const std::string* r = a.get("rev")) rev = clean_rev(*r);
  } else {
    const std::string* r = a.get("rev");
    if (!perl_true(r)) r = s.params.get("rev");
    if (r) rev = clean_rev(*r);
    current = load_context_topic(s, t);
  }
  const std::string* field_name = a.default_value();
  if (!field_name) return std::string();
  const std::string* dflt = a.get("default");
  // an empty field shows the default, whatever the format
  if (current) {
    if (const MetaItem* f = current->doc.find_named("FIELD", *field_name)) {
      const std::string* v = f->get("value");
      if (!v || v->empty()) return nop_bang_wikiwords(perl_true(dflt) ? *dflt : "");
    }
  }
  std::string alttext = a.get_or("alttext", "");
  std::string def = dflt ? *dflt : "";
  std::string format = a.has("format") ? *a.get("format") : "$value";

  TopicPtr topic = read_topic(s, target, rev);
  if (topic && !may_access(s, "VIEW", target.web, target.topic, topic)) topic.reset();

  std::string text;
  const MetaItem* field = topic ? topic->doc.find_named("FIELD", *field_name) : nullptr;
  if (field) {
    const std::string* name = field->get("name");
    FieldDisplay d;
    d.showhidden = true;
    d.newline = "$n";
    if (const std::string* title = field->get("title")) d.usetitle = *title;
    text = render_form_field(s, target.web, topic->doc, name ? *name : *field_name, format, d);
    if (text.empty()) text = def;
  } else {
    text = alttext;
  }
  if (text.find("$form") != std::string::npos) {
    std::string fname;
    if (topic)
      if (const MetaItem* f = topic->doc.find("FORM"))
        if (const std::string* n = f->get("name")) fname = *n;
    text = replace_token(text, "formname", fname, false);
    text = replace_token(text, "form", fname, false);
  }
  return nop_bang_wikiwords(expand_standard_escapes(text));
}

// ---- FORMAT ----

std::optional<std::string> FORMAT(Session& s, const Attrs& a, const TopicRef& t) {
  std::string list_str = a.get_or("_DEFAULT", "");
  std::vector<std::string> list = split_comma_list(list_str);
  FormatOptions o;
  o.separator = expand_standard_escapes(a.has("separator") ? *a.get("separator") : std::string("$n"));
  std::string type = or_default(a, "type", "topic");
  if (const std::string* f = a.get("format")) o.format = *f;
  if (const std::string* h = a.get("header")) o.header = *h;
  if (const std::string* f = a.get("footer")) o.footer = *f;
  if (const std::string* n = a.get("newline")) o.newline = *n;
  o.nonoise = foswiki_is_true(a.get("nonoise"));
  o.nototal = foswiki_is_true(a.get("nototal"), o.nonoise);
  o.expandvariables = foswiki_is_true(a.get("expandvariables"));
  o.search_type = a.has("type") ? *a.get("type") : s.pref("SEARCHVARDEFAULTTYPE");
  o.base_web = s.base.web;
  o.base_topic = s.base.topic;
  std::vector<FormatItem> items;
  items.reserve(list.size());
  for (const auto& entry : list) {
    FormatItem it;
    if (type == "string") {
      it.item = entry;
    } else {
      // Search::_makeTopicPattern, plus '.' for Web.Topic
      std::string clean;
      for (size_t i = 0; i < entry.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(entry[i]);
        if (std::isalnum(c) || c >= 0x80 || c == '_' || c == '-' || c == '+' || c == '.' || c == '/')
          clean.push_back(static_cast<char>(c));
        else if (c == '*')
          clean += ".*";
      }
      auto [w, tp] = normalize_web_topic(s, t.web, clean);
      it.is_topic = true;
      it.web = w;
      it.topic = tp;
      it.item = w + "." + tp;
    }
    items.push_back(std::move(it));
  }
  return expand_standard_escapes(format_results(s, items, o).text);
}

// ---- EXPAND ----

std::optional<std::string> EXPAND(Session& s, const Attrs& a, const TopicRef&) {
  const std::string* macro = a.default_value();
  if (!perl_true(macro)) return data_alert(s, "EXPAND_nomacro", {}, "EXPAND failed - no macro");
  std::string text = expand_standard_escapes(*macro);
  if (const std::string* scope = a.get("scope"); perl_true(scope)) {
    auto [w, tp] = normalize_web_topic(s, s.base.web, *scope);
    if (!valid_topic(w, tp) || !s.store.topic_exists(w, tp))
      return data_alert(s, "EXPAND_noscope", {*scope}, "EXPAND failed - no such topic '" + *scope + "' ");
    if (!may_access(s, "VIEW", w, tp))
      return data_alert(s, "EXPAND_noaccess", {*scope}, "EXPAND failed - access to '" + *scope + "' denied");
    TopicRef where{w, tp};
    s.push_topic_context(where);
    std::string out = expand_macros(s, text, where);
    s.pop_topic_context();
    return out;
  }
  return expand_macros(s, text, s.base);
}

// ---- PARENTTOPIC ----

std::optional<std::string> PARENTTOPIC(Session& s, const Attrs& a, const TopicRef& t) {
  TopicRef target = t;
  if (const std::string* topic = a.get("topic")) {
    auto [w, tp] = normalize_web_topic(s, t.web, *topic);
    target = {w, tp};
  }
  Attrs params = a;
  params.set("dontrecurse", foswiki_is_true(a.get("recurse")) ? "0" : "1");
  auto snap = load_context_topic(s, target);
  TopicDoc empty;
  return expand_standard_escapes(render_parent(s, target, snap ? snap->doc : empty, params));
}

// ---- TOPICLIST / WEBLIST ----

// $name followed by no word character (Perl's \$name\b).
std::string replace_word_token(std::string_view text, std::string_view name, std::string_view value) {
  return replace_tokens(
      text,
      [&](std::string_view t, size_t i) -> size_t {
        size_t n = token_at(t, i, name, false), after = i + n;
        bool word = n && after < t.size() &&
                    (std::isalnum(static_cast<unsigned char>(t[after])) || t[after] == '_' ||
                     static_cast<unsigned char>(t[after]) >= 0x80);
        return word ? 0 : n;
      },
      value);
}

std::string marker_for(const std::string& selection, const std::string& item, const std::string& marker) {
  return selection.find(" " + item + " ") != std::string::npos ? marker : std::string();
}

std::string padded_selection(const Attrs& a) {
  std::string sel = or_default(a, "selection", "");
  for (char& c : sel)
    if (c == ',') c = ' ';
  return " " + sel + " ";
}

std::optional<std::string> TOPICLIST(Session& s, const Attrs& a, const TopicRef&) {
  std::string format = or_default(a, "_DEFAULT", "");
  if (format.empty()) format = or_default(a, "format", "$topic");
  std::string sep = or_default(a, "separator", "\n");
  if (size_t at = sep.find("$n"); at != std::string::npos) sep.replace(at, 2, "\n");
  std::string selection = padded_selection(a);
  std::string marker = or_default(a, "marker", "selected=\"selected\"");
  std::string web = or_default(a, "web", s.base.web);
  for (char& c : web)
    if (c == '.') c = '/';
  if (!is_valid_web_name(web) || !s.store.web_exists(web)) return std::string();
  if (!a.has("web") && web != s.base.web) {
    std::string nsa = web_preference(s, web, "NOSEARCHALL");
    if (foswiki_is_true(&nsa)) return std::string();
  }
  if (!may_access(s, "VIEW", web, "")) return std::string();
  std::string out;
  bool first = true;
  for (const auto& item : s.store.topics(web)) {
    if (!may_access(s, "VIEW", web, item)) continue;
    std::string line = replace_word_token(format, "web", web);
    line = replace_word_token(line, "topic", item);
    line = replace_word_token(line, "name", item);
    line = replace_token(line, "qname", "\"" + item + "\"");
    line = replace_token(line, "marker", marker_for(selection, item, marker));
    if (!first) out += sep;
    first = false;
    out += expand_standard_escapes(line);
    if (out.size() > kMaxExpansionBytes) break;
  }
  return out;
}

// Foswiki::WebFilter::ok for "user,public,allowed" and "template,allowed".
bool web_filter_ok(Session& s, std::string_view web, bool templates) {
  bool is_template = web.starts_with("_") || web.find("/_") != std::string_view::npos;
  if (templates && !is_template) return false;
  if (web == s.base.web) return true;
  if (!templates && is_template) return false;
  if (!s.store.web_exists(web)) return false;
  if (!templates) {
    std::string nsa = web_preference(s, web, "NOSEARCHALL");
    if (foswiki_is_true(&nsa) && !users_of(s).is_admin(current_cuid(s))) return false;
  }
  return may_access(s, "VIEW", web, "");
}

std::optional<std::string> WEBLIST(Session& s, const Attrs& a, const TopicRef&) {
  std::vector<std::string> webs = split_comma_list(or_default(a, "webs", "public"));
  std::string root = a.get_or("subwebs", "");
  std::string web_param = or_default(a, "web", "");
  for (char& c : web_param)
    if (c == '.') c = '/';
  std::string format = or_default(a, "_DEFAULT", "");
  if (format.empty()) format = or_default(a, "format", "$name");
  std::string sep = expand_standard_escapes(or_default(a, "separator", "\n"));
  std::string selection = padded_selection(a);
  std::string marker = or_default(a, "marker", "selected=\"selected\"");

  std::vector<std::string> list;
  for (const auto& w : webs) {
    if (w == "public" || w == "webtemplate") {
      std::string r = normalize_web(root);
      if (!r.empty() && (!is_valid_web_name(r) || !s.store.web_exists(r))) continue;
      for (const auto& sub : s.store.webs(r, true, true))
        if (web_filter_ok(s, sub, w == "webtemplate")) list.push_back(sub);
    } else if (is_valid_web_name(w) && s.store.web_exists(normalize_web(w))) {
      list.push_back(w);
    }
  }
  // Foswiki writes %TMPL:P{"webListIndent"}%, which the page's templates
  // (foswiki.tmpl) define; expanded here, with the standard block when the
  // request has read no template that defines it.
  std::string indent;
  if (format.find("$indentedname") != std::string::npos) {
    Templates& tm = templates_of(s);
    indent = tm.have("webListIndent") ? tm.expand("\"webListIndent\"")
                                      : data_template(s, "foswiki", "webListIndent").value_or("");
  }
  std::string out;
  for (size_t k = 0; k < list.size(); ++k) {
    const std::string& item = list[k];
    std::string line = replace_word_token(format, "web", web_param);
    line = replace_word_token(line, "name", item);
    line = replace_token(line, "qname", "\"" + item + "\"");
    if (line.find("$indentedname") != std::string::npos) {
      std::string ind = item;
      while (!ind.empty() && ind.back() == '/') ind.pop_back();
      // every "Component/" becomes one indent
      std::string shown;
      size_t start = 0;
      for (size_t i = 0; i < ind.size(); ++i) {
        if (ind[i] == '/') {
          shown += indent;
          start = i + 1;
        }
      }
      shown += ind.substr(start);
      line = replace_token(line, "indentedname", shown);
    }
    line = replace_token(line, "marker", marker_for(selection, item, marker));
    if (k) out += sep;
    out += expand_standard_escapes(line);
    if (out.size() > kMaxExpansionBytes) break;
  }
  return out;
}

// ---- ICON, ICONURL, ICONURLPATH ----

// Foswiki's default _filetypes.txt of System.DocumentGraphics: extension, icon.
const std::map<std::string, std::string>& builtin_filetypes() {
  static const std::map<std::string, std::string> m = [] {
    static const char* const kPairs =
        "abs wav aif wav aiff wav arc zip arj zip as as au wav avi mov b64 zip bat bat bhx zip "
        "bmp bmp c c cab zip class java cmd bat cpp c css css dll dll doc doc else else eml eml "
        "email eml exe exe fla fla fon fon gif gif h h hlp hlp hqx zip htm html html html ico bmp "
        "inf txt ini txt java java jfif jpg jpe jpg jpeg jpg jpg jpg js js jse js lzh zip m1v mov "
        "mid wav mim zip mail mail mda mdb mdb mdb mde mdb mov mov mp2 wav mp3 mp3 mp4 mov mpa mov "
        "mpe mov mpeg mov mpega wav mpegv mov mpg mov mpv mov mpv2 mov pcx gif pdf pdf perl pl "
        "pfm ttf pl pl pm pl png png pot ppt ppa ppt pps ppt ppt ppt proj sniff ps ps psd psd "
        "pwz ppt py py ra ram ram ram reg reg rm ram rmi wav rtf doc sh sh shared sniff shtml html "
        "sniff sniff svg svg swf swf tar zip taz zip text txt tgz zip tif png tiff png ttf ttf "
        "txt txt tz zip vbs mov vector vector vsd vsd wav wav wri wri xbm bmp xla xls xlb xls "
        "xlc xls xld xls xlk xls xll xls xlm xls xls xls xlt xls xlw xls xml xml xsl xsl z zip "
        "zip zip";
    std::map<std::string, std::string> out;
    std::string_view v(kPairs);
    std::vector<std::string> words;
    size_t i = 0;
    while (i < v.size()) {
      size_t j = v.find(' ', i);
      if (j == std::string_view::npos) j = v.size();
      if (j > i) words.emplace_back(v.substr(i, j - i));
      i = j + 1;
    }
    for (size_t k = 0; k + 1 < words.size(); k += 2) out[words[k]] = words[k + 1];
    return out;
  }();
  return m;
}

struct IconSpace {
  bool loaded = false;
  bool found = false;  // ICONTOPIC names an existing topic
  std::string web, topic;
  const std::map<std::string, std::string>* ext2icon = nullptr;  // builtin or own
  std::map<std::string, std::string> own_ext2icon;  // from its _filetypes.txt
  std::unordered_map<std::string, bool> exists;     // attachment name -> exists
};

// The topic named by ICONTOPIC and its extension map (its _filetypes.txt, or
// Foswiki's default one); nullptr when there is no such topic.  Built once
// per request, with the attachments looked up so far.
IconSpace* icon_space(Session& s) {
  IconSpace& sp = s.memo<IconSpace>("data:icon-space");
  if (sp.loaded) return sp.found ? &sp : nullptr;
  sp.loaded = true;
  std::optional<std::string> pref = s.prefs.get("ICONTOPIC");
  if (!pref) return nullptr;
  std::string name = *pref;
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
  auto [w, tp] = normalize_web_topic(s, s.base.web, name);
  if (!valid_topic(w, tp) || !s.store.topic_exists(w, tp)) {
    s.log.write(LogLevel::warning, 301, "ICONTOPIC " + w + "." + tp + " does not exist");
    return nullptr;
  }
  sp.found = true;
  sp.web = w;
  sp.topic = tp;
  sp.ext2icon = &builtin_filetypes();
  std::optional<std::string> data = s.store.read_attachment(w, tp, "_filetypes.txt");
  if (!data) return &sp;
  std::vector<std::string> words;
  std::string_view v = std::string_view(*data).substr(0, 1u << 20);
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    size_t j = i;
    while (j < v.size() && !std::isspace(static_cast<unsigned char>(v[j]))) ++j;
    if (j > i) words.emplace_back(v.substr(i, j - i));
    i = j;
  }
  for (size_t k = 0; k + 1 < words.size(); k += 2) {
    bool ok = true;
    for (char c : words[k] + words[k + 1])
      if (!std::isalnum(static_cast<unsigned char>(c))) ok = false;
    if (ok) sp.own_ext2icon[words[k]] = words[k + 1];
  }
  sp.ext2icon = &sp.own_ext2icon;
  return &sp;
}

bool icon_exists(Session& s, IconSpace& sp, const std::string& file) {
  auto [it, fresh] = sp.exists.try_emplace(file, false);
  if (fresh)
    it->second =
        is_valid_attachment_name(file) && s.store.attachment_exists(sp.web, sp.topic, file);
  return it->second;
}

// _lookupIcon: the file (an attachment of ICONTOPIC) of the icon for a name
// or file name.
std::optional<std::string> lookup_icon(Session& s, IconSpace& sp, const std::string* choice) {
  if (!choice) return std::nullopt;
  std::string f;
  f.reserve(choice->size() + 4);
  for (const char* ext : {".png", ".gif"}) {
    f.assign(*choice).append(ext);
    if (icon_exists(s, sp, f)) return f;
  }
  size_t dot = choice->rfind('.');
  if (dot == std::string::npos || dot + 1 == choice->size()) return std::nullopt;
  std::string ext = choice->substr(dot + 1);
  for (char c : ext)
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
  auto it = sp.ext2icon->find(ext);
  if (it == sp.ext2icon->end()) return std::nullopt;
  if (icon_exists(s, sp, it->second + ".png")) return it->second + ".png";
  return it->second + ".gif";
}

// _getIconURL; nullopt when not even the "else" icon exists.
std::optional<std::string> icon_url(Session& s, const Attrs& a, bool absolute) {
  IconSpace* sp = icon_space(s);
  if (!sp) return std::nullopt;
  std::optional<std::string> file = lookup_icon(s, *sp, a.default_value());
  if (!file) file = lookup_icon(s, *sp, a.get("default"));
  static const std::string kElse = "else";
  if (!file) file = lookup_icon(s, *sp, &kElse);
  if (!file) return std::nullopt;
  return absolute_if(s, pub_url(s.cfg, sp->web, sp->topic, *file), absolute);
}

std::optional<std::string> ICONURL(Session& s, const Attrs& a, const TopicRef&) {
  return icon_url(s, a, true).value_or("");
}

std::optional<std::string> ICONURLPATH(Session& s, const Attrs& a, const TopicRef&) {
  return icon_url(s, a, false).value_or("");
}

std::optional<std::string> ICON(Session& s, const Attrs& a, const TopicRef&) {
  std::string name = or_default(a, "_DEFAULT", "");
  if (name.empty()) name = or_default(a, "default", "else");
  if (auto html = data_template(s, "icons", "icon:" + name); html && !html->empty()) return *html;
  std::string url = icon_url(s, a, false).value_or("");
  std::string alt = or_default(a, "alt", "");
  if (alt.empty()) alt = or_default(a, "_DEFAULT", "");
  if (alt.empty()) alt = or_default(a, "default", "else");
  std::string html = data_template(s, "icons", "icon:image").value_or("");
  html = [&] {
    std::string out;
    size_t done = 0;
    for (size_t i = html.find('%'); i != std::string::npos; i = html.find('%', i + 1)) {
      std::string_view rest = std::string_view(html).substr(i);
      std::string_view value;
      size_t n = 0;
      if (rest.starts_with("%URL%")) value = url, n = 5;
      else if (rest.starts_with("%WIDTH%")) value = "16", n = 7;
      else if (rest.starts_with("%HEIGHT%")) value = "16", n = 8;
      else if (rest.starts_with("%ALT%")) value = alt, n = 5;
      else continue;
      out.append(html, done, i - done).append(value);
      done = i + n;
      i = done - 1;
    }
    return out.append(html, done, std::string::npos);
  }();
  std::string quote = or_default(a, "quote", "");
  if (quote.empty() || html.find(quote) != std::string::npos) return html;
  size_t q = html.find_first_of("'\"");
  if (q == std::string::npos) return html;
  char qc = html[q];
  std::string out;
  for (char c : html) {
    if (c == qc) out += quote;
    else out.push_back(c);
  }
  return out;
}

}  // namespace

void register_data_macros() {
  register_macro("META", META);
  register_macro("FORMFIELD", FORMFIELD);
  register_macro("FORMAT", FORMAT);
  register_macro("EXPAND", EXPAND);
  register_macro("PARENTTOPIC", PARENTTOPIC);
  register_macro("TOPICLIST", TOPICLIST);
  register_macro("WEBLIST", WEBLIST);
  register_macro("ICON", ICON);
  register_macro("ICONURL", ICONURL);
  register_macro("ICONURLPATH", ICONURLPATH);
  register_data_user_macros();
}

}  // namespace cwiki

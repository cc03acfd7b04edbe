#include "macros/data_format.h"

#include <algorithm>
#include <cctype>

#include "macros/data_forms.h"
#include "macros/data_regex.h"
#include "macros/data_util.h"
#include "macros/expand.h"
#include "store/names.h"
#include "tml/render.h"

namespace cwiki {
namespace {

constexpr size_t kSummaryLimit = 162;     // $SUMMARY_TMLTRUNC
constexpr size_t kSummaryMin = 16;        // $SUMMARY_MINTRUNC
constexpr size_t kChangesLines = 6;       // $CHANGES_SUMMARY_LINECOUNT
constexpr size_t kChangesPlainTrunc = 70; // $CHANGES_SUMMARY_PLAINTRUNC
constexpr size_t kMaxFormatOutput = 32u << 20;

size_t utf8_chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// Byte offset of character number `n` (or the size).
size_t utf8_offset(std::string_view s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == n) return i;
      ++count;
    }
  }
  return s.size();
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string replace_all_str(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  std::string out;
  size_t p = 0;
  for (size_t at; (at = s.find(from, p)) != std::string::npos; p = at + from.size()) {
    out.append(s, p, at - p);
    out.append(to);
  }
  if (p == 0) return s;
  out.append(s, p, std::string::npos);
  return out;
}

// Everything a topic item needs, read once.
struct TopicData {
  std::string web, topic;
  TopicPtr snap;  // nullptr: the topic does not exist
  RevInfo info;   // of the latest revision
  bool rev1_loaded = false;
  RevInfo rev1;
};

TopicData load_topic(Session& s, std::string_view web, std::string_view topic) {
  TopicData d;
  d.web = std::string(web);
  d.topic = std::string(topic);
  if (is_valid_web_name(web) && is_valid_topic_name(topic)) d.snap = s.store.read(web, topic);
  if (d.snap) {
    d.info = d.snap->info;
  } else {
    d.info.version = 0;
    d.info.date = 0;
    d.info.author = std::string(kGuestCuid);
  }
  return d;
}

const RevInfo& rev1_of(Session& s, TopicData& d) {
  if (!d.rev1_loaded) {
    d.rev1_loaded = true;
    if (d.snap) {
      auto h = s.store.history(d.web, d.topic);
      if (!h.empty()) d.rev1 = h.back();
      else d.rev1 = d.info;
    } else {
      d.rev1 = d.info;
    }
  }
  return d.rev1;
}

// Render::renderRevisionInfo's user names for an author cUID.
struct AuthorNames {
  std::string wikiusername, wikiname, username;
};

AuthorNames author_names(Session& s, const std::string& author) {
  AuthorNames n;
  if (author.empty()) return n;
  Users& u = users_of(s);
  std::optional<std::string> cuid = u.cuid_of(author);
  if (author == kUnknownCuid) cuid = author;
  if (!cuid) {
    auto ln = u.login_of(author);
    if (ln && *ln != "unknown") cuid = author;
  }
  if (cuid) {
    n.wikiusername = u.web_dot_wikiname(*cuid);
    n.wikiname = u.wikiname_of(*cuid);
    n.username = u.login_of(*cuid).value_or("");
  }
  if (n.wikiusername.empty() || n.wikiname.empty() || n.username.empty()) {
    // whatever the store says, with a mapping prefix and _xx escapes undone
    std::string user = author;
    size_t us = user.find("Mapping_");
    if (us != std::string::npos && us > 0 && std::isupper(static_cast<unsigned char>(user[0]))) {
      bool ok = true;
      for (size_t k = 1; k < us; ++k)
        if (!std::isalpha(static_cast<unsigned char>(user[k]))) ok = false;
      if (ok) user = user.substr(us + 8);
    }
    std::string dec;
    for (size_t k = 0; k < user.size(); ++k) {
      auto hexv = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'a' + 10; };
      if (user[k] == '_' && k + 2 < user.size() &&
          (std::isdigit(static_cast<unsigned char>(user[k + 1])) || (user[k + 1] >= 'a' && user[k + 1] <= 'f')) &&
          (std::isdigit(static_cast<unsigned char>(user[k + 2])) || (user[k + 2] >= 'a' && user[k + 2] <= 'f'))) {
        dec.push_back(static_cast<char>(hexv(user[k + 1]) * 16 + hexv(user[k + 2])));
        k += 2;
      } else {
        dec.push_back(user[k]);
      }
    }
    if (n.wikiusername.empty()) n.wikiusername = dec;
    if (n.wikiname.empty()) n.wikiname = dec;
    if (n.username.empty()) n.username = dec;
  }
  return n;
}

// Render::renderRevisionInfo for a single "$key".
std::string rev_info_token(Session& s, const RevInfo& info, std::string_view key) {
  if (key == "rev") return std::to_string(info.version);
  if (key == "date") return format_time(info.date, "$day $month $year");
  if (key == "longdate") return format_time(info.date, "$longdate");
  if (key == "iso") return format_time(info.date, "$iso");
  AuthorNames n = author_names(s, info.author);
  if (key == "wikiusername") return n.wikiusername;
  if (key == "wikiname") return n.wikiname;
  if (key == "username") return n.username;
  return "";
}

std::string rev1_token(Session& s, TopicData& d, std::string_view key) {
  const RevInfo& r = rev1_of(s, d);
  Users& u = users_of(s);
  if (key == "createusername") return u.login_of(r.author).value_or("");
  if (key == "createwikiname") return u.wikiname_of(r.author);
  if (key == "createwikiusername") return u.web_dot_wikiname(r.author);
  return format_time(r.date, "$longdate");  // createlongdate
}

// Foswiki::validatePattern: an unescaped $ or @ is escaped.
std::string validate_pattern(std::string_view p) {
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    if ((p[i] == '$' || p[i] == '@') && (i == 0 || p[i - 1] != '\\')) {
      // the character before must not have been consumed by a previous escape
      out.push_back('\\');
    }
    out.push_back(p[i]);
  }
  return out;
}

std::string extract_pattern(std::string_view text, std::string_view pattern, bool encode) {
  CaptureRegex re(validate_pattern(pattern), CaptureRegex::kCaseless | CaptureRegex::kDotAll);
  std::string out;
  auto m = re.find(text);
  if (!m) return "";
  out.append(text.substr(0, m->begin));
  out.append(m->group(text, 1));
  out.append(text.substr(m->end));
  if (encode) {
    // undo the standard escapes (including Foswiki's quirk of appending $dollar)
    std::string t;
    if (!out.empty() && out.back() == '\n') t = out.substr(0, out.size() - 1) + "$dollar\n$dollar";
    else t = out + "$dollar";
    std::string e;
    for (char c : t) {
      switch (c) {
        case '&': e += "$amp()"; break;
        case '>': e += "$gt()"; break;
        case '<': e += "$lt()"; break;
        case '%': e += "$percent()"; break;
        case '"': e += "$quot()"; break;
        case '\n': e += "$n()"; break;
        default: e.push_back(c);
      }
    }
    out.swap(e);
  }
  return out;
}

size_t count_pattern(std::string_view text, std::string_view pattern) {
  CaptureRegex re(validate_pattern(pattern));
  return re.count(text);
}

// "$name(" ... ")" whose argument ends in ".*": the length of the whole
// token and its argument (Foswiki's \$name\((.*?\s*\.\*)\)).
size_t pattern_token(std::string_view s, size_t i, std::string_view name, std::string& arg) {
  if (s.compare(i, 1 + name.size() + 1, "$" + std::string(name) + "(") != 0) return 0;
  size_t start = i + name.size() + 2;
  size_t k = s.find(".*)", start);
  if (k == std::string_view::npos) return 0;
  arg = std::string(s.substr(start, k + 2 - start));
  return k + 3 - i;
}

// "$name" optionally followed by "(args)" without ')' inside: the length, and args.
size_t param_token(std::string_view s, size_t i, std::string_view name, std::optional<std::string>& args) {
  if (s[i] != '$' || s.compare(i + 1, name.size(), name) != 0) return 0;
  size_t n = 1 + name.size();
  args.reset();
  if (i + n < s.size() && s[i + n] == '(') {
    size_t close = s.find(')', i + n + 1);
    if (close != std::string_view::npos) {
      args = std::string(s.substr(i + n + 1, close - i - n - 1));
      n = close + 1 - i;
    }
  }
  return n;
}

std::string display_form_field(Session& s, TopicData& d, std::string_view args,
                               const std::optional<std::string>& newline) {
  if (!d.snap) return "";
  std::vector<std::string> parts = split_comma_list(args);
  if (parts.empty()) return "";
  std::string name = parts[0];
  std::string format = "$value";
  size_t first = 1;
  if (parts.size() > 1 && parts[1] == "display") {
    format = "$value(display)";
    first = 2;
  }
  std::string break_args;
  for (size_t k = first; k < parts.size(); ++k) {
    if (k > first) break_args += ',';
    break_args += parts[k];
  }
  FieldDisplay fd;
  fd.break_args = break_args;
  fd.protectdollar = true;
  fd.showhidden = true;
  fd.newline = newline && !newline->empty() ? *newline : std::string("<br />");
  return render_form_field(s, d.web, d.snap->doc, name, format, fd);
}

std::string topic_parent(const TopicData& d) {
  if (!d.snap) return "";
  const MetaItem* p = d.snap->doc.find("TOPICPARENT");
  const std::string* n = p ? p->get("name") : nullptr;
  return n ? *n : "";
}

std::string form_name(const TopicData& d) {
  if (!d.snap) return "";
  const MetaItem* f = d.snap->doc.find("FORM");
  const std::string* n = f ? f->get("name") : nullptr;
  return n ? *n : "";
}

// Meta::summariseChanges in its plain form, reduced to a line comparison.
std::string summarise_changes(Session& s, TopicData& d, int orev_in, int nrev) {
  if (!d.snap) return "";
  if (nrev <= 0) nrev = d.info.version;
  int orev = orev_in >= 0 ? orev_in : nrev - 1;
  if (orev == nrev) return "";
  RenderContext rc;
  rc.web = d.web;
  rc.topic = d.topic;
  auto text_of = [&](int rev) -> std::string {
    if (rev <= 0) return "";
    if (rev == d.info.version) return d.snap->doc.text;
    auto snap = s.store.read_rev(d.web, d.topic, rev);
    return snap ? snap->doc.text : std::string();
  };
  std::string ntext = tml_to_plain(text_of(nrev), rc, "showvar showmeta");
  if (orev <= 0) return summarise_text(s, d.web, d.topic, ntext, "");
  std::string otext = tml_to_plain(text_of(orev), rc, "showvar showmeta");
  auto lines = [](const std::string& t) {
    std::vector<std::string> v;
    size_t p = 0;
    while (p <= t.size()) {
      size_t nl = t.find_first_of("\r\n", p);
      if (nl == std::string::npos) nl = t.size();
      if (nl > p) v.push_back(t.substr(p, nl - p));
      p = nl + 1;
    }
    return v;
  };
  auto a = lines(otext), b = lines(ntext);
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  std::vector<std::string> out;
  auto cut = [](std::string l) {
    if (utf8_chars(l) > kChangesPlainTrunc) l = l.substr(0, utf8_offset(l, kChangesPlainTrunc)) + "...";
    return l;
  };
  if (pre > 0 && (pre < a.size() - suf || pre < b.size() - suf)) out.push_back(cut(a[pre - 1]));
  for (size_t k = pre; k < a.size() - suf && out.size() < kChangesLines; ++k) out.push_back(cut("-" + a[k]));
  for (size_t k = pre; k < b.size() - suf && out.size() < kChangesLines; ++k) out.push_back(cut("+" + b[k]));
  if (out.size() < kChangesLines && suf > 0 && (pre < a.size() - suf || pre < b.size() - suf))
    out.push_back(cut(b[b.size() - suf]));
  if (out.empty() || (pre == a.size() && pre == b.size())) return summarise_text(s, d.web, d.topic, ntext, "");
  std::string joined;
  for (size_t k = 0; k < out.size(); ++k) {
    if (k) joined += '\n';
    joined += out[k];
  }
  return protect_plain_text(joined);
}

struct Counters {
  int ntopics = 0, nhits = 0, ttopics = 0, thits = 0;
};

std::string non_topic_pass(std::string out, const Counters& c, const std::string& item) {
  out = replace_token(out, "ntopics", std::to_string(c.ntopics));
  out = replace_token(out, "nhits", std::to_string(c.nhits));
  out = replace_token(out, "index", std::to_string(c.thits));
  out = replace_token(out, "item", item);
  return out;
}

// Search::formatResult for one result.
std::string format_one(Session& s, std::string out, const FormatItem& it, TopicData* d,
                       const std::string* text_in, const Counters& c, const FormatOptions& o) {
  out = non_topic_pass(std::move(out), c, it.item);
  std::string text;
  if (d) {
    // the topic tokens, each with an optional (args) that is consumed
    static const char* const kKeys[] = {"createlongdate", "createusername", "createwikiusername",
                                        "createwikiname", "wikiusername",   "wikiname",
                                        "username",       "longdate",       "topic",
                                        "date",           "web",            "rev",
                                        "iso"};
    std::string r;
    r.reserve(out.size());
    for (size_t i = 0; i < out.size();) {
      if (out[i] != '$') {
        r.push_back(out[i++]);
        continue;
      }
      size_t n = 0;
      std::string value;
      for (const char* key : kKeys) {
        std::optional<std::string> args;
        n = param_token(out, i, key, args);
        if (!n) continue;
        std::string_view k(key);
        if (k.starts_with("create")) value = rev1_token(s, *d, k);
        else if (k == "web") value = d->web;
        else if (k == "topic") value = args ? break_name(d->topic, *args) : d->topic;
        else value = rev_info_token(s, d->info, k);
        if (k == "topic" && args && args->empty()) value = d->topic;
        break;
      }
      if (n) {
        r += value;
        i += n;
      } else {
        r.push_back(out[i++]);
      }
    }
    out.swap(r);
    if (out.find("$text") != std::string::npos) {
      text = text_in ? *text_in : (d->snap ? d->snap->doc.text : std::string());
      if (d->topic == s.base.topic) {
        // defuse SEARCH in the current topic
        static const CaptureRegex search_re("%SEARCH\\{.*?\\}%");
        text = replace_all_matches(search_re, text, [](const CaptureRegex::Match&) {
          return std::string("SEARCH{...}");
        });
      }
      out = replace_all_str(out, "$text", text);
    }
  }
  out = non_topic_pass(std::move(out), c, it.item);
  {
    int rev = d ? d->info.version : 0;
    std::string srev = rev <= 1 ? "<span class=\"foswikiNew\">NEW</span>" : "r" + std::to_string(rev);
    if (size_t at = out.find("%REVISION%"); at != std::string::npos) out.replace(at, 10, srev);
  }
  if (d) {
    const std::string body = text_in ? *text_in : (d->snap ? d->snap->doc.text : std::string());
    std::string r;
    for (size_t i = 0; i < out.size();) {
      if (out[i] != '$') {
        r.push_back(out[i++]);
        continue;
      }
      std::optional<std::string> args;
      std::string arg;
      size_t n;
      if ((n = param_token(out, i, "summary", args))) {
        r += summarise_text(s, d->web, d->topic, body, args.value_or(""));
      } else if ((n = param_token(out, i, "changes", args))) {
        int orev = -1;
        if (args) {
          std::string a = *args;
          size_t k = 0;
          while (k < a.size() && !std::isdigit(static_cast<unsigned char>(a[k]))) ++k;
          orev = k < a.size() ? std::atoi(a.c_str() + k) : 0;
        }
        r += summarise_changes(s, *d, orev, d->info.version);
      } else if (out.compare(i, 11, "$formfield(") == 0 && out.find(')', i) != std::string::npos) {
        size_t close = out.find(')', i);
        std::string a = out.substr(i + 11, close - i - 11);
        while (!a.empty() && is_space(a.front())) a.erase(0, 1);
        r += display_form_field(s, *d, a, o.newline);
        n = close + 1 - i;
      } else if ((n = param_token(out, i, "parent", args))) {
        r += args ? break_name(topic_parent(*d), *args) : topic_parent(*d);
      } else if ((n = param_token(out, i, "formname", args))) {
        r += form_name(*d);
        if (args) r += "(" + *args + ")";
      } else if ((n = pattern_token(out, i, "count", arg))) {
        r += std::to_string(count_pattern(body, arg));
      } else if ((n = pattern_token(out, i, "extract", arg))) {
        r += extract_pattern(body, arg, true);
      } else if ((n = pattern_token(out, i, "pattern", arg))) {
        r += extract_pattern(body, arg, false);
      } else {
        r.push_back(out[i++]);
        continue;
      }
      i += n;
    }
    out.swap(r);
  }
  if (o.newline && !o.newline->empty()) {
    std::string r;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == '\r' && i + 1 < out.size() && out[i + 1] == '\n') continue;
      if (out[i] == '\n') r += *o.newline;
      else r.push_back(out[i]);
    }
    out.swap(r);
  }
  if (!o.separator) {
    if (!(o.nototal && !o.format)) {
      if (!out.empty() && out.back() != '\n') out.push_back('\n');
    }
  }
  return out;
}

std::string counts_in(std::string text, const std::string& web, int ntopics, int nhits, int index) {
  text = replace_token(text, "web", web);
  text = replace_token(text, "ntopics", std::to_string(ntopics));
  text = replace_token(text, "nhits", std::to_string(nhits));
  text = replace_token(text, "index", std::to_string(index));
  return replace_all_str(text, "%NTOPICS%", std::to_string(ntopics));
}

}  // namespace

std::string protect_plain_text(std::string_view text) {
  static const CaptureRegex words(
      "((?:[[:upper:]]+[[:alnum:]_]*(?:[./][[:upper:]]+[[:alnum:]_]*)*\\.)?"
      "(?:[[:upper:]]+[[:lower:][:digit:]]+[[:upper:]]+[[:alnum:]]*|[[:upper:]]{3,}s?\\b))");
  std::string out = replace_all_matches(words, text, [&](const CaptureRegex::Match& m) {
    return "<nop>" + std::string(m.group(text, 1));
  });
  std::string r;
  for (char c : out) {
    if (c == '@' || c == '%') {
      r += "<nop>";
      r.push_back(c);
      r += "<nop>";
    } else {
      r.push_back(c);
    }
  }
  return r;
}

std::string summarise_text(Session& s, std::string_view web, std::string_view topic,
                           std::string_view text, std::string_view flags) {
  RenderContext rc;
  rc.web = std::string(web);
  rc.topic = std::string(topic);
  rc.pref = [&s](std::string_view n) { return s.prefs.get(n); };
  std::string plain = tml_to_plain(text, rc, flags);
  {
    std::string r;
    for (size_t i = 0; i < plain.size(); ++i) {
      if (plain[i] == '\n') {
        while (i + 1 < plain.size() && plain[i + 1] == '\n') ++i;
        r.push_back(' ');
      } else {
        r.push_back(plain[i]);
      }
    }
    plain.swap(r);
  }
  size_t limit = kSummaryLimit;
  for (size_t i = 0; i < flags.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(flags[i]))) {
      // the first run of digits (^.*?([0-9]+).*$)
      size_t j = i;
      while (j < flags.size() && std::isdigit(static_cast<unsigned char>(flags[j]))) ++j;
      std::string_view digits = flags.substr(i, j - i);
      limit = digits.size() > 9 ? 1000000000 : std::stoul(std::string(digits));
      break;
    }
  }
  if (limit < kSummaryMin) limit = kSummaryMin;
  if (utf8_chars(plain) >= limit) plain = plain.substr(0, utf8_offset(plain, limit)) + "...";
  // make it safe for further rendering
  std::string r;
  for (size_t i = 0; i < plain.size(); ++i) {
    char c = plain[i];
    if (c == '$') {
      r += "$<nop>";
    } else if (c == ':') {
      r += "<nop>:";
    } else if (is_space(c)) {
      while (i + 1 < plain.size() && is_space(plain[i + 1])) ++i;
      r.push_back(' ');
    } else {
      r.push_back(c);
    }
  }
  return protect_plain_text(r);
}

FormatOutput format_results(Session& s, const std::vector<FormatItem>& items, const FormatOptions& o) {
  FormatOutput result;
  std::vector<std::string> parts;
  size_t produced = 0;
  auto emit = [&](std::string t) {
    produced += t.size();
    if (produced <= kMaxFormatOutput) parts.push_back(std::move(t));
  };

  std::string header = o.header.value_or("");
  std::string footer = o.footer.value_or("");
  bool format_defined = o.format.has_value();
  std::string format = o.format.value_or("");
  // SEARCH formats of old: map to the revision-info tokens
  format = replace_all_str(format, "$createdate", "$createlongdate");
  format = replace_all_str(format, "$isodate", "$iso");
  format = replace_all_str(format, "%TIME%", "$date");
  {
    std::string r;
    for (size_t i = 0; i < format.size();) {
      if (format.compare(i, 5, "$date") == 0) {
        r += "$longdate";
        i += 5;
      } else {
        r.push_back(format[i++]);
      }
    }
    format.swap(r);
  }
  format = replace_all_str(format, "%WEB%", "$web");
  format = replace_all_str(format, "%TOPICNAME%", "$topic");
  format = replace_all_str(format, "%AUTHOR%", "$wikiusername");

  bool no_header = header.empty() && format_defined;
  bool header_done = no_header;
  Counters c;
  std::string base_web = o.base_web.empty() ? s.base.web : o.base_web;
  std::string web = base_web, last_web;
  for (const FormatItem& it : items) {
    if (produced > kMaxFormatOutput) break;
    std::optional<TopicData> data;
    if (it.is_topic) {
      data = load_topic(s, it.web, it.topic);
      web = it.web;
    }
    std::string text;
    bool have_text = false;
    if (data && format_defined) {
      text = data->snap ? data->snap->doc.text : std::string();
      if (o.expandvariables) {
        if (data->web == base_web && data->topic == (o.base_topic.empty() ? s.base.topic : o.base_topic))
          text = replace_all_str(text, "%SEARCH", "%<nop>SEARCH");
        text = expand_inner(s, text, TopicRef{data->web, data->topic});
      }
      have_text = true;
    }
    c.ntopics += 1;
    c.ttopics += 1;
    std::vector<std::string> hits = it.hit_lines;
    std::reverse(hits.begin(), hits.end());
    do {
      c.nhits += 1;
      c.thits += 1;
      if (!hits.empty()) {
        text = hits.back();
        hits.pop_back();
        have_text = true;
      }
      bool just_did = false;
      if (o.group_by_web && last_web != web) {
        if (!last_web.empty()) {
          std::string f = footer;
          if (!o.nototal && o.footercounter) f += *o.footercounter;
          if (!f.empty()) {
            emit(counts_in(f, last_web, c.ntopics - 1, c.nhits - 1, c.thits));
            just_did = true;
          }
        }
        header_done = false;
      }
      if (last_web != web) {
        last_web = web;
        c.ntopics = 1;
        c.nhits = 1;
      }
      if (!header_done && !header.empty()) {
        std::string h = replace_token(header, "web", web);
        if (!o.separator && !h.empty() && h.back() != '\n') h.push_back('\n');
        header_done = true;
        std::string color = web_preference(s, web, "WEBBGCOLOR");
        h = replace_all_str(h, "%WEBBGCOLOR%", color.empty() ? "\\#FF00FF" : color);
        h = replace_all_str(h, "%WEB%", web);
        h = replace_token(h, "ntopics", std::to_string(c.ntopics - 1));
        h = replace_token(h, "nhits", std::to_string(c.nhits - 1));
        h = replace_token(h, "index", std::to_string(c.thits - 1));
        emit(std::move(h));
        just_did = true;
      }
      if (o.separator && c.thits > 1 && !just_did) emit(*o.separator);
      if (format_defined && !format.empty())
        emit(format_one(s, format, it, data ? &*data : nullptr, have_text ? &text : nullptr, c, o));
    } while (!hits.empty());
  }
  result.ntopics = c.ntopics;
  std::optional<std::string> end;
  if (c.ntopics == 0) {
    if (!o.nototal && o.footercounter) end = *o.footercounter;
  } else {
    end = footer;
    if (!o.nototal && o.footercounter) *end += *o.footercounter;
  }
  if (end) emit(counts_in(*end, web, c.ntopics, c.nhits, c.thits));
  std::string out;
  size_t total = 0;
  for (auto& p : parts) total += p.size();
  out.reserve(total);
  for (auto& p : parts) out += p;
  result.text = std::move(out);
  return result;
}

}  // namespace cwiki

#include "http/router.h"

#include <vector>

#include "store/names.h"
#include "util/chars.h"
#include "util/escape.h"

namespace cwiki {
namespace {

struct Parsed {
  std::string web, topic;
  bool has_web = false, has_topic = false;
  std::string invalid;  // the offending component, when the path is invalid
  bool invalid_is_web = false;
};

bool starts_with_segment(std::string_view path, std::string_view prefix) {
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// Foswiki's Request::parse.  `topic_flag` is set for a `topic=` parameter,
// where a single component is a topic rather than a web.
Parsed parse_address(std::string_view q, const NameOracle& names) {
  Parsed r;
  if (q.empty()) return r;
  bool topic_flag = true;
  if (q.front() == '/') {
    topic_flag = false;
    while (!q.empty() && q.front() == '/') q.remove_prefix(1);
  }
  bool trailing_slash = false;
  if (!q.empty() && q.back() == '/') {
    trailing_slash = true;
    q.remove_suffix(1);
  }
  // split on runs of '/' and '.'; like Perl's split, a leading separator
  // yields an empty first component (which then fails validation).
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < q.size()) {
    size_t j = find_any(q, "/.", i);
    if (j == std::string_view::npos) j = q.size();
    parts.push_back(q.substr(i, j - i));
    i = j;
    while (i < q.size() && (q[i] == '/' || q[i] == '.')) ++i;
  }
  if (parts.empty()) return r;

  if (parts.size() == 1) {
    if (topic_flag) {
      if (is_valid_topic_name(parts[0])) {
        r.topic = std::string(parts[0]);
        r.has_topic = true;
      } else {
        r.invalid = std::string(parts[0]);
      }
    } else {
      if (is_valid_web_component(parts[0])) {
        r.web = std::string(parts[0]);
        r.has_web = true;
      } else {
        r.invalid = std::string(parts[0]);
        r.invalid_is_web = true;
      }
    }
    return r;
  }

  std::string webs;
  auto join = [&](std::string_view p) { return webs.empty() ? std::string(p) : webs + "/" + std::string(p); };
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string_view p = parts[k];
    bool last = k + 1 == parts.size();
    if (!is_valid_topic_name(p)) {  // the lax check first, as Foswiki does
      r.invalid = std::string(p);
      r.invalid_is_web = !(last && !trailing_slash);
      return r;
    }
    if (last) {
      if (trailing_slash && names.web_exists(join(p))) {
        webs = join(p);
      } else if (names.topic_exists(webs, p)) {
        r.topic = std::string(p);
        r.has_topic = true;
      } else if (names.web_exists(join(p)) || trailing_slash) {
        webs = join(p);
      } else {
        r.topic = std::string(p);
        r.has_topic = true;
      }
    } else {
      if (!is_valid_web_component(p)) {
        r.invalid = std::string(p);
        r.invalid_is_web = true;
        return r;
      }
      webs = join(p);
    }
  }
  r.web = webs;
  r.has_web = !webs.empty();
  return r;
}

Route reject(int status, std::string msg) {
  Route r;
  r.status = status;
  r.message = std::move(msg);
  return r;
}

Route invalid_name(const Parsed& p) {
  std::string shown = p.invalid.size() > 80 ? p.invalid.substr(0, 80) + "..." : p.invalid;
  if (!is_valid_utf8(shown)) shown = "(not valid UTF-8)";
  return reject(400, std::string(p.invalid_is_web ? "Invalid web name" : "Invalid topic name") +
                       " \"" + shown + "\": it breaks the wiki's naming rules.");
}

// Refuses what no valid address can contain, before any parsing.
std::string precheck(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return "The address contains a NUL byte.";
  if (s.size() > kMaxWebPathBytes + kMaxNameBytes + 2) return "The address is too long.";
  if (s.find("..") != std::string_view::npos) return "The address contains \"..\".";
  if (!is_valid_utf8(s)) return "The address is not valid UTF-8.";
  return "";
}

}  // namespace

Route route(const Config& cfg, std::string_view path, const Params& params,
            const NameOracle& names) {
  Route r;
  std::string_view info;
  if (starts_with_segment(path, cfg.script_url_path)) {
    std::string_view rest = path.substr(cfg.script_url_path.size());
    while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    size_t slash = rest.find('/');
    std::string_view action = rest.substr(0, slash);
    info = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (action.empty()) action = "view";
    for (char c : action)
      if (!(c >= 'a' && c <= 'z'))
        return reject(404, "There is no action \"" +
                             std::string(is_valid_utf8(action) && action.size() < 80 ? action : "?") +
                             "\" on this wiki.");
    r.action = std::string(action);
  } else if (!cfg.view_url_path.empty() && starts_with_segment(path, cfg.view_url_path)) {
    r.action = "view";
    r.short_url = true;
    info = path.substr(cfg.view_url_path.size());
  } else {
    return reject(404, "This address is not part of the wiki.");
  }

  if (auto e = precheck(info); !e.empty()) return reject(400, e);
  const std::string* topic_param = params.get("topic");
  if (topic_param && !topic_param->empty()) {
    if (auto e = precheck(*topic_param); !e.empty()) return reject(400, e);
  }

  Parsed p = parse_address(topic_param && !topic_param->empty() ? std::string_view(*topic_param)
                                                                 : info,
                           names);
  if (!p.invalid.empty()) return invalid_name(p);
  std::string topic = p.has_topic ? ucfirst(p.topic) : std::string();
  if (topic_param && !topic_param->empty() && !p.has_web) {
    p = parse_address(info, names);  // the web then comes from the path
    if (!p.invalid.empty()) return invalid_name(p);
  }
  std::string web = p.has_web ? p.web : std::string();

  if (web.empty()) {
    const std::string* dw = params.get("defaultweb");
    web = dw && !dw->empty() ? normalize_web(*dw) : cfg.default_web;
  }
  if (topic.empty()) topic = cfg.default_topic;

  if (!is_valid_web_name(web)) {
    Parsed bad;
    bad.invalid = web;
    bad.invalid_is_web = true;
    return invalid_name(bad);
  }
  if (!is_valid_topic_name(topic)) {
    Parsed bad;
    bad.invalid = topic;
    return invalid_name(bad);
  }
  r.web = std::move(web);
  r.topic = std::move(topic);
  return r;
}

}  // namespace cwiki

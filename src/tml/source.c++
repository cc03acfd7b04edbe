#include "tml/source.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "tml/text.h"

namespace cwiki::tml {
namespace {

enum class Tag : uint8_t { verbatim, literal, pre, textarea, script, style, head, input, sticky, pi, doctype };

struct Candidate {
  size_t pos;
  Tag tag;
  bool close;
};

struct NameInfo {
  std::string_view name;
  Tag tag;
};

constexpr NameInfo kNames[] = {
    {"verbatim", Tag::verbatim}, {"literal", Tag::literal}, {"pre", Tag::pre},
    {"textarea", Tag::textarea}, {"script", Tag::script},   {"style", Tag::style},
    {"head", Tag::head},         {"input", Tag::input},
};

bool word_at(std::string_view s, size_t i) { return i < s.size() && is_word(char_at(s, i)); }

class Finder {
 public:
  explicit Finder(Source& src) : src_(src), s_(src.text) {}

  void run() {
    collect();
    take_out_blocks(Tag::verbatim, "verbatim", RegionKind::verbatim);
    take_out_blocks(Tag::literal, "literal", RegionKind::literal);
    processing_instructions();
    doctypes();
    lazy_pairs(Tag::head, "head", false);
    lazy_pairs(Tag::textarea, "textarea", true);
    lazy_pairs(Tag::script, "script", true);
    lazy_pairs(Tag::style, "style", true);
    stickies();
    take_out_blocks(Tag::pre, "pre", RegionKind::pre);
    line_joins();
    inputs();
  }

 private:
  // One pass over the text: every '<' that may start a tag of interest.
  void collect() {
    const size_t n = s_.size();
    for (size_t p = find_byte_of<'<'>(s_, 0); p < n; p = find_byte_of<'<'>(s_, p + 1)) {
      size_t q = p + 1;
      bool close = q < n && s_[q] == '/';
      if (close) ++q;
      if (q >= n) break;
      const char c = ascii_lower(s_[q]);
      if (!close && c == '?') {
        cands_.push_back({p, Tag::pi, false});
      } else if (!close && c == '!') {
        if (starts_with_ci(s_, q + 1, "doctype")) cands_.push_back({p, Tag::doctype, false});
      } else if (s_[q] == 's' && s_.compare(q, 6, "sticky") == 0 && q + 6 < n && s_[q + 6] == '>') {
        cands_.push_back({p, Tag::sticky, close});
      } else if (c >= 'h' && c <= 'v') {
        if (!close && c == 'h' && starts_with_ci(s_, q, "ho") && !word_at(s_, q + 2))
          src_.has_ho = true;
        for (const NameInfo& ni : kNames) {
          if (ni.name[0] == c && starts_with_ci(s_, q, ni.name)) {
            cands_.push_back({p, ni.tag, close});
            break;
          }
        }
      }
    }
  }

  // --- region bookkeeping ---------------------------------------------------

  // Index into src_.top of the first top-level region ending after `pos`.
  size_t first_top_after(size_t pos) const {
    auto it = std::upper_bound(src_.top.begin(), src_.top.end(), pos,
                               [&](size_t v, uint32_t r) { return v < src_.regions[r].end; });
    return static_cast<size_t>(it - src_.top.begin());
  }

  bool inside_region(size_t pos) const {
    size_t i = first_top_after(pos);
    return i < src_.top.size() && src_.regions[src_.top[i]].begin <= pos;
  }

  // First position >= from, outside regions, holding byte c (or npos).
  // `stop_at_region` makes a region count as a stop (reports its start).
  size_t find_outside(size_t from, char c, bool stop_at_region = false) const {
    size_t ti = first_top_after(from);
    size_t p = from;
    while (p < s_.size()) {
      size_t limit = s_.size();
      if (ti < src_.top.size()) {
        const Region& r = src_.regions[src_.top[ti]];
        if (r.begin <= p) {
          if (stop_at_region && r.kind != RegionKind::erase) return p;
          p = r.end;
          ++ti;
          continue;
        }
        limit = r.begin;
      }
      const void* hit = std::memchr(s_.data() + p, c, limit - p);
      if (hit) return static_cast<const char*>(hit) - s_.data();
      p = limit;
    }
    return std::string::npos;
  }

  void add_regions(std::vector<Region>& fresh) {
    if (fresh.empty()) return;
    std::vector<uint32_t> merged;
    merged.reserve(src_.top.size() + fresh.size());
    size_t oi = 0;
    for (Region& r : fresh) {
      while (oi < src_.top.size() && src_.regions[src_.top[oi]].begin < r.begin)
        merged.push_back(src_.top[oi++]);
      while (oi < src_.top.size() && src_.regions[src_.top[oi]].end <= r.end)
        r.children.push_back(src_.top[oi++]);
      src_.regions.push_back(std::move(r));
      merged.push_back(static_cast<uint32_t>(src_.regions.size() - 1));
    }
    while (oi < src_.top.size()) merged.push_back(src_.top[oi++]);
    src_.top.swap(merged);
    fresh.clear();
  }

  // --- the kinds, in Foswiki's order ------------------------------------------

  // <tag ...> ... </tag> with nesting; an unclosed block runs to the end.
  void take_out_blocks(Tag tag, std::string_view name, RegionKind kind) {
    std::vector<Region> fresh;
    int depth = 0;
    size_t open_begin = 0, open_end = 0, params_b = 0, params_e = 0;
    size_t token_end = 0;  // tokens do not overlap
    for (const Candidate& c : cands_) {
      if (c.tag != tag || c.pos < token_end || inside_region(c.pos)) continue;
      size_t name_end = c.pos + 1 + (c.close ? 1 : 0) + name.size();
      size_t gt = find_outside(name_end, '>');
      if (gt == std::string::npos) break;  // no further tokens
      token_end = gt + 1;
      bool is_open = !c.close && !word_at(s_, name_end);
      bool is_close = c.close && gt == name_end;
      if (is_open) {
        if (++depth == 1) {
          open_begin = c.pos;
          open_end = gt + 1;
          params_b = name_end;
          params_e = gt;
        }
      } else if (is_close && depth > 0) {
        if (--depth == 0) {
          Region r;
          r.begin = open_begin;
          r.end = gt + 1;
          r.content_begin = open_end;
          r.content_end = c.pos;
          r.params_begin = params_b;
          r.params_end = params_e;
          r.kind = kind;
          fresh.push_back(std::move(r));
        }
      }
    }
    if (depth > 0) {
      Region r;
      r.begin = open_begin;
      r.end = s_.size();
      r.params_begin = params_b;
      r.params_end = params_e;
      if (open_end < s_.size()) {
        r.content_begin = open_end;
        r.content_end = s_.size();
        r.kind = kind;
      } else {
        r.kind = RegionKind::erase;  // nothing after the tag: the tag just vanishes
      }
      fresh.push_back(std::move(r));
    }
    add_regions(fresh);
  }

  void raw_region(std::vector<Region>& fresh, size_t b, size_t e, RegionKind kind) {
    Region r;
    r.begin = r.content_begin = b;
    r.end = r.content_end = e;
    r.kind = kind;
    fresh.push_back(std::move(r));
  }

  // <?...?> (no '?' inside).
  void processing_instructions() {
    std::vector<Region> fresh;
    size_t next = 0;
    for (const Candidate& c : cands_) {
      if (c.tag != Tag::pi || c.pos < next || inside_region(c.pos)) continue;
      size_t q = find_outside(c.pos + 2, '?');
      if (q == std::string::npos) break;
      if (q + 1 < s_.size() && s_[q + 1] == '>') {
        raw_region(fresh, c.pos, q + 2, RegionKind::raw);
        next = q + 2;
      }
    }
    add_regions(fresh);
  }

  // <!DOCTYPE ...> up to the first '<' or '>' (a '>' is included).
  void doctypes() {
    std::vector<Region> fresh;
    size_t next = 0;
    for (const Candidate& c : cands_) {
      if (c.tag != Tag::doctype || c.pos < next || inside_region(c.pos)) continue;
      size_t gt = find_outside(c.pos + 9, '>', true);
      size_t lt = find_outside(c.pos + 9, '<', true);
      size_t e;
      if (gt != std::string::npos && (lt == std::string::npos || gt < lt)) {
        e = gt + (s_[gt] == '>' ? 1 : 0);
      } else {
        e = lt == std::string::npos ? s_.size() : lt;
      }
      raw_region(fresh, c.pos, e, RegionKind::raw);
      next = e;
    }
    add_regions(fresh);
  }

  // <tag ... </tag>, shortest; `boundary` requires a non-word character
  // after the tag name of the opening tag.
  void lazy_pairs(Tag tag, std::string_view name, bool boundary) {
    std::vector<Region> fresh;
    size_t next = 0;
    size_t ci = 0;  // scan position among the candidates for closing tags
    for (size_t i = 0; i < cands_.size(); ++i) {
      const Candidate& c = cands_[i];
      if (c.tag != tag || c.close || c.pos < next || inside_region(c.pos)) continue;
      if (boundary && word_at(s_, c.pos + 1 + name.size())) continue;
      size_t from = c.pos + 1 + name.size();
      if (ci < i) ci = i;
      size_t found = std::string::npos;
      for (; ci < cands_.size(); ++ci) {
        const Candidate& d = cands_[ci];
        if (d.tag != tag || !d.close || d.pos < from) continue;
        size_t gt = d.pos + 2 + name.size();
        if (gt >= s_.size() || s_[gt] != '>' || inside_region(d.pos)) continue;
        found = gt + 1;
        break;
      }
      if (found == std::string::npos) break;
      raw_region(fresh, c.pos, found, RegionKind::raw);
      next = found;
    }
    add_regions(fresh);
  }

  void stickies() {
    std::vector<Region> fresh;
    for (const Candidate& c : cands_) {
      if (c.tag != Tag::sticky || inside_region(c.pos)) continue;
      raw_region(fresh, c.pos, c.pos + (c.close ? 9 : 8), RegionKind::erase);
    }
    add_regions(fresh);
  }

  void line_joins() {
    std::vector<Region> fresh;
    size_t p = 0;
    while ((p = find_outside(p, '\\')) != std::string::npos) {
      if (p + 1 < s_.size() && s_[p + 1] == '\n') {
        raw_region(fresh, p, p + 2, RegionKind::erase);
        p += 2;
      } else {
        ++p;
      }
    }
    add_regions(fresh);
  }

  void inputs() {
    std::vector<Region> fresh;
    size_t next = 0;
    for (const Candidate& c : cands_) {
      if (c.tag != Tag::input || c.close || c.pos < next || inside_region(c.pos)) continue;
      if (word_at(s_, c.pos + 6)) continue;
      // Foswiki hides <nop> while it looks for the end of the tag.
      size_t gt = find_outside(c.pos + 6, '>');
      while (gt != std::string::npos && gt >= 4 && s_.compare(gt - 4, 5, "<nop>") == 0)
        gt = find_outside(gt + 1, '>');
      if (gt == std::string::npos) break;
      raw_region(fresh, c.pos, gt + 1, RegionKind::input);
      next = gt + 1;
    }
    add_regions(fresh);
  }

  Source& src_;
  std::string_view s_;
  std::vector<Candidate> cands_;
};

// Foswiki::entityEncode: control characters (but \n, \r), " % & $ ' * < = > @ [ ] _ |
// as &#N;, after verbatim's tabs-to-three-spaces.
void append_entity_encoded(std::string& out, std::string_view s) {
  static const auto table = [] {
    std::array<bool, 256> t{};
    for (int c = 0x01; c <= 0x1f; ++c) t[c] = c != '\n' && c != '\r';
    for (unsigned char c : std::string_view("\"%&$'*<=>@[]_|")) t[c] = true;
    return t;
  }();
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!table[c]) continue;
    out.append(s, run, i - run);
    run = i + 1;
    if (c == '\t') {
      out += "   ";
    } else {
      out += "&#";
      append_decimal(out, c);
      out += ';';
    }
  }
  out.append(s, run, std::string_view::npos);
}

// The first CR, NUL, \x01 or \x02 at or after i, or s.size().
size_t next_dropped(std::string_view s, size_t i) {
  for (; i + 8 <= s.size(); i += 8) {
    const uint64_t w = load8(s, i);
    if (has_byte_below(w, 3) || has_byte(w, '\r')) break;
  }
  for (; i < s.size(); ++i)
    if (s[i] == '\r' || static_cast<unsigned char>(s[i]) < 3) return i;
  return s.size();
}

}  // namespace

Source prepare_source(std::string_view input) {
  Source src;
  std::string& t = src.text;
  t.reserve(input.size() + 8);
  // CR goes; so do the control bytes the renderer uses as markers.
  {
    size_t run = 0;
    for (size_t i = next_dropped(input, 0); i < input.size(); i = next_dropped(input, i + 1)) {
      t.append(input, run, i - run);
      run = i + 1;
    }
    t.append(input, run, std::string_view::npos);
  }

  // White space before a leading "<!X" is dropped.
  {
    size_t i = 0, len;
    while (i < t.size() && is_space(decode_at(t, i, &len))) i += len;
    if (i > 0 && i + 2 < t.size() && t[i] == '<' && t[i + 1] == '!' &&
        is_ascii_alpha(static_cast<unsigned char>(t[i + 2])))
      t.erase(0, i);
  }
  // Foswiki's end marker: one trailing newline (of two or more, the last
  // but one) becomes "\n<nop>\n".
  if (t.size() >= 2 && t[t.size() - 1] == '\n' && t[t.size() - 2] == '\n') {
    t.insert(t.size() - 1, "<nop>\n");
  } else if (!t.empty() && t.back() == '\n') {
    t += "<nop>\n";
  } else {
    t += "\n<nop>\n";
  }
  Finder(src).run();
  return src;
}

void expand_range(const Source& src, const std::vector<uint32_t>& regions, size_t b, size_t e,
                  std::string& out) {
  size_t p = b;
  for (uint32_t ri : regions) {
    const Region& r = src.regions[ri];
    if (r.end <= b || r.begin >= e) continue;
    out.append(src.text, p, r.begin - p);
    expand_region(src, ri, out);
    p = r.end;
  }
  if (p < e) out.append(src.text, p, e - p);
}

void expand_region(const Source& src, uint32_t ri, std::string& out) {
  const Region& r = src.regions[ri];
  std::string_view params(src.text.data() + r.params_begin, r.params_end - r.params_begin);
  switch (r.kind) {
    case RegionKind::verbatim:
      out += "<pre";
      out += params;
      out += '>';
      append_entity_encoded(out, std::string_view(src.text).substr(r.content_begin,
                                                                    r.content_end - r.content_begin));
      out += "</pre>";
      break;
    case RegionKind::literal:
      expand_range(src, r.children, r.content_begin, r.content_end, out);
      break;
    case RegionKind::pre:
      out += "<pre";
      out += params;
      out += '>';
      expand_range(src, r.children, r.content_begin, r.content_end, out);
      out += "</pre>";
      break;
    case RegionKind::raw:
      expand_range(src, r.children, r.content_begin, r.content_end, out);
      break;
    case RegionKind::input: {
      std::string tmp;
      expand_range(src, r.children, r.content_begin, r.content_end, tmp);
      for (size_t i = 0; i < tmp.size();) {
        if (tmp.compare(i, 5, "<nop>") == 0) {
          i += 5;
        } else {
          out.push_back(tmp[i++]);
        }
      }
      break;
    }
    case RegionKind::erase:
      break;
  }
}

}  // namespace cwiki::tml

#include "tml/inline.h"

#include <array>
#include <cstring>

#include "tml/source.h"
#include "tml/text.h"

namespace cwiki::tml {
namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// A dotted IPv4 address with each part 0..255.
bool valid_ipv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = i;
    while (j < s.size() && is_ascii_digit(s[j])) ++j;
    if (j == i || j - i > 3) return false;
    if (std::stoi(std::string(s.substr(i, j - i))) > 255) return false;
    ++parts;
    if (j == s.size()) break;
    if (s[j] != '.') return false;
    i = j + 1;
  }
  return parts == 4;
}

// An IPv6 address as RFC 3986 writes it (hex groups, at most one "::",
// optionally ending in a dotted IPv4 address).
bool valid_ipv6(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  size_t dc = s.find("::");
  if (dc != std::string_view::npos && s.find("::", dc + 1) != std::string_view::npos) return false;
  auto count_groups = [](std::string_view part, bool allow_v4_last, int* groups) {
    *groups = 0;
    if (part.empty()) return true;
    size_t i = 0;
    while (i <= part.size()) {
      size_t j = part.find(':', i);
      if (j == std::string_view::npos) j = part.size();
      std::string_view g = part.substr(i, j - i);
      if (g.empty()) return false;
      if (j == part.size() && allow_v4_last && g.find('.') != std::string_view::npos) {
        if (!valid_ipv4(g)) return false;
        *groups += 2;
        return true;
      }
      if (g.size() > 4) return false;
      for (char c : g)
        if (!is_hex(c)) return false;
      ++*groups;
      if (j == part.size()) break;
      i = j + 1;
    }
    return true;
  };
  int a, b;
  if (dc == std::string_view::npos) return count_groups(s, true, &a) && a == 8;
  if (!count_groups(s.substr(0, dc), false, &a) || !count_groups(s.substr(dc + 2), true, &b))
    return false;
  return a + b <= 7;
}

// "[IPv6]" at s[p]: the index after ']', else 0.
size_t ipv6_group_end(std::string_view s, size_t p) {
  if (p >= s.size() || s[p] != '[') return 0;
  size_t lim = std::min(s.size(), p + 48);
  for (size_t k = p + 1; k < lim; ++k) {
    char c = s[k];
    if (c == ']') return valid_ipv6(s.substr(p + 1, k - p - 1)) ? k + 1 : 0;
    if (!is_hex(c) && c != ':' && c != '.') return 0;
  }
  return 0;
}

// Bytes that may start a typed-in e-mail address: '"' and the characters
// of an unquoted local part.
constexpr auto kEmailStart = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 128; ++c) t[c] = is_ascii_alnum(static_cast<unsigned char>(c));
  for (unsigned char c : std::string_view("!#$%&'*+-/=?^_`{|}~\"")) t[c] = true;
  return t;
}();

// The first byte in [i, end) that may start a WikiWord (a capital ASCII
// letter or any byte of a multi-byte character), or end.
size_t next_word_start(std::string_view s, size_t i, size_t end) {
  for (; i + 8 <= end; i += 8) {
    const uint64_t w = load8(s, i);
    if (w & kHighs) break;
    // Every byte is below 0x80 here, so neither subtraction borrows across
    // bytes: 0x80 + b - 'A' has its high bit set when b >= 'A', and
    // 0x80 + 'Z' - b when b <= 'Z'.
    const uint64_t at_least_a = (w | kHighs) - kOnes * 'A';
    const uint64_t at_most_z = (kOnes * 'Z' | kHighs) - w;
    if (at_least_a & at_most_z & kHighs) break;
  }
  for (; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80 || (c >= 'A' && c <= 'Z')) return i;
  }
  return end;
}

// The first "<noautolink" or "</noautolink" (any case) at or after
// `from`, or s.size().  Found through its 'k', a rare letter.
size_t find_noautolink_tag(std::string_view s, size_t from) {
  constexpr std::string_view kName = "noautolink";
  for (size_t q = find_byte_of<'k', 'K'>(s, from + kName.size()); q < s.size();
       q = find_byte_of<'k', 'K'>(s, q + 1)) {
    const size_t nm = q + 1 - kName.size();  // >= from + 1
    if (!starts_with_ci(s, nm, kName)) continue;
    if (s[nm - 1] == '<') return nm - 1;
    if (s[nm - 1] == '/' && nm >= from + 2 && s[nm - 2] == '<') return nm - 2;
  }
  return s.size();
}

}  // namespace

InlineRenderer::InlineRenderer(const LinkEnv& env, const Source& src, bool autolink)
    : env_(env), src_(src), autolink_(autolink) {}

void InlineRenderer::render(std::string& segment, std::string& out) {
  // Each pass reads the latest text and writes the other buffer; a pass
  // with nothing to do leaves the latest text where it is.
  const std::string* cur = &segment;
  auto step = [&](auto pass) {
    std::string& next = cur == &a_ ? b_ : a_;
    if (pass(*cur, next)) cur = &next;
  };
  for (std::string_view d : {"==", "__", "*", "_", "="})
    step([&](const std::string& i, std::string& o) { return emphasis_pass(i, o, d); });
  step([&](const std::string& i, std::string& o) { return bang_squab_pass(i, o); });
  step([&](const std::string& i, std::string& o) { return link_pass(i, o); });
  step([&](const std::string& i, std::string& o) { return url_pass(i, o); });
  step([&](const std::string& i, std::string& o) { return email_pass(i, o); });
  if (autolink_) step([&](const std::string& i, std::string& o) { return wikiword_pass(i, o); });
  put_back(*cur, out);
  // Context for the next segment: its first line follows this one.
  tail_.assign(segment.size() >= 4 ? std::string_view(segment).substr(segment.size() - 4)
                                   : std::string_view(segment));
  first_segment_ = false;
  segment.clear();
}

void InlineRenderer::finish(std::string& out) {
  if (noautolink_depth_ > 0) out += "</noautolink>";
}

// "![[" at the start of a line or after white space: "[<nop>[".
bool InlineRenderer::bang_squab_pass(const std::string& in, std::string& out) {
  size_t run = 0;
  for (size_t i = in.find("![["); i != std::string::npos; i = in.find("![[", i + 1)) {
    if (i == 0 || is_space(char_before(in, i))) {
      if (run == 0) out.clear();
      out.append(in, run, i - run);
      out += "[<nop>[";
      run = i + 3;
    }
  }
  if (run == 0) return false;
  out.append(in, run, std::string::npos);
  return true;
}

// [[target]] and [[target][text]].
bool InlineRenderer::link_pass(const std::string& in, std::string& out) {
  const size_t n = in.size();
  size_t run = 0;
  bool changed = false;
  std::string label;
  for (size_t i = in.find("[["); i != std::string::npos && i < n;
       i = in.find("[[", i + 1)) {
    // target: no '[', ']' or newline (a bracketed IPv6 address counts as text)
    size_t t = i + 2;
    while (t < n) {
      char c = in[t];
      if (c == '[') {
        size_t e = ipv6_group_end(in, t);
        if (!e) break;
        t = e;
        continue;
      }
      if (c == ']' || c == '\n') break;
      ++t;
    }
    if (t == i + 2 || t >= n || in[t] != ']') continue;
    size_t end = 0;
    bool with_label = false;
    size_t l0 = 0, l = 0;
    if (t + 1 < n && in[t + 1] == '[') {
      l0 = l = t + 2;
      while (l < n) {
        char c = in[l];
        if (c == '[') {
          size_t e = ipv6_group_end(in, l);
          if (e) {
            l = e;
            continue;
          }
        }
        if (c == ']' || c == '\n') break;
        ++l;
      }
      if (l > l0 && l + 1 < n && in[l] == ']' && in[l + 1] == ']') {
        with_label = true;
        end = l + 2;
      }
    } else if (t + 1 < n && in[t + 1] == ']') {
      end = t + 2;
    }
    if (!end) continue;
    if (!changed) {
      changed = true;
      out.clear();
      out.reserve(n + n / 4);
    }
    out.append(in, run, i - run);
    std::string_view target(in.data() + i + 2, t - i - 2);
    if (with_label) {
      label.assign(in, l0, l - l0);
      square_bracket_link(env_, target, &label, out);
    } else {
      square_bracket_link(env_, target, nullptr, out);
    }
    run = end;
    i = end - 1;
  }
  if (!changed) return false;
  out.append(in, run, std::string::npos);
  return true;
}

// Typed-in URLs: after the start of the text, white space, '-', '*', '(' or
// '|' (but not after "url("), a known protocol, ':' and at least two
// characters, the last of which is not punctuation.
bool InlineRenderer::url_pass(const std::string& in, std::string& out) {
  const size_t n = in.size();
  size_t colon = in.find(':');
  if (colon == std::string::npos) return false;
  auto prefix_ok = [&](size_t p) {
    size_t pstart;
    char32_t c;
    if (p == 0) {
      if (first_segment_) return true;
      c = '\n';
      pstart = 0;
    } else {
      c = char_before(in, p);
      pstart = prev_index(in, p);
    }
    if (!(c == '-' || c == '*' || c == '(' || c == '|' || is_space(c))) return false;
    // (?<!url) before the prefix character
    std::string before;
    if (p == 0) {
      before = tail_.size() >= 1 ? tail_.substr(0, tail_.size() - 1) : std::string();
    } else if (pstart >= 3) {
      return in.compare(pstart - 3, 3, "url") != 0;
    } else {
      before = tail_ + in.substr(0, pstart);
    }
    return !(before.size() >= 3 && before.compare(before.size() - 3, 3, "url") == 0);
  };
  bool changed = false;
  size_t run = 0;
  // A protocol name is followed by ':', so only the few positions before
  // each colon can start a URL.
  const size_t reach = env_.max_protocol;
  size_t i = colon > reach ? colon - reach : 0;
  while (i < n) {
    if (colon < i) {
      colon = in.find(':', i);
      if (colon == std::string::npos) break;
    }
    if (colon - i > reach) i = colon - reach;
    unsigned char c = static_cast<unsigned char>(in[i]);
    size_t pl = 0;
    if (env_.protocol_start[c] && (pl = match_protocol(env_, in, i)) != 0 && prefix_ok(i)) {
      // [^\s<>"]+ then one character that is not white space or *.,!?;:)<|
      size_t m0 = i + pl + 1, m = m0, len;
      while (m < n) {
        char32_t ch = decode_at(in, m, &len);
        if (is_space(ch) || ch == '<' || ch == '>' || ch == '"') break;
        m += len;
      }
      auto final_ok = [](char32_t ch) {
        return !(is_space(ch) || ch == '*' || ch == '.' || ch == ',' || ch == '!' || ch == '?' ||
                 ch == ';' || ch == ':' || ch == ')' || ch == '<' || ch == '|');
      };
      size_t end = 0;
      if (m > m0 && m < n && (in[m] == '>' || in[m] == '"')) {
        end = m + 1;
      } else {
        // the last character of the run that may end a URL, not the first
        size_t k = m;
        while (k > m0) {
          size_t pk = prev_index(in, k);
          if (pk == m0) break;
          if (final_ok(char_at(in, pk))) {
            end = k;
            break;
          }
          k = pk;
        }
      }
      if (end) {
        if (!changed) {
          changed = true;
          out.clear();
          out.reserve(n + n / 4);
        }
        out.append(in, run, i - run);
        out += external_link(env_, in.substr(i, end - i), nullptr);
        run = i = end;
        continue;
      }
    }
    ++i;
  }
  if (!changed) return false;
  out.append(in, run, std::string::npos);
  return true;
}

// Typed-in e-mail addresses (with or without mailto:), delimited as words.
bool InlineRenderer::email_pass(const std::string& in, std::string& out) {
  size_t at = in.find('@');
  if (at == std::string::npos) return false;
  const size_t n = in.size();
  bool changed = false;
  size_t run = 0, i = 0;
  while (i < n) {
    // Every form has its '@' after where it starts.
    if (at < i && (at = in.find('@', i)) == std::string::npos) break;
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (!kEmailStart[c] || !start_ww(in, i)) {
      ++i;
      continue;
    }
    const size_t b = i;
    size_t e = 0;
    if (in.compare(i, 7, "mailto:") == 0) e = match_email(in, i + 7, true);
    if (!e) e = match_email(in, i, true);
    if (e) {
      if (!changed) {
        changed = true;
        out.clear();
        out.reserve(n + n / 4);
      }
      out.append(in, run, b - run);
      out += mail_link(env_, std::string_view(in).substr(b, e - b));
      run = i = e;
      continue;
    }
    ++i;
  }
  if (!changed) return false;
  out.append(in, run, std::string::npos);
  return true;
}

// WikiWords and acronyms, outside <noautolink> blocks.
bool InlineRenderer::wikiword_pass(const std::string& in, std::string& out) {
  const size_t n = in.size();
  const int acr = env_.ctx.options.acronym_length;
  bool changed = false;
  auto begin_output = [&] {
    if (!changed) {
      changed = true;
      out.clear();
      out.reserve(n + n / 4);
    }
  };
  size_t run = 0, i = 0;
  size_t next_gt = 0;  // cache: the first '>' at or after the last query
  size_t tag = 0;      // cache: the first <noautolink> tag at or after the last query
  bool tag_known = false;
  while (i < n) {
    if (!tag_known || tag < i) {
      tag = find_noautolink_tag(in, i);
      tag_known = true;
    }
    // Skip to the next tag or the next byte that may start a word.
    i = noautolink_depth_ > 0 ? tag : next_word_start(in, i, tag);
    if (i >= n) break;
    if (i == tag) {
      // <noautolink ...> / </noautolink>
      bool close = in[i + 1] == '/';
      size_t nm = i + (close ? 2 : 1);
      if (next_gt != std::string::npos && next_gt < nm + 10) next_gt = in.find('>', nm + 10);
      size_t gt = next_gt;
      if (gt != std::string::npos) {
        bool is_open = !close && (nm + 10 >= n || !is_word(char_at(in, nm + 10)));
        bool is_close = close && gt == nm + 10;
        if (is_open) {
          if (noautolink_depth_++ == 0) {
            begin_output();
            out.append(in, run, i - run);
            out += "<noautolink";
            out.append(in, nm + 10, gt - (nm + 10));
            out += '>';
            run = gt + 1;
          }
        } else if (is_close && noautolink_depth_ > 0) {
          if (--noautolink_depth_ == 0) {
            begin_output();
            out.append(in, run, i - run);
            out += "</noautolink>";
            run = gt + 1;
          }
        }
        i = gt + 1;
        continue;
      }
      ++i;
      continue;
    }
    if (!start_ww(in, i)) {
      ++i;
      continue;
    }
    WebWord w = match_web_word(in, i, acr);
    if (!w.word_end) {
      ++i;
      continue;
    }
    size_t end = w.word_end;
    // optional #anchor
    size_t anchor_b = end;
    if (end < n && in[end] == '#') {
      size_t k = end + 1, len;
      while (k < n) {
        char32_t ch = decode_at(in, k, &len);
        if (!(ch == ':' || ch == '.' || ch == '_' || is_alnum(ch))) break;
        k += len;
      }
      if (k > end + 1) end = k;
    }
    std::string_view sv(in);
    std::string_view web = w.web_end > i ? sv.substr(i, w.web_end - i) : std::string_view();
    begin_output();
    out.append(in, run, i - run);
    wiki_word_link(env_, web, sv.substr(w.word_begin, w.word_end - w.word_begin),
                   sv.substr(anchor_b, end - anchor_b), out);
    run = i = end;
  }
  if (!changed) return false;
  out.append(in, run, std::string::npos);
  return true;
}

// Lifted blocks back in place of their markers "<!--\x01N\x01-->" (the
// text holds no other \x01).
void InlineRenderer::put_back(const std::string& in, std::string& out) {
  size_t run = 0;
  for (size_t p = in.find('\x01'); p != std::string::npos; p = in.find('\x01', p + 1)) {
    if (p < 4 || in.compare(p - 4, 4, "<!--") != 0) continue;
    size_t j = p + 1;
    uint32_t idx = 0;
    while (j < in.size() && is_ascii_digit(in[j])) idx = idx * 10 + static_cast<uint32_t>(in[j++] - '0');
    if (in.compare(j, 4, "\x01-->") != 0 || idx >= src_.regions.size()) continue;
    out.append(in, run, p - 4 - run);
    expand_region(src_, idx, out);
    run = j + 4;
    p = run - 1;
  }
  out.append(in, run, std::string::npos);
}

}  // namespace cwiki::tml

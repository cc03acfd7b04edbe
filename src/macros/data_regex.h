// Regular expressions with captures for the data macros: user-supplied
// patterns ($pattern(...), $count(...) in FORMAT and SEARCH formats) and
// the fixed patterns of the form and summary code.  PCRE2, UTF-8, Unicode
// properties; every match runs under a match limit, so a pathological
// pattern fails (as "no match") instead of running away.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cwiki {

class CaptureRegex {
 public:
  enum Flags : unsigned { kNone = 0, kCaseless = 1, kDotAll = 2, kMultiline = 4 };

  // Compiles `pattern`; a pattern that does not compile gives an object
  // whose ok() is false and that matches nothing.
  explicit CaptureRegex(std::string_view pattern, unsigned flags = kNone);
  ~CaptureRegex();
  CaptureRegex(CaptureRegex&&) noexcept;
  CaptureRegex& operator=(CaptureRegex&&) noexcept;

  bool ok() const { return code_ != nullptr; }

  struct Match {
    size_t begin = 0, end = 0;                  // the whole match, byte offsets
    std::vector<std::optional<std::pair<size_t, size_t>>> groups;  // group 1.. (nullopt: unset)
    std::string_view group(std::string_view subject, size_t n) const;  // "" when unset
  };

  // The first match at or after byte `start`, or nullopt (no match, invalid
  // UTF-8 in `subject`, or the match limit was hit).
  std::optional<Match> find(std::string_view subject, size_t start = 0) const;

  // Perl's `() = $subject =~ m/re/g`: the number of matches, empty matches
  // advancing by one character.
  size_t count(std::string_view subject) const;

 private:
  struct Code;
  std::unique_ptr<Code> code_;
};

// Replaces every match of `re` in `subject` with fn(match), left to right
// (Perl's s///ge).  Empty matches advance by one character.
template <class Fn>
std::string replace_all_matches(const CaptureRegex& re, std::string_view subject, Fn&& fn) {
  std::string out;
  size_t pos = 0, copied = 0;
  while (pos <= subject.size()) {
    auto m = re.find(subject, pos);
    if (!m) break;
    out.append(subject.substr(copied, m->begin - copied));
    out.append(fn(*m));
    copied = m->end;
    if (m->end == m->begin) {
      if (m->end >= subject.size()) break;
      // step over one UTF-8 character
      size_t n = 1;
      while (m->end + n < subject.size() && (static_cast<unsigned char>(subject[m->end + n]) & 0xC0) == 0x80)
        ++n;
      out.append(subject.substr(m->end, n));
      copied = pos = m->end + n;
    } else {
      pos = m->end;
    }
  }
  if (copied == 0 && out.empty()) return std::string(subject);
  out.append(subject.substr(std::min(copied, subject.size())));
  return out;
}

}  // namespace cwiki

// A compiled PCRE2 pattern (UTF-8, Unicode properties), shareable between threads.
#pragma once

#include <string_view>

struct pcre2_real_code_8;

namespace cwiki {

class Regex {
 public:
  // Compiles `pattern` with PCRE2_UTF | PCRE2_UCP | extra_options.
  // Throws std::invalid_argument with PCRE2's message when it does not compile.
  explicit Regex(std::string_view pattern, unsigned extra_options = 0);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // True when the pattern matches somewhere in `subject` (anchor it in the
  // pattern to match the whole).  `subject` must be valid UTF-8.
  bool search(std::string_view subject) const;

 private:
  pcre2_real_code_8* code_;
};

}  // namespace cwiki

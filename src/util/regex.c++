#define PCRE2_CODE_UNIT_WIDTH 8
#include "util/regex.h"

#include <pcre2.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace cwiki {

Regex::Regex(std::string_view pattern, unsigned extra_options) {
  int err = 0;
  PCRE2_SIZE off = 0;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                        PCRE2_UTF | PCRE2_UCP | extra_options, &err, &off, nullptr);
  if (!code_) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw std::invalid_argument("regex /" + std::string(pattern) + "/ at " + std::to_string(off) +
                                ": " + reinterpret_cast<char*>(msg));
  }
  pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // optional speed-up; falls back silently
}

Regex::~Regex() { pcre2_code_free(code_); }

bool Regex::search(std::string_view subject) const {
  // One match block per thread, big enough for any pattern's captures.
  struct Block {
    pcre2_match_data* md = pcre2_match_data_create(64, nullptr);
    ~Block() { pcre2_match_data_free(md); }
  };
  thread_local Block block;
  if (!block.md) throw std::bad_alloc();
  int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                       0, block.md, nullptr);
  return rc >= 0;
}

}  // namespace cwiki

#define PCRE2_CODE_UNIT_WIDTH 8
#include "macros/data_regex.h"

#include <pcre2.h>

#include "util/escape.h"

namespace cwiki {
namespace {

constexpr uint32_t kMatchLimit = 1000000;  // backtracking steps per match
constexpr uint32_t kDepthLimit = 10000;

}  // namespace

struct CaptureRegex::Code {
  pcre2_code* code = nullptr;
  pcre2_match_context* ctx = nullptr;
  ~Code() {
    if (ctx) pcre2_match_context_free(ctx);
    if (code) pcre2_code_free(code);
  }
};

CaptureRegex::CaptureRegex(std::string_view pattern, unsigned flags) {
  uint32_t opts = PCRE2_UTF | PCRE2_UCP;
  if (flags & kCaseless) opts |= PCRE2_CASELESS;
  if (flags & kDotAll) opts |= PCRE2_DOTALL;
  if (flags & kMultiline) opts |= PCRE2_MULTILINE;
  int err = 0;
  PCRE2_SIZE off = 0;
  pcre2_code* c = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), opts,
                                &err, &off, nullptr);
  if (!c) return;
  auto code = std::make_unique<Code>();
  code->code = c;
  code->ctx = pcre2_match_context_create(nullptr);
  if (code->ctx) {
    pcre2_set_match_limit(code->ctx, kMatchLimit);
    pcre2_set_depth_limit(code->ctx, kDepthLimit);
  }
  code_ = std::move(code);
}

CaptureRegex::~CaptureRegex() = default;
CaptureRegex::CaptureRegex(CaptureRegex&&) noexcept = default;
CaptureRegex& CaptureRegex::operator=(CaptureRegex&&) noexcept = default;

std::string_view CaptureRegex::Match::group(std::string_view subject, size_t n) const {
  if (n == 0) return subject.substr(begin, end - begin);
  if (n > groups.size() || !groups[n - 1]) return {};
  return subject.substr(groups[n - 1]->first, groups[n - 1]->second - groups[n - 1]->first);
}

std::optional<CaptureRegex::Match> CaptureRegex::find(std::string_view subject, size_t start) const {
  if (!code_ || start > subject.size()) return std::nullopt;
  if (!is_valid_utf8(subject)) return std::nullopt;
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
      pcre2_match_data_create_from_pattern(code_->code, nullptr), &pcre2_match_data_free);
  if (!md) return std::nullopt;
  int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                       start, PCRE2_NO_UTF_CHECK, md.get(), code_->ctx);
  if (rc < 0) return std::nullopt;
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
  uint32_t pairs = pcre2_get_ovector_count(md.get());
  Match m;
  m.begin = ov[0];
  m.end = ov[1];
  if (m.end < m.begin) m.end = m.begin;  // \K tricks
  uint32_t ncap = 0;
  pcre2_pattern_info(code_->code, PCRE2_INFO_CAPTURECOUNT, &ncap);
  for (uint32_t i = 1; i <= ncap; ++i) {
    if (i < pairs && static_cast<int>(i) < rc && ov[2 * i] != PCRE2_UNSET)
      m.groups.emplace_back(std::make_pair(ov[2 * i], ov[2 * i + 1]));
    else
      m.groups.emplace_back(std::nullopt);
  }
  return m;
}

size_t CaptureRegex::count(std::string_view subject) const {
  size_t n = 0, pos = 0;
  while (pos <= subject.size()) {
    auto m = find(subject, pos);
    if (!m) break;
    ++n;
    if (m->end == m->begin) {
      if (m->end >= subject.size()) break;
      size_t k = 1;
      while (m->end + k < subject.size() &&
             (static_cast<unsigned char>(subject[m->end + k]) & 0xC0) == 0x80)
        ++k;
      pos = m->end + k;
    } else {
      pos = m->end;
    }
  }
  return n;
}

}  // namespace cwiki

#define PCRE2_CODE_UNIT_WIDTH 8
#include "query/time.h"

#include <pcre2.h>

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace cwiki::query {
namespace {

// A pattern compiled once per process; matching is thread-safe.
class Pattern {
 public:
  explicit Pattern(const char* re, uint32_t options) {
    int err;
    PCRE2_SIZE off;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re), PCRE2_ZERO_TERMINATED, options, &err,
                          &off, nullptr);
  }
  ~Pattern() { pcre2_code_free(code_); }
  // Captures (empty optional for a group that did not take part), or
  // nothing when there is no match.
  std::optional<std::vector<std::optional<std::string>>> match(std::string_view s) const {
    if (!code_) return std::nullopt;
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(code_, nullptr), &pcre2_match_data_free);
    if (!md) return std::nullopt;
    int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, 0, md.get(),
                         nullptr);
    if (rc < 0) return std::nullopt;
    uint32_t groups = pcre2_get_ovector_count(md.get());
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    std::vector<std::optional<std::string>> out(groups);
    for (uint32_t i = 0; i < groups && static_cast<int>(i) < rc; ++i)
      if (ov[2 * i] != PCRE2_UNSET) out[i] = std::string(s.substr(ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
    return out;
  }

 private:
  pcre2_code* code_ = nullptr;
};

const Pattern& foswiki_date() {
  static const Pattern p(
      R"((\d+)[-\s]+([a-z]{3})[-\s]+(\d+)(?:[-\s]+(\d+):(\d+)(?::(\d+))?)?)", PCRE2_CASELESS);
  return p;
}
const Pattern& iso_date() {
  static const Pattern p(
      R"((\d\d\d\d)(?:-(\d\d)(?:-(\d\d))?)?(?:T(\d\d)(?::(\d\d)(?::(\d\d(?:\.\d+)?))?)?)?(Z|[-+]\d\d(?::\d\d)?)?)",
      0);
  return p;
}
const Pattern& year_first() {
  static const Pattern p(
      R"(^(\d\d+)(?:\s*[/\s.-]\s*(\d\d?)(?:\s*[/\s.-]\s*(\d\d?)(?:\s*[/\s.-]\s*(\d\d?)(?:\s*[:.]\s*(\d\d?)(?:\s*[:.]\s*(\d\d?))?)?)?)?)?$)",
      0);
  return p;
}

constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

bool leap(long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

double num(const std::optional<std::string>& s) {
  return s ? std::strtod(s->c_str(), nullptr) : 0;
}
// Perl's "$x || 0" on a captured field.
double num_or(const std::optional<std::string>& s, double dflt) {
  double v = num(s);
  return v != 0 ? v : dflt;
}

// Time::Local's reading of a year, as a full year.
long long full_year(long long year) {
  if (year >= 1000) return year;
  if (year >= 0 && year < 100) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    long long this_year = tm.tm_year;  // since 1900
    long long breakpoint = (this_year + 50) % 100;
    long long next_century = this_year - this_year % 100;
    if (breakpoint < 50) next_century += 100;
    long long century = next_century - 100;
    return 1900 + year + (year > breakpoint ? century : next_century);
  }
  return 1900 + year;
}

// Time::Local's timegm/timelocal: nullopt when it would croak.
std::optional<double> make_time(double sec, double min, double hour, double mday, double mon,
                                double year, bool local) {
  if (!(year >= 0 && year < 1e7)) return std::nullopt;
  long long y = full_year(static_cast<long long>(year));
  if (mon < 0 || mon > 11) return std::nullopt;
  int md = kMonthDays[static_cast<int>(mon)] + (mon == 1 && leap(y) ? 1 : 0);
  if (mday < 1 || mday > md || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec >= 60)
    return std::nullopt;
  if (y < -100000 || y > 100000) return std::nullopt;
  if (!local) {
    long long days = days_from_civil(y, static_cast<unsigned>(mon) + 1, static_cast<unsigned>(mday));
    return sec + 60 * min + 3600 * hour + 86400.0 * static_cast<double>(days);
  }
  std::tm tm{};
  tm.tm_year = static_cast<int>(y - 1900);
  tm.tm_mon = static_cast<int>(mon);
  tm.tm_mday = static_cast<int>(mday);
  tm.tm_hour = static_cast<int>(hour);
  tm.tm_min = static_cast<int>(min);
  double whole = std::floor(sec);
  tm.tm_sec = static_cast<int>(whole);
  tm.tm_isdst = -1;
  std::time_t t = std::mktime(&tm);
  return static_cast<double>(t) + (sec - whole);
}

int month_number(std::string_view m) {
  static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string l;
  for (char c : m) l.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c));
  for (int i = 0; i < 12; ++i)
    if (l == names[i]) return i;
  return -1;
}

ParsedTime seconds(std::optional<double> t) {
  ParsedTime r;
  if (!t) {
    r.kind = ParsedTime::Kind::dies;
  } else {
    r.kind = ParsedTime::Kind::seconds;
    r.seconds = *t;
  }
  return r;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

ParsedTime parse_time(std::string_view text, bool default_local) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  ParsedTime none;
  if (text.size() > 1000) return none;

  if (auto m = foswiki_date().match(text)) {
    const auto& g = *m;
    int mon = month_number(*g[2]);
    if (mon < 0) return none;
    return seconds(make_time(num(g[6]), num(g[5]), num(g[4]), num(g[1]), mon, num(g[3]),
                             default_local));
  }
  if (text.find('T') != std::string_view::npos) {
    if (auto m = iso_date().match(text)) {
      const auto& g = *m;
      double Y = num(g[1]), M = num_or(g[2], 1) - 1, D = num_or(g[3], 1);
      double h = num(g[4]), mi = num(g[5]), s = num(g[6]);
      std::string tz = g[7] ? *g[7] : "";
      if (!tz.empty()) {
        double adj = 0;
        if (tz != "Z") {
          int sign = tz[0] == '-' ? -1 : 1;
          double hh = std::strtod(tz.substr(1, 2).c_str(), nullptr);
          double mm = tz.size() >= 6 ? std::strtod(tz.substr(4, 2).c_str(), nullptr) : 0;
          adj = sign * (hh * 60 + mm) * 60;
        }
        auto t = make_time(s, mi, h, D, M, Y, false);
        if (t) *t -= adj;
        return seconds(t);
      }
      return seconds(make_time(s, mi, h, D, M, Y, default_local));
    }
  }
  if (auto m = year_first().match(text)) {
    const auto& g = *m;
    double year = num(g[1]);
    if (g[2] && (num(g[2]) < 1 || num(g[2]) > 12)) return none;
    int month = static_cast<int>((g[2] ? num(g[2]) : 1) - 1);
    int mlen = kMonthDays[month] + (month == 1 && leap(static_cast<long long>(year)) ? 1 : 0);
    if (g[3] && (num(g[3]) < 0 || num(g[3]) > mlen)) return none;
    if (g[4] && num(g[4]) > 24) return none;
    if (g[5] && num(g[5]) > 60) return none;
    if (g[6] && num(g[6]) > 60) return none;
    return seconds(make_time(num(g[6]), num(g[5]), num(g[4]), num_or(g[3], 1), month, year,
                             default_local));
  }
  return none;
}

}  // namespace cwiki::query

#include "util/time.h"

#include <cctype>
#include <cstdio>
#include <ctime>

#include "util/chars.h"

namespace cwiki {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

bool ieq(char a, char b) {
  return ascii_lower(a) == ascii_lower(b);
}

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// Replaces every "$<req><opt...>" (case-insensitive; the letters of `opt`
// each optional, in order, taken greedily) by `value`, left to right without
// rescanning what was put in.  With `boundary`, the token must not be
// followed by a word character.
void subst(std::string& s, std::string_view req, std::string_view opt, bool boundary,
           const std::string& value) {
  std::string out;
  size_t done = 0;
  for (size_t i = s.find('$'); i != std::string::npos; i = s.find('$', i + 1)) {
    size_t j = i + 1;
    bool ok = true;
    for (char c : req) {
      if (j < s.size() && ieq(s[j], c)) {
        ++j;
      } else {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    for (char c : opt)
      if (j < s.size() && ieq(s[j], c)) ++j;
    if (boundary && j < s.size() && word_char(static_cast<unsigned char>(s[j]))) continue;
    if (out.empty()) out.reserve(s.size() + 16);
    out.append(s, done, i - done);
    out += value;
    done = j;
    i = j - 1;
  }
  if (done == 0) return;
  out.append(s, done, std::string::npos);
  s.swap(out);
}

std::string two(int v) {
  auto u = static_cast<unsigned>(v);
  if (u < 100) return {static_cast<char>('0' + u / 10), static_cast<char>('0' + u % 10)};
  return std::to_string(u);
}

int days_in_year(int y) {
  if (y % 400 == 0) return 366;
  if (y % 100 == 0) return 365;
  if (y % 4 == 0) return 366;
  return 365;
}

bool lower_equals(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (ascii_lower(s[i]) != lower[i]) return false;
  return true;
}

bool contains_ci(std::string_view s, std::string_view lower) {
  if (lower.size() > s.size()) return false;
  for (size_t i = 0; i + lower.size() <= s.size(); ++i)
    if (lower_equals(s.substr(i, lower.size()), lower)) return true;
  return false;
}

}  // namespace

TimeZone parse_time_zone(std::string_view name) {
  return name == "servertime" ? TimeZone::servertime : TimeZone::gmtime;
}

int iso_week_number(int wday, int yday, int year) {
  int dow = (wday + 6) % 7;  // Monday = 0
  int thursday = yday - dow + 3;
  int this_year = days_in_year(year);
  if (thursday < 0) thursday += days_in_year(year - 1);
  if (thursday >= this_year) thursday -= this_year;
  return thursday / 7 + 1;
}

std::string format_time(long long epoch, std::string_view format_in, TimeZone zone,
                        std::string_view date_format) {
  std::string format = format_in.empty() ? std::string("$longdate") : std::string(format_in);
  if (contains_ci(format, "http")) zone = TimeZone::gmtime;

  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  std::string tz_str, isotz_str;
  if (zone == TimeZone::servertime) {
    if (!localtime_r(&t, &tm)) gmtime_r(&t, &tm);
    tz_str = "Local";
    char buf[16] = "";
    std::strftime(buf, sizeof buf, "%z", &tm);  // +hhmm
    isotz_str = buf;
    if (isotz_str.size() == 5) isotz_str.insert(3, ":");
  } else {
    if (!gmtime_r(&t, &tm)) tm = std::tm{};
    tz_str = "GMT";
    isotz_str = "Z";
  }
  int year = tm.tm_year + 1900;

  // The composite formats, spelt out in the simple tokens.
  subst(format, "rcs", "", false, "$year/$mo/$day $hour:$min:$sec");
  subst(format, "http", "", false, "$wday, $day $month $year $hour:$min:$sec $tz");
  subst(format, "email", "", false, "$wday, $day $month $year $hour:$min:$sec $tz");
  if (lower_equals(format, "iso")) format = "$year-$mo-$dayT$hour:$min:$sec$isotz";
  subst(format, "iso", "", true, "$year-$mo-$dayT$hour:$min:$sec$isotz");
  subst(format, "longdate", "", false, std::string(date_format) + " - $hour:$min");

  std::string v = std::move(format);
  char buf[32];
  subst(v, "sec", "onds", false, two(tm.tm_sec));
  subst(v, "min", "utes", false, two(tm.tm_min));
  subst(v, "hou", "rs", false, two(tm.tm_hour));
  subst(v, "day", "", false, two(tm.tm_mday));
  subst(v, "wday", "", false, kWeekdays[tm.tm_wday % 7]);
  subst(v, "dow", "", false, std::to_string(tm.tm_wday));
  int week = iso_week_number(tm.tm_wday, tm.tm_yday, year);
  subst(v, "week", "", false, std::to_string(week));
  subst(v, "we", "", false, two(week));
  subst(v, "mon", "th", false, kMonths[tm.tm_mon % 12]);
  subst(v, "mo", "", false, two(tm.tm_mon + 1));
  std::snprintf(buf, sizeof buf, "%04u", static_cast<unsigned>(year));
  subst(v, "yea", "r", false, buf);
  subst(v, "ye", "", false, two(((year % 100) + 100) % 100));
  subst(v, "epoch", "", false, std::to_string(epoch));
  subst(v, "tz", "", false, tz_str);
  subst(v, "isotz", "", false, isotz_str);
  return v;
}

}  // namespace cwiki

// Dates as Foswiki writes them (Foswiki::Time::formatTime and its tokens).
#pragma once

#include <string>
#include <string_view>

namespace cwiki {

// Which clock a date is shown in: UTC ("gmtime") or the server's local
// time zone ("servertime"), Foswiki's {DisplayTimeValues}.
enum class TimeZone { gmtime, servertime };

// "servertime" gives servertime; anything else gmtime.
TimeZone parse_time_zone(std::string_view name);

// Formats `epoch` (seconds since 1970-01-01 UTC) with Foswiki's date tokens:
//   $seconds $minutes $hours (each may be shortened to 3 letters, e.g. $sec,
//   $min, $hou), $day, $wday (Mon), $dow (0 = Sunday), $week (ISO 8601),
//   $we (2-digit week), $month (Jan), $mo (01), $year, $ye, $epoch, $tz
//   (GMT or Local), $isotz (Z or +hh:mm), and the composites $iso, $rcs,
//   $http, $email and $longdate (`date_format` - $hour:$min).
// Tokens are case-insensitive.  An empty format means "$longdate"; a format
// that mentions "http" is always shown in UTC.  `date_format` is
// {DefaultDateFormat}.
std::string format_time(long long epoch, std::string_view format, TimeZone zone,
                        std::string_view date_format = "$day $month $year");

// The ISO 8601 week number of a day: `wday` 0..6 (0 = Sunday), `yday`
// 0..365 (0 = 1 January), `year` the full year.
int iso_week_number(int wday, int yday, int year);

}  // namespace cwiki

// Foswiki's date parser (Foswiki::Time::parseTime), as the query operator
// d2n uses it.  Accepted forms:
//   31 Dec 2001 - 23:59[:59]      31-Dec-2001       (Foswiki dates)
//   2001-12-31T23:59:59[.5][Z|+01:00]               (ISO, with a 'T')
//   2001/12/31 23:59:59, 2001.12.31.23.59, 2001-12-31 - 23:59, 2009-1, 2009
// Years are read as Perl's Time::Local reads them (>= 1000 as is, 0..99 in
// a window around the current year, 100..999 from 1900).
#pragma once

#include <optional>
#include <string_view>

namespace cwiki::query {

struct ParsedTime {
  enum class Kind {
    seconds,    // a date: `seconds` since the epoch
    not_a_date, // the text is not a date Foswiki recognises (d2n gives undef)
    dies,       // Foswiki's parser would die (a field out of range, e.g. hour 24):
                // d2n then gives back its argument unchanged
  };
  Kind kind = Kind::not_a_date;
  double seconds = 0;
};

// `default_local`: times without a time zone are the server's local time
// (d2n); otherwise UTC.
ParsedTime parse_time(std::string_view text, bool default_local);

}  // namespace cwiki::query

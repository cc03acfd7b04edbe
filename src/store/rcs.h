// Read-only access to GNU RCS history files (`Topic.txt,v`), as left behind by
// Foswiki/TWiki sites that used the RCS store (RcsWrap / RcsLite).
//
// A ,v file holds an admin header (head, access, symbols, locks, strict,
// comment, expand, ...), one delta entry per revision (date, author, state,
// branches, next), a description, and one deltatext per revision (log message
// and text).  The head revision's text is stored whole; every older trunk
// revision is stored as a reverse diff against the next newer one, in the
// ed-like form `diff -n` writes:
//   dL N       delete N lines, starting at line L
//   aL N       add the N lines that follow, after line L
// where line numbers refer to the newer revision's text.
//
// Only the trunk (1.1 .. 1.N, following `next` from the head) is read.  Branch
// revisions are parsed as deltas but never reconstructed.  Keywords ($Id$ ...)
// are returned as stored, never expanded: Foswiki checks in with -ko.
//
// The input is untrusted: every function here returns an error instead of
// crashing, reading out of bounds, looping, or allocating without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cwiki {

// Bounds applied while parsing and reconstructing.  The defaults suit a wiki;
// tests lower them to exercise the checks.
struct RcsLimits {
  // Largest text, and most lines, of any revision met on the way from the
  // head to the one asked for (the head included).
  size_t max_text_bytes = size_t{64} << 20;
  size_t max_lines = size_t{1} << 22;
  size_t max_deltas = 100000;                // delta entries in a file (trunk + branches)
  // Line copies plus diff commands one reconstruction may perform.  Walking
  // back k revisions of an L-line text costs about k*L, so this caps the CPU
  // a hostile history can demand.
  uint64_t max_work = uint64_t{1} << 28;
};

struct RcsDelta {
  std::string rev;     // revision number, e.g. "1.3"
  long long date = 0;  // check-in time, Unix epoch seconds (UTC)
  std::string author;
  std::string state;   // usually "Exp"; empty when absent
  std::string next;    // the next older trunk revision ("" for the oldest)
  std::vector<std::string> branches;  // first revisions of branches off this one
  std::string log;     // log message (unquoted)
  std::string text;    // deltatext (unquoted): the whole text for the head, a diff otherwise
  bool has_text = false;  // a deltatext was present (always true after parse_rcs)
};

struct RcsFile {
  std::string head;    // head revision number; empty for a file with no revisions
  std::string expand;  // keyword expansion mode ("o", "kv", ...); empty when absent
  std::string desc;    // description (unquoted)
  std::vector<RcsDelta> deltas;  // in file order
  // Indices into `deltas` along the trunk: the head first, then following
  // `next` down to the oldest revision.  Checked by parse_rcs: no cycle, no
  // missing entry, only two-part revision numbers.
  std::vector<size_t> trunk;

  // The delta entry for a revision number (trunk or branch), or nullptr.
  const RcsDelta* find(std::string_view rev) const;
};

// Parses the contents of a ,v file.  Returns nullopt when the file is not
// well-formed RCS (truncated, unterminated @-string, duplicate or unknown
// revisions, a delta without deltatext, a broken or cyclic trunk, a bad date,
// limits exceeded); `error`,
// when given, then says why.  Unknown admin and delta phrases are skipped, as
// rcsfile(5) requires.
std::optional<RcsFile> parse_rcs(std::string_view file, std::string* error = nullptr,
                                 const RcsLimits& limits = {});

// The full text of trunk revision `rev` (e.g. "1.2"), obtained by applying the
// reverse diffs from the head down.  Returns nullopt when `rev` is not on the
// trunk, when a diff is malformed (unknown command, line numbers out of range
// or not increasing, missing added lines), or when a limit is exceeded;
// `error`, when given, then says why.  A missing final newline is preserved.
std::optional<std::string> rcs_checkout(const RcsFile& file, std::string_view rev,
                                        std::string* error = nullptr,
                                        const RcsLimits& limits = {});

// Converts an RCS date, `YYYY.MM.DD.hh.mm.ss` or `YY.MM.DD.hh.mm.ss` (meaning
// 19YY), taken as UTC, to Unix epoch seconds.  nullopt when malformed or out
// of range (month 1-12, day valid for the month, hour 0-23, minute 0-59,
// second 0-60).
std::optional<long long> rcs_date_to_epoch(std::string_view date);

// The RCS revision number Foswiki uses for its revision n: "1.n".  Empty when
// n < 1.
std::string rcs_revision_for(int n);

// The inverse: n for "1.n" (n >= 1, no sign, no leading zero, fits an int),
// 0 for anything else.
int foswiki_revision_of(std::string_view rcs_rev);

}  // namespace cwiki

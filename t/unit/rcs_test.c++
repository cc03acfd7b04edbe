// Reading GNU RCS history files (,v): parsing, reconstruction of every trunk
// revision, dates, and refusal of corrupt or hostile input.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "store/rcs.h"

#include "unit.h"

using namespace cwiki;

// Three trunk revisions, a branch off 1.1, and most admin fields.  The head
// (1.3) has no final newline and contains an '@'; 1.3 -> 1.2 and 1.2 -> 1.1
// are reverse diffs in the form RCS writes them.
//   1.3: "alpha\nbeta @ gamma\ndelta\nepsilon"
//   1.2: "alpha\nbeta @ gamma\nDELTA2\nepsilon\n"
//   1.1: "first\nalpha\nDELTA2\n"
static const char kThree[] =
    "head\t1.3;\n"
    "access WikiGuest AdminUser;\n"
    "symbols\n\tRELEASE_1:1.2\n\tbranchy:1.1.1;\n"
    "locks\n\tAdminUser:1.3; strict;\n"
    "comment\t@# @;\n"
    "integrity\t@@;\n"
    "expand\t@o@;\n"
    "\n\n"
    "1.3\n"
    "date\t2024.02.29.12.00.00;\tauthor AdminUser;\tstate Exp;\n"
    "branches;\n"
    "next\t1.2;\n"
    "commitid\tabc123;\n"
    "\n"
    "1.2\n"
    "date\t99.12.31.23.59.59;\tauthor WikiGuest;\tstate Exp;\n"
    "branches;\n"
    "next\t1.1;\n"
    "\n"
    "1.1\n"
    "date\t1970.01.01.00.00.00;\tauthor ProjectContributor;\tstate Exp;\n"
    "branches\n\t1.1.1.1;\n"
    "next\t;\n"
    "\n"
    "1.1.1.1\n"
    "date\t2001.01.01.00.00.00;\tauthor BranchUser;\tstate Exp;\n"
    "branches;\n"
    "next\t;\n"
    "\n\n"
    "desc\n"
    "@a test @@ topic\n@\n"
    "\n\n"
    "1.3\n"
    "log\n@fixed an @@ sign@\n"
    "text\n@alpha\nbeta @@ gamma\ndelta\nepsilon@\n"
    "\n\n"
    "1.2\n"
    "log\n@second\n@\n"
    "text\n@d3 2\na4 2\nDELTA2\nepsilon\n@\n"
    "\n\n"
    "1.1\n"
    "log\n@Initial revision\n@\n"
    "text\n@a0 1\nfirst\nd2 1\nd4 1\n@\n"
    "\n\n"
    "1.1.1.1\n"
    "log\n@on a branch\n@\n"
    "newphrase with words;\n"
    "text\n@a3 1\nbranch line\n@\n";

// Quotes a text as an RCS @-string.
static std::string quote(std::string_view s) {
  std::string out = "@";
  for (char c : s) {
    out += c;
    if (c == '@') out += '@';
  }
  return out + "@";
}

// A ,v file whose head 1.<n> holds head_text and whose older revisions
// 1.<n-1> .. 1.1 hold `diffs` in that order (n = diffs.size() + 1).
static std::string make_rcs(std::string_view head_text, const std::vector<std::string>& diffs) {
  size_t n = diffs.size() + 1;
  std::string s = "head\t1." + std::to_string(n) + ";\naccess;\nsymbols;\nlocks; strict;\n";
  for (size_t r = n; r >= 1; --r) {
    s += "\n1." + std::to_string(r) + "\ndate\t2020.01.01.00.00.00;\tauthor a;\tstate Exp;\n";
    s += "branches;\nnext\t" + (r > 1 ? "1." + std::to_string(r - 1) : std::string()) + ";\n";
  }
  s += "\ndesc\n@@\n";
  for (size_t r = n; r >= 1; --r) {
    s += "\n1." + std::to_string(r) + "\nlog\n@@\ntext\n";
    s += quote(r == n ? head_text : std::string_view(diffs[n - 1 - r])) + "\n";
  }
  return s;
}

static std::optional<std::string> checkout(std::string_view file, std::string_view rev,
                                           std::string* error = nullptr) {
  std::string err;
  auto f = parse_rcs(file, &err);
  if (!f) {
    if (error) *error = err;
    return std::nullopt;
  }
  return rcs_checkout(*f, rev, error);
}

static void three_revisions(void**) {
  std::string err;
  auto f = parse_rcs(kThree, &err);
  if (!f) fail_msg("parse failed: %s", err.c_str());
  assert_str(f->head, "1.3");
  assert_str(f->expand, "o");
  assert_str(f->desc, "a test @ topic\n");
  assert_int_equal(f->deltas.size(), 4);
  assert_int_equal(f->trunk.size(), 3);
  assert_str(f->deltas[f->trunk[0]].rev, "1.3");
  assert_str(f->deltas[f->trunk[1]].rev, "1.2");
  assert_str(f->deltas[f->trunk[2]].rev, "1.1");

  const RcsDelta* d3 = f->find("1.3");
  assert_non_null(d3);
  assert_str(d3->author, "AdminUser");
  assert_str(d3->state, "Exp");
  assert_str(d3->next, "1.2");
  assert_str(d3->log, "fixed an @ sign");
  assert_int_equal(d3->date, 1709208000);
  const RcsDelta* d2 = f->find("1.2");
  assert_non_null(d2);
  assert_str(d2->author, "WikiGuest");
  assert_str(d2->log, "second\n");
  assert_int_equal(d2->date, 946684799);
  const RcsDelta* d1 = f->find("1.1");
  assert_non_null(d1);
  assert_str(d1->next, "");
  assert_int_equal(d1->date, 0);
  assert_int_equal(d1->branches.size(), 1);
  assert_str(d1->branches[0], "1.1.1.1");
  const RcsDelta* b = f->find("1.1.1.1");
  assert_non_null(b);
  assert_str(b->author, "BranchUser");
  assert_true(b->has_text);
  assert_null(f->find("1.4"));

  auto t3 = rcs_checkout(*f, "1.3", &err);
  auto t2 = rcs_checkout(*f, "1.2", &err);
  auto t1 = rcs_checkout(*f, rcs_revision_for(1), &err);
  if (!t3 || !t2 || !t1) fail_msg("checkout failed: %s", err.c_str());
  assert_str(*t3, "alpha\nbeta @ gamma\ndelta\nepsilon");
  assert_str(*t2, "alpha\nbeta @ gamma\nDELTA2\nepsilon\n");
  assert_str(*t1, "first\nalpha\nDELTA2\n");

  // Branches are not reconstructed, and unknown revisions are refused.
  assert_false(rcs_checkout(*f, "1.1.1.1", &err).has_value());
  assert_false(rcs_checkout(*f, "1.4", &err).has_value());
  assert_false(rcs_checkout(*f, "", &err).has_value());
}

static void at_quoting(void**) {
  // "@@" inside any string is one '@'; a string of only "@@" pairs.
  std::string file = make_rcs("@\n@@x@\n", {"d1 1\na1 1\n@@@@\n"});
  std::string err;
  auto f = parse_rcs(file, &err);
  if (!f) fail_msg("parse failed: %s", err.c_str());
  assert_str(f->deltas[f->trunk[0]].text, "@\n@@x@\n");
  assert_str(*rcs_checkout(*f, "1.2"), "@\n@@x@\n");
  assert_str(*rcs_checkout(*f, "1.1"), "@@@@\n@@x@\n");
  // An admin string that holds only "@@".
  auto g = parse_rcs("head ;\nexpand @@@@;\ndesc @@@@@@\n", &err);
  if (!g) fail_msg("parse failed: %s", err.c_str());
  assert_str(g->expand, "@");
  assert_str(g->desc, "@@");
  assert_true(g->trunk.empty());
  assert_false(rcs_checkout(*g, "1.1").has_value());
}

static void final_newline(void**) {
  // The head lacks a final newline; the older revision ends with one.
  assert_str(*checkout(make_rcs("a\nb", {"d2 1\na2 1\nb\n"}), "1.1"), "a\nb\n");
  // The head ends with a newline; the older revision's last line has none
  // (the added line runs to the end of the deltatext).
  assert_str(*checkout(make_rcs("a\nb\n", {"d2 1\na2 1\nc"}), "1.1"), "a\nc");
  // An empty head and an older revision made of one unterminated line.
  assert_str(*checkout(make_rcs("", {"a0 1\nonly"}), "1.1"), "only");
  assert_str(*checkout(make_rcs("", {"a0 1\nonly"}), "1.2"), "");
  // A revision identical to the next newer one has an empty diff.
  assert_str(*checkout(make_rcs("x\ny", {""}), "1.1"), "x\ny");
  // Whole deletion.
  assert_str(*checkout(make_rcs("x\ny", {"d1 2\n"}), "1.1"), "");
  // The last command may miss its newline when nothing follows it.
  assert_str(*checkout(make_rcs("x\ny\n", {"d1 1"}), "1.1"), "y\n");
  // An unterminated line may not end up in the middle of a text.
  std::string err;
  assert_false(checkout(make_rcs("a\nb", {"a2 1\nc\n"}), "1.1", &err).has_value());
  assert_false(checkout(make_rcs("a\nb", {"a0 1\nx"}), "1.1", &err).has_value());
  assert_false(checkout(make_rcs("a\n", {"a1 3\nb\nc"}), "1.1", &err).has_value());  // one line short
  assert_str(*checkout(make_rcs("a\n", {"a1 2\nb\nc"}), "1.1"), "a\nb\nc");
}

static void dates(void**) {
  assert_int_equal(*rcs_date_to_epoch("1970.01.01.00.00.00"), 0);
  assert_int_equal(*rcs_date_to_epoch("2024.02.29.12.00.00"), 1709208000);
  assert_int_equal(*rcs_date_to_epoch("99.12.31.23.59.59"), 946684799);
  assert_int_equal(*rcs_date_to_epoch("2000.01.01.00.00.00"), 946684800);
  assert_int_equal(*rcs_date_to_epoch("2005.12.14.21.56.33"), 1134597393);
  assert_int_equal(*rcs_date_to_epoch("2026.11.25.19.58.14"), 1795636694);
  assert_int_equal(*rcs_date_to_epoch("05.03.01.00.00.00"), -2046124800);  // 1905
  assert_int_equal(*rcs_date_to_epoch("1905.3.1.0.0.0"), -2046124800);
  assert_int_equal(*rcs_date_to_epoch("2000.02.29.00.00.00"), 951782400);
  assert_int_equal(*rcs_date_to_epoch("1998.12.31.23.59.60"), 915148800);  // leap second
  const char* bad[] = {
      "",
      "2024",
      "2024.01.01.00.00",
      "2024.01.01.00.00.00.00",
      "2024.13.01.00.00.00",
      "2024.00.01.00.00.00",
      "2024.01.00.00.00.00",
      "2023.02.29.00.00.00",  // not a leap year
      "1900.02.29.00.00.00",  // not a leap year either
      "2024.04.31.00.00.00",
      "2024.01.01.24.00.00",
      "2024.01.01.00.60.00",
      "2024.01.01.00.00.61",
      "202.01.01.00.00.00",
      "20245.01.01.00.00.00",
      "0000.01.01.00.00.00",
      "2024.001.01.00.00.00",
      "2024..01.00.00.00",
      "2024.01.01.00.00.",
      ".2024.01.01.00.00",
      "2024.01.01.00.00.0x",
      "-024.01.01.00.00.00",
      "2024.01.01 00.00.00",
  };
  for (const char* s : bad)
    if (rcs_date_to_epoch(s)) fail_msg("accepted the date '%s'", s);
}

static void revision_numbers(void**) {
  assert_str(rcs_revision_for(1), "1.1");
  assert_str(rcs_revision_for(42), "1.42");
  assert_str(rcs_revision_for(0), "");
  assert_str(rcs_revision_for(-3), "");
  assert_int_equal(foswiki_revision_of("1.1"), 1);
  assert_int_equal(foswiki_revision_of("1.42"), 42);
  assert_int_equal(foswiki_revision_of("1.2147483647"), 2147483647);
  assert_int_equal(foswiki_revision_of("1.2147483648"), 0);
  assert_int_equal(foswiki_revision_of("1.99999999999999999999"), 0);
  assert_int_equal(foswiki_revision_of("1.0"), 0);
  assert_int_equal(foswiki_revision_of("1.01"), 0);
  assert_int_equal(foswiki_revision_of("2.1"), 0);
  assert_int_equal(foswiki_revision_of("1.1.1.1"), 0);
  assert_int_equal(foswiki_revision_of("1."), 0);
  assert_int_equal(foswiki_revision_of("1"), 0);
  assert_int_equal(foswiki_revision_of(""), 0);
  assert_int_equal(foswiki_revision_of("1.-1"), 0);
}

// Every proper prefix of a valid file that stops before its last '@' is an
// error, never a crash.
static void truncated(void**) {
  std::string_view full = kThree;
  size_t last_at = full.rfind('@');
  for (size_t n = 0; n <= last_at; ++n) {
    std::string err;
    if (parse_rcs(full.substr(0, n), &err))
      fail_msg("a prefix of %zu bytes parsed", n);
    assert_false(err.empty());
  }
  assert_true(parse_rcs(full.substr(0, last_at + 1)).has_value());
}

static void corrupt_files(void**) {
  const std::string good = make_rcs("a\nb\n", {"d1 1\n"});
  assert_true(parse_rcs(good).has_value());
  const char* revs = "head 1.2;\n1.2 date 2020.01.01.00.00.00; next 1.1;\n"
                     "1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n";
  const std::string bad[] = {
      "",
      "   \n\t",
      "head",
      "head 1.1",
      "head 1.1;",
      "head 1.1;\n1.1",
      "head 1.1;\n1.1 date",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00;",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @unterminated",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text @x",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text @x@@",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 text @x@\n",  // no log
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n",  // no deltatext
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\n",           // no desc
      "head 1.1;\n1.1 next ;\ndesc @@\n1.1 log @@ text @@\n",        // no date
      "head 1.1;\n1.1 date 2020.13.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text @@\n",
      "head 1.1;\n1.1 date @2020.01.01.00.00.00@; next ;\ndesc @@\n1.1 log @@ text @@\n",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00 extra; next ;\ndesc @@\n1.1 log @@ text @@\n",
      "head @1.1@;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text @@\n",
      "head x;\ndesc @@\n",
      "head 1.1; head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text @@\n",
      "access;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text @@\n",  // no head
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next @1.0@;\ndesc @@\n1.1 log @@ text @@\n",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; branches x;\ndesc @@\n1.1 log @@ text @@\n",
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; : ;\ndesc @@\n1.1 log @@ text @@\n",
      "head 1.1;\n@junk@ 1.1 date 2020.01.01.00.00.00;\ndesc @@\n1.1 log @@ text @@\n",
      // the head names a missing delta
      "head 1.2;\n1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text @@\n",
      // next names a missing delta
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next 1.0;\ndesc @@\n1.1 log @@ text @@\n",
      // a cycle of one, and of two
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next 1.1;\ndesc @@\n1.1 log @@ text @@\n",
      std::string(revs) + "1.2 log @@ text @@\n1.1 log @@ text @@\n" + "junk\n",
      "head 1.2;\n1.2 date 2020.01.01.00.00.00; next 1.1;\n"
      "1.1 date 2020.01.01.00.00.00; next 1.2;\ndesc @@\n1.2 log @@ text @@\n1.1 log @@ text @@\n",
      // the same revision listed twice
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; next ;\n1.1 date 2020.01.01.00.00.00; next ;\n"
      "desc @@\n1.1 log @@ text @@\n",
      // text for an unknown revision, text given twice, a missing text
      std::string(revs) + "1.2 log @@ text @@\n1.1 log @@ text @@\n1.3 log @@ text @@\n",
      std::string(revs) + "1.2 log @@ text @@\n1.1 log @@ text @@\n1.1 log @@ text @@\n",
      std::string(revs) + "1.2 log @@ text @@\n",
      std::string(revs) + "1.1 log @@ text @@\n",
      // a branch delta without its text
      "head 1.1;\n1.1 date 2020.01.01.00.00.00; branches 1.1.1.1; next ;\n"
      "1.1.1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1 log @@ text @@\n",
      // a branch number on the trunk
      "head 1.1.1.1;\n1.1.1.1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1.1.1.1 log @@ text @@\n",
      "head 1;\n1 date 2020.01.01.00.00.00; next ;\ndesc @@\n1 log @@ text @@\n",
      // binary junk
      std::string("\0\0\0\xff\xfe@@;;::", 11),
      std::string("head 1.1;\0", 10),
      "@",
      ";",
      "desc @@",
  };
  for (const std::string& s : bad) {
    std::string err;
    if (parse_rcs(s, &err)) fail_msg("parsed a corrupt file:\n%s", s.c_str());
    assert_false(err.empty());
  }
  // A file with no revisions at all is valid, and empty.
  auto f = parse_rcs("head\t;\naccess;\nsymbols;\nlocks;\ndesc\n@@\n");
  assert_true(f.has_value());
  assert_true(f->deltas.empty() && f->trunk.empty());
}

static void corrupt_diffs(void**) {
  // The head has three lines; each diff below must be refused.
  const std::string bad[] = {
      "x1 1\n",
      "D1 1\n",
      "d0 1\n",
      "d4 1\n",
      "d3 2\n",
      "d1 0\n",
      "a1 0\n",
      "d2 1\nd1 1\n",       // backwards
      "d1 2\nd2 1\n",       // overlapping
      "a2 1\nx\nd2 1\n",    // deletes a line already copied
      "a2 1\nx\na1 1\ny\n", // backwards
      "a4 1\nx\n",
      "a1 3\nx\n",          // fewer lines than announced
      "a1 1",
      "a1 1\n",
      "d1 99999999999999999999\n",
      "d18446744073709551617 1\n",
      "d1 999999999999999\n",
      "a1 999999999999999\nx\n",
      "a99999999999999 1\nx\n",
      "d1\n",
      "d 1\n",
      "d1  1\n",
      "d1 1 \n",
      "d-1 1\n",
      "d1 -1\n",
      "d1 1\n\n",
      " d1 1\n",
      "d1 1\r\n",
      std::string("d1 1\n\0", 6),
  };
  for (const std::string& d : bad) {
    std::string err;
    auto f = parse_rcs(make_rcs("a\nb\nc\n", {d}), &err);
    if (!f) fail_msg("did not parse: %s", err.c_str());
    assert_str(*rcs_checkout(*f, "1.2"), "a\nb\nc\n");  // the head is still fine
    if (rcs_checkout(*f, "1.1", &err)) fail_msg("applied the corrupt diff '%s'", d.c_str());
    assert_false(err.empty());
  }
  // A corrupt diff in the middle of the chain spoils the older revisions only.
  auto f = parse_rcs(make_rcs("a\n", {"d1 1\na1 1\nb\n", "d9 1\n", "d1 1\n"}));
  assert_true(f.has_value());
  assert_str(*rcs_checkout(*f, "1.3"), "b\n");
  assert_false(rcs_checkout(*f, "1.2").has_value());
  assert_false(rcs_checkout(*f, "1.1").has_value());
}

static void limits(void**) {
  // A longer chain: revision k holds the lines 1..k, each diff removes the
  // last line.
  const int n = 300;
  std::string head;
  for (int i = 1; i <= n; ++i) head += "line " + std::to_string(i) + "\n";
  std::vector<std::string> diffs;
  for (int i = n; i > 1; --i) diffs.push_back("d" + std::to_string(i) + " 1\n");
  std::string file = make_rcs(head, diffs);
  std::string err;
  auto f = parse_rcs(file, &err);
  if (!f) fail_msg("parse failed: %s", err.c_str());
  assert_int_equal(f->trunk.size(), n);
  assert_str(*rcs_checkout(*f, "1.1"), "line 1\n");
  assert_str(*rcs_checkout(*f, "1.150"), head.substr(0, head.find("line 151")));

  RcsLimits few;
  few.max_deltas = n - 1;
  assert_false(parse_rcs(file, &err, few).has_value());
  few.max_deltas = n;
  assert_true(parse_rcs(file, &err, few).has_value());

  // The byte limit applies to every revision on the way, the head included.
  RcsLimits small;
  small.max_text_bytes = head.size();
  assert_str(*rcs_checkout(*f, "1.1", &err, small), "line 1\n");
  small.max_text_bytes = head.size() - 1;
  assert_false(rcs_checkout(*f, rcs_revision_for(n), &err, small).has_value());
  assert_false(rcs_checkout(*f, "1.5", &err, small).has_value());

  RcsLimits short_lines;
  short_lines.max_lines = n - 1;
  assert_false(rcs_checkout(*f, "1.1", &err, short_lines).has_value());

  RcsLimits cheap;
  cheap.max_work = 1000;
  assert_false(rcs_checkout(*f, "1.1", &err, cheap).has_value());
  assert_true(rcs_checkout(*f, rcs_revision_for(n - 2), &err, cheap).has_value());

  // The default bound on the number of deltas.
  std::string many = "head 1.1;\n";
  for (int i = 1; i <= 100001; ++i) many += "1." + std::to_string(i) + " date 70.1.1.0.0.0;\n";
  assert_false(parse_rcs(many + "desc @@\n", &err).has_value());
  assert_true(err.find("deltas") != std::string::npos);

  // An added line that grows the text past the byte limit.
  RcsLimits tiny;
  tiny.max_text_bytes = 8;
  auto g = parse_rcs(make_rcs("a\n", {"a1 1\n0123456789\n"}));
  assert_true(g.has_value());
  assert_false(rcs_checkout(*g, "1.1", &err, tiny).has_value());
}

static std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

static std::string shared_dir() {
  const char* env = std::getenv("CWIKI_SHARED");
  return env && *env ? env : "../shared";
}

// The fixture checked in with GNU RCS itself.
static void shared_history(void**) {
  // skip() jumps out: nothing that owns memory may be alive then (LeakSanitizer).
  if (!std::filesystem::is_directory(shared_dir() + "/foswiki-history")) skip();
  std::string dir = shared_dir() + "/foswiki-history";
  auto file = read_file(dir + "/data/Sandbox/RcsFixture.txt,v");
  auto latest = read_file(dir + "/data/Sandbox/RcsFixture.txt");
  assert_true(file.has_value());
  assert_true(latest.has_value());
  std::string err;
  auto f = parse_rcs(*file, &err);
  if (!f) fail_msg("parse failed: %s", err.c_str());
  assert_str(f->head, "1.3");
  assert_int_equal(f->trunk.size(), 3);
  for (int n = 1; n <= 3; ++n) {
    auto text = rcs_checkout(*f, rcs_revision_for(n), &err);
    if (!text) fail_msg("revision %d: %s", n, err.c_str());
    for (int m = 1; m <= 3; ++m) {
      bool has = text->find("RCSREV" + std::to_string(m)) != std::string::npos;
      if (has != (m == n)) fail_msg("revision %d and marker RCSREV%d", n, m);
    }
    std::string info = "version=\"" + std::to_string(n) + "\"";
    assert_true(text->find(info) != std::string::npos);
    assert_str(f->find(rcs_revision_for(n))->author, "RcsWriter");
  }
  auto r3 = rcs_checkout(*f, "1.3");
  assert_true(r3.has_value());
  assert_int_equal(r3->size(), latest->size());
  assert_true(*r3 == *latest);
}

// The RCS histories of Foswiki's TestCases web.
static void shared_testcases(void**) {
  // skip() jumps out: nothing that owns memory may be alive then (LeakSanitizer).
  if (!std::filesystem::exists(shared_dir() +
                               "/foswiki/conformance/TestCases-rcs/SearchTestTopic1.txt,v"))
    skip();
  std::string dir = shared_dir() + "/foswiki/conformance/TestCases-rcs";
  std::string first = dir + "/SearchTestTopic1.txt,v";
  int files = 0;
  for (int k = 1; k <= 3; ++k) {
    auto file = read_file(dir + "/SearchTestTopic" + std::to_string(k) + ".txt,v");
    if (!file) {
      assert_true(k > 1);  // the first one is known to exist
      continue;
    }
    ++files;
    std::string err;
    auto f = parse_rcs(*file, &err);
    if (!f) fail_msg("SearchTestTopic%d: %s", k, err.c_str());
    assert_false(f->trunk.empty());
    for (size_t i : f->trunk) {
      auto text = rcs_checkout(*f, f->deltas[i].rev, &err);
      if (!text) fail_msg("SearchTestTopic%d %s: %s", k, f->deltas[i].rev.c_str(), err.c_str());
      assert_true(text->find("%META:TOPICINFO{") == 0);
    }
  }
  assert_true(files >= 1);
  auto f = parse_rcs(*read_file(first));
  assert_true(f.has_value());
  assert_int_equal(f->find("1.1")->date, 1134597393);  // as the TOPICINFO says
  assert_str(f->find("1.1")->author, "KennethLavrsen");
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(three_revisions),
      cmocka_unit_test(at_quoting),
      cmocka_unit_test(final_newline),
      cmocka_unit_test(dates),
      cmocka_unit_test(revision_numbers),
      cmocka_unit_test(truncated),
      cmocka_unit_test(corrupt_files),
      cmocka_unit_test(corrupt_diffs),
      cmocka_unit_test(limits),
      cmocka_unit_test(shared_history),
      cmocka_unit_test(shared_testcases),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}

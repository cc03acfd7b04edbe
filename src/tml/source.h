// The text the renderer works on, and the parts of it that TML does not touch
// (internal to src/tml).
//
// Foswiki lifts some blocks out of the text before rendering (<verbatim>,
// <literal>, <pre>, <textarea>, <script>, <style>, <head>, <input>,
// <!DOCTYPE>, <?...?>) and deletes a few markers (<sticky>, a backslash at
// the end of a line).  Which block wins when they overlap depends on the
// order Foswiki lifts them in, so the regions are found kind by kind in that
// order; a later kind may enclose regions of earlier kinds (they become its
// children), never the other way round.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cwiki::tml {

enum class RegionKind : uint8_t {
  verbatim,   // shown escaped in <pre$params>
  literal,    // content only, as written
  pre,        // <pre$params>content</pre>, as written
  raw,        // the whole match, as written (comments, head, textarea, script, style)
  input,      // an <input> tag, as written but without <nop>
  erase,      // removed from the text
};

struct Region {
  size_t begin = 0, end = 0;                  // the span of the source it replaces
  size_t content_begin = 0, content_end = 0;  // what is put back (see kind)
  size_t params_begin = 0, params_end = 0;    // attributes of the opening tag
  RegionKind kind = RegionKind::raw;
  std::vector<uint32_t> children;             // regions inside the content
};

struct Source {
  std::string text;                 // the normalised text, with Foswiki's end marker
  std::vector<Region> regions;      // all regions
  std::vector<uint32_t> top;        // top-level regions, by position
  bool has_ho = false;              // a <ho ...> tag appears somewhere
};

// Normalises `input` (drops CR and the control bytes the renderer reserves,
// adds Foswiki's "\n<nop>\n" end marker) and finds the regions.
Source prepare_source(std::string_view input);

// Appends the text that region `r` stands for to `out` (nested regions
// expanded, verbatim escaped).
void expand_region(const Source& src, uint32_t r, std::string& out);

// Appends src.text[b, e) with the regions inside it expanded.  Regions must
// not straddle the bounds.
void expand_range(const Source& src, const std::vector<uint32_t>& regions, size_t b, size_t e,
                  std::string& out);

}  // namespace cwiki::tml

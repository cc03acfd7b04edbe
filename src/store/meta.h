// Foswiki's embedded topic format: the topic text plus %META:TYPE{k="v" ...}%
// lines.
//
// Reading follows Foswiki: TOPICINFO counts only on the first line; any other
// line of the form %META:TYPE{...}% that ends with a newline is META when its
// type's required keys are present (unknown types are always accepted); when
// any META line was taken out, one trailing newline of the text goes with it.
// Values are %XX-encoded (format 1.1) or use the older %_N_% / %_Q_% / %_P_%
// escapes (format 1.0 and earlier, whose text also has tabs expanded to three
// spaces).
//
// Writing comes in two forms.  serialize_topic() writes a topic read from a
// file back exactly as it was, as long as its text and META items were not
// changed (the layout of the file is remembered for that); otherwise it falls
// back to serialize_canonical(), which is what Foswiki writes on a save:
// TOPICINFO and TOPICPARENT, the text, a newline if META follows, then FORM,
// FIELD, FILEATTACHMENT, TOPICMOVED and the other types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cwiki {

struct MetaItem {
  std::string type;  // TOPICINFO, TOPICPARENT, FIELD, PREFERENCE, ...
  std::vector<std::pair<std::string, std::string>> attrs;  // decoded, in file order
  std::string raw;  // the line as read (no newline); cleared by set()

  const std::string* get(std::string_view key) const;
  // Sets (or adds) an attribute; the item is then written anew.
  void set(std::string_view key, std::string value);
};

struct TopicDoc {
  std::string text;  // the topic text without META lines
  std::vector<MetaItem> meta;

  // Where a file's lines were, so that an unchanged topic is written back
  // byte for byte.  Absent for topics built in memory.
  struct Layout {
    uint64_t text_hash = 0;
    size_t meta_count = 0;
    bool topicinfo_first_line = false;
    std::vector<size_t> meta_lines;  // line index in the body of each META item after TOPICINFO
    bool newline_eaten = false;      // one trailing '\n' of the text went with the META
    bool old_format = false;         // format < 1.1: raw is kept whole (tabs were expanded)
    std::string old_raw;
  };
  std::optional<Layout> layout;

  const MetaItem* find(std::string_view type) const;
  MetaItem* find(std::string_view type);
  // Items of one type (FIELD, FILEATTACHMENT, PREFERENCE, ...), in order.
  std::vector<const MetaItem*> find_all(std::string_view type) const;
  // The item of `type` whose name is `name`.
  const MetaItem* find_named(std::string_view type, std::string_view name) const;
  // Replaces the item of `type` (and `name`, when given), or appends it.
  void put(MetaItem item);
  void remove(std::string_view type, std::string_view name = {});
};

// Splits a topic file's contents into text and META data.
TopicDoc parse_topic(std::string_view file);

// The file contents for `doc`: the original bytes when nothing changed.
std::string serialize_topic(const TopicDoc& doc);
// The file contents as Foswiki writes them on a save.
std::string serialize_canonical(const TopicDoc& doc);

// Decodes a META attribute value (format 1.1: %XX; older: %_N_% and friends).
std::string meta_decode(std::string_view v, bool old_format);
// Encodes a value as Foswiki 2 does: % " CR LF { } become %xx (lower-case hex).
std::string meta_encode(std::string_view v);
// One META line (no newline) as Foswiki writes it: name first, then the other
// keys sorted (TOPICINFO drops the obsolete "rev").
std::string meta_line(const MetaItem& item);

}  // namespace cwiki

// The HTML comparison rule of the conformance corpus (its README, section
// 3): both strings are turned into a flat list of items (start tags with
// sorted attributes, end tags, normalised text) and compared item by item.
//
// Whitespace between tags does not matter, attribute order and quoting do
// not, entities equal the characters they stand for, the query parameters of
// href and src may come in any order; tag names, void-element syntax
// (<br> vs <br />), <nop> and comments do matter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace conformance {

// The item list of one string (before the trimming done when comparing).
std::vector<std::string> html_items(std::string_view html);

// True when the two strings are equal under the rule.
bool html_equal(std::string_view expected, std::string_view actual);

// HTML::Entities::decode_entities: &name; &#NNN; &#xHH; (';' optional before
// a non-name character); unknown names are left as they are.
std::string decode_entities(std::string_view s);

}  // namespace conformance

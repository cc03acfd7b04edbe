// Form definitions and the display of form fields, as Foswiki::Form,
// Foswiki::Form::FieldDefinition (and its list types) and Foswiki::Meta's
// renderFormFieldForDisplay / renderFormForDisplay do it.
//
// A form definition is the first TML table of its topic: a header row
// (Name | Type | Size | Values | Tooltip | Attributes | Default), then one
// row per field.  List types (select, radio, checkbox) take their options
// from the Values column, or from the table of the topic named by the
// field; "+values" types map "label=value" options.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "macros/session.h"
#include "store/meta.h"

namespace cwiki {

struct FieldDef {
  std::string name;        // the stored name (title with non-word characters removed)
  std::string title;
  std::string type = "text";  // lower case, with modifiers (select+multi+values)
  std::string size, value, description, attributes, default_value, defining_topic;
  bool has_default = false;
  // list types: options and the value -> label map of +values types
  std::vector<std::string> options;
  std::map<std::string, std::string> value_map;

  bool value_mapped() const { return type.find("+values") != std::string::npos; }
  // The value as displayed: +values fields show the labels of their values.
  std::string display_value(std::string_view value) const;
};

struct FormDef {
  std::string web, topic;
  std::vector<FieldDef> fields;
  const FieldDef* field(std::string_view name) const;
};

// The form `form_name` (normalised against `web`), or nullptr when the name
// is invalid, the topic does not exist or the user may not view it.
std::shared_ptr<const FormDef> load_form(Session& s, std::string_view web, std::string_view form_name);

// Foswiki::Form::fieldTitle2FieldName: "!" and <nop> removed, then every
// character but letters, digits, '_' and '.'.
std::string field_title_to_name(std::string_view title);

// How a value is shown (Foswiki's $attrs of renderForDisplay).
struct FieldDisplay {
  bool showhidden = false;                // show fields with the H attribute
  std::optional<std::string> newline;     // replaces newlines (default <br />; "$n" is a newline)
  std::optional<std::string> bar;         // replaces '|' (default &#124;)
  std::optional<std::string> break_args;  // breakName arguments
  bool protectdollar = false;             // $n, $nop, ... made inert with <nop>
  std::optional<std::string> usetitle;    // the title to show instead of the definition's
};

// Foswiki::Render::protectFormFieldValue.
std::string protect_form_field_value(std::string_view value, const FieldDisplay& d);

// FieldDefinition::renderForDisplay: $title $value $value(display) $name
// $attributes $type $size $definingTopic in `format`.
std::string render_field(const FieldDef& f, std::string_view format, std::string_view value,
                         const FieldDisplay& d);

// Meta::renderFormFieldForDisplay on topic `doc` of `web`: the field named
// (or titled) `name`, through its form definition when there is one; "" when
// the topic has no such field.
std::string render_form_field(Session& s, std::string_view web, const TopicDoc& doc,
                              std::string_view name, std::string_view format, FieldDisplay d);

// Meta::renderFormForDisplay: the form table of topic `doc` (templates
// formtables FORM:display:header/row/footer); "" when it has no form.
std::string render_form(Session& s, std::string_view web, const TopicDoc& doc);

}  // namespace cwiki

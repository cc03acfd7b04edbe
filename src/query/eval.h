// Evaluation of a parsed query (src/query/parser.h) against topics, with
// Foswiki's semantics: Perl's scalars (undef, strings, numbers) and truth,
// arrays, META hashes and topic objects; field lookup as Foswiki's
// QueryAlgorithm does it (aliases such as `attachments`, `info`, `form`;
// a bare name is a form field's value; `name`, `web`, `text`; a form name
// on the left of `.` or `[`); `'Web.Topic'/expr` loads another topic; and
// the IF operators, which ask the engine through a Host.
//
// Evaluation is bounded: every call gets a budget of steps and of array
// elements, and regular expressions run under PCRE2 match limits.  Errors
// are Foswiki's texts ("Bad regular expression '...'").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "query/parser.h"
#include "store/store.h"

namespace cwiki::query {

inline constexpr size_t kMaxEvalSteps = 2'000'000;     // node evaluations per evaluate()
inline constexpr size_t kMaxArrayElements = 200'000;  // elements built per evaluate()
inline constexpr size_t kMaxVersions = 1000;          // revisions loaded for `versions`

// A topic as the query sees it (Foswiki's Meta object): web, name, and the
// revision read, which is null for a topic that does not exist.
struct TopicObject {
  std::string web;
  std::string topic;
  std::shared_ptr<const TopicSnapshot> snap;
  bool from_versions = false;  // loaded by `versions`: its own `versions` is empty
};

class Value;
using Array = std::vector<Value>;

// One META item (FIELD, FILEATTACHMENT, TOPICINFO, ...) seen as a hash; the
// owner keeps the item alive.
struct HashRef {
  std::shared_ptr<const void> owner;
  const MetaItem* item = nullptr;
  const std::string* get(std::string_view key) const { return item ? item->get(key) : nullptr; }
};

struct Num {
  double value = 0;
  bool integer = false;  // held as a Perl integer: printed exactly
  long long int_value = 0;
  static Num of_int(long long v) { return {static_cast<double>(v), true, v}; }
  static Num of_double(double v);
};

// A Perl value.
class Value {
 public:
  enum class Kind { undef, str, num, array, hash, topic };
  Value() = default;
  static Value str(std::string s) { Value v; v.v_ = std::move(s); return v; }
  static Value num(Num n) { Value v; v.v_ = n; return v; }
  static Value integer(long long i) { return num(Num::of_int(i)); }
  static Value boolean(bool b) { return integer(b ? 1 : 0); }
  static Value array(Array a) { Value v; v.v_ = std::make_shared<const Array>(std::move(a)); return v; }
  static Value hash(HashRef h) { Value v; v.v_ = std::move(h); return v; }
  static Value topic(std::shared_ptr<const TopicObject> t) { Value v; v.v_ = std::move(t); return v; }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool defined() const { return kind() != Kind::undef; }
  bool is_ref() const { return kind() == Kind::array || kind() == Kind::hash || kind() == Kind::topic; }
  const std::string& as_str() const { return std::get<std::string>(v_); }
  const Num& as_num() const { return std::get<Num>(v_); }
  const Array& as_array() const { return *std::get<std::shared_ptr<const Array>>(v_); }
  const HashRef& as_hash() const { return std::get<HashRef>(v_); }
  const TopicObject& as_topic() const { return *std::get<std::shared_ptr<const TopicObject>>(v_); }
  const std::shared_ptr<const TopicObject>& topic_ptr() const {
    return std::get<std::shared_ptr<const TopicObject>>(v_);
  }

 private:
  std::variant<std::monostate, std::string, Num, std::shared_ptr<const Array>, HashRef,
               std::shared_ptr<const TopicObject>>
      v_;
};

// Perl's truth: undef, "", "0" and 0 are false; references are true.
bool is_true(const Value& v);
// Perl's stringification ("" for undef; numbers as Perl prints them).
std::string to_text(const Value& v);
// Perl's formatting of a number ("%.15g", integers exactly).
std::string format_number(const Num& n);
// Foswiki's isNumber: a signed decimal or float, as a whole string.
bool looks_like_number(std::string_view s);

// QUERY's output of a value in a style: "default" (Foswiki's Simplified:
// scalars as they are, arrays of scalars joined by ',', anything else as
// Perl), "perl" (Data::Dumper, terse), "json".  Unknown styles fall back to
// the default one.
std::string serialise(const Value& v, std::string_view style);

// What evaluation needs from the rest of the engine.  The store-backed parts
// have a default implementation over a Store; the IF operators need a
// session (SessionHost in query/session_host.h).
class Host {
 public:
  explicit Host(const Store& store) : store_(store) {}
  virtual ~Host() = default;

  // Loads a topic (latest revision), for the query's topic and for '/'.
  // A missing topic gives a TopicObject without a snapshot.
  virtual std::shared_ptr<const TopicObject> load(std::string_view web, std::string_view topic);
  // The revisions of a topic, newest first (for `versions`).
  virtual std::vector<std::shared_ptr<const TopicObject>> versions(const TopicObject& t);
  virtual bool topic_exists(std::string_view web, std::string_view topic);
  virtual bool web_exists(std::string_view web);
  // The web names are relative to ($session->{webName}), and the webs and
  // topic that empty names default to.
  virtual std::string base_web() { return "Main"; }
  virtual std::string users_web() { return "Main"; }
  virtual std::string system_web() { return "System"; }
  virtual std::string home_topic() { return "WebHome"; }
  // {Key}{Sub}: the value of an accessible configuration item, or "".
  virtual Value config(std::string_view key);
  // Seconds since the epoch (the name NOW).
  virtual long long now();

  // ---- the IF operators; the defaults answer as if nothing were set ----
  virtual const std::string* url_param(std::string_view) { return nullptr; }
  // A preference as seen from `tom` (the session's cascade and tom's own).
  virtual std::optional<std::string> preference(std::string_view, const TopicObject&) { return std::nullopt; }
  // The session's preference only (isempty).
  virtual std::optional<std::string> session_preference(std::string_view) { return std::nullopt; }
  virtual bool macro_exists(std::string_view) { return false; }
  // The context flag's value ("" when not set).
  virtual std::string context(std::string_view) { return ""; }
  // %text% expanded in the context of `tom` ($ operator).
  virtual std::string expand(std::string_view text, const TopicObject&) { return std::string(text); }
  // Access of the current user to a topic ("" topic: the web), mode VIEW, CHANGE...
  virtual bool allows(std::string_view mode, std::string_view web, std::string_view topic);
  // The user id for a login name, WikiName or Web.WikiName; "" when unknown.
  virtual std::string canonical_user(std::string_view) { return ""; }
  virtual bool is_in_group(std::string_view cuid, std::string_view group) { return false; }

  const Store& store() const { return store_; }

 private:
  const Store& store_;
};

// Foswiki's normalizeWebTopicName(web, name): "Web.Topic" or "Web/Topic"
// splits at the last separator; empty parts default to the users web and
// the home topic; the web's '.' become '/'.
std::pair<std::string, std::string> normalize_web_topic(Host& host, std::string_view web,
                                                        std::string_view name);

struct EvalResult {
  Value value;
  std::string error;  // non-empty: Foswiki's message, and value is undef
  bool ok() const { return error.empty(); }
};

// Evaluates `expr` with `tom` as the topic being queried (Foswiki's tom and
// data).  Never throws (errors, limits and allocation failures become
// `error`).
EvalResult evaluate(const Expr& expr, Host& host, std::shared_ptr<const TopicObject> tom);

}  // namespace cwiki::query

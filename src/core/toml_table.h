// Checked reading of TOML tables for the loaders (rules, catalogue, profiles, tool config), the
// TOML twin of JsonReader: a table is read against a field spec (name, kind, required), and every
// error is located in the file, e.g.
//   rules/t.toml:4:1: error: unknown field 'titel' (did you mean 'title'?)
//   rules/t.toml:2:6: error: field 'id' must be a string, not an integer
//   rules/t.toml:1:1: error: rule is missing required field 'title'
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "core/result.h"

namespace tcptune::core {

enum class TomlKind { kAny, kString, kInteger, kBool, kArray, kTable };

struct TomlField {
  std::string_view name;
  TomlKind kind = TomlKind::kAny;  // kAny: the loader checks the value (and words the error) itself
  bool required = false;
  std::string_view expected = {};  // what a kind error says the value must be; "" = the kind's name
};

// One key of a table with its field spec.
struct TomlEntry {
  const TomlField* field;
  const toml::key* key;
  const toml::node* value;
};

SourceLoc toml_loc(std::string_view path, const toml::source_region& r);
Error toml_error(std::string_view path, const toml::source_region& r, std::string what, std::string hint = {});

// "a string", "an integer", "a table", ... for diagnostics.
std::string_view toml_type_name(toml::node_type t);

// Parses `text` after the toml++ 3.3 undefined-behaviour guard (check_toml_text); a syntax
// error is located.
Result<toml::parse_result> parse_toml(std::string_view text, std::string_view path);

// The entries of a table in file order (toml++ iterates in key order), so that the first error
// reported is the first in the file.
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t);

// The elements of `a`, which must all be strings: "elements of 'x' must be strings, not an integer".
Result<std::vector<std::string>> toml_strings(std::string_view path, std::string_view name, const toml::array& a);

class TomlTable {
 public:
  // `noun` names a key in "unknown <noun> 'x'"; `in` follows the name (" in [[setting]]").
  TomlTable(std::string_view path, const toml::table& t, std::span<const TomlField> fields,
            std::string_view noun = "field", std::string_view in = {});

  // Every key names a field of the spec, else "unknown field 'x'<in> (did you mean 'y'?)" at
  // the first key (in file order) that does not.
  Status check_names() const;
  // "<owner> is missing required field 'x'" at `at`, for the first required field absent.
  Status check_required(std::string_view owner, const SourceLoc& at) const;
  // check_names(), then the entries in file order, each value checked against its field's kind
  // ("field 'x' must be a string, not an integer", at the value). Loaders that report missing
  // fields before wrong kinds call check_names() and check_required() first.
  Result<std::vector<TomlEntry>> entries() const;

 private:
  const TomlField* find(std::string_view name) const;

  std::string_view path_;
  const toml::table& table_;
  std::vector<std::pair<const toml::key*, const toml::node*>> order_;  // in_file_order(table_)
  std::span<const TomlField> fields_;
  std::string_view noun_;
  std::string_view in_;
};

}  // namespace tcptune::core

#include "core/catalogue_loader.h"

#include "core/did_you_mean.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/catalogue_suggest.h"
#include "core/sysctl_key.h"
#include "core/toml_guard.h"

namespace tcptune::core {
namespace {

enum class Kind { kString, kInteger, kBool, kStrings, kVersion, kOlderDefaults };

struct FieldSpec {
  std::string_view name;
  Kind kind;
  bool required;  // in catalogue.toml
  bool note;      // prose for `tcptune explain`: may also come from catalogue-notes.toml
};

// The schema; the order is the order tools/gen_catalogue.py writes fields in. The notes (human
// text) live in a second file so that an audit, which needs none of them, does not pay for
// parsing them: they are four fifths of the catalogue's bytes.
constexpr std::array<FieldSpec, 25> kFields{{
    {"key", Kind::kString, true, false},          {"type", Kind::kString, true, false},
    {"unit", Kind::kString, true, false},         {"unit_text", Kind::kString, false, true},
    {"fields", Kind::kInteger, false, false},     {"default", Kind::kString, true, false},
    {"default_value", Kind::kString, false, false}, {"older_defaults", Kind::kOlderDefaults, false, false},
    {"min", Kind::kInteger, false, false},        {"max", Kind::kInteger, false, false},
    {"min_text", Kind::kString, false, true},     {"max_text", Kind::kString, false, true},
    {"jiffies", Kind::kBool, false, false},       {"scope", Kind::kString, true, false},
    {"scope_text", Kind::kString, false, true},   {"added_in", Kind::kVersion, false, false},
    {"added_text", Kind::kString, false, true},   {"removed_in", Kind::kVersion, false, false},
    {"removed_text", Kind::kString, false, true}, {"module", Kind::kString, false, false},
    {"unverified", Kind::kStrings, false, false}, {"meaning", Kind::kString, false, true},
    {"interactions", Kind::kStrings, false, true}, {"misconceptions", Kind::kStrings, false, true},
    {"source", Kind::kString, false, true},
}};

const std::vector<std::string> kTypes = {"integer", "tuple", "string", "enum",
                                         "boolean", "bitmask", "list"};
const std::vector<std::string> kUnits = {"seconds", "milliseconds", "bytes", "count",
                                         "port",    "packets",      "name",  "none"};
const std::vector<std::string> kScopes = {"netns", "global", "netns-readonly"};

std::vector<std::string> field_names() {
  std::vector<std::string> out;
  for (const auto& f : kFields) out.emplace_back(f.name);
  return out;
}

const FieldSpec* find_spec(std::string_view name) {
  for (const auto& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::kString: return "a string";
    case Kind::kInteger: return "an integer";
    case Kind::kBool: return "a boolean";
    case Kind::kStrings: return "an array of strings";
    case Kind::kVersion: return "a version string";
    case Kind::kOlderDefaults: return "an array of { until, value } tables";
  }
  return "?";
}

SourceLoc loc_of(std::string_view path, const toml::source_region& r) {
  return SourceLoc{std::string(path), static_cast<int>(r.begin.line),
                   static_cast<int>(r.begin.column)};
}

Error error_at(std::string_view path, const toml::source_region& r, std::string what) {
  return make_file_error(loc_of(path, r), std::move(what));
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  return did_you_mean(word, candidates);
}

// Strict "X.Y" or "X.Y.Z": parse_kernel_version also accepts release suffixes, which a catalogue
// version must not have.
std::optional<KernelVersion> parse_strict_version(std::string_view s) {
  int dots = 0;
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return std::nullopt;
      ++dots;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    }
    prev = c;
  }
  if (prev == '.' || dots < 1 || dots > 2) return std::nullopt;
  return parse_kernel_version(s);
}

// Entries of a table in file order (toml::table iterates in key order).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (const auto& [k, v] : t) out.emplace_back(&k, &v);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
  });
  return out;
}

Status check_kind(std::string_view path, std::string_view name, Kind kind, const toml::node& v) {
  bool ok = false;
  switch (kind) {
    case Kind::kString:
    case Kind::kVersion: ok = v.is_string(); break;
    case Kind::kInteger: ok = v.is_integer(); break;
    case Kind::kBool: ok = v.is_boolean(); break;
    case Kind::kStrings:
    case Kind::kOlderDefaults: ok = v.is_array(); break;
  }
  if (ok) return ok_status();
  return error_at(path, v.source(),
                  fmt::format("field '{}' must be {}, not {}", name, kind_name(kind),
                              type_name(v.type())));
}

Result<std::string> one_of(std::string_view path, std::string_view what, const toml::node& v,
                           const std::vector<std::string>& allowed) {
  const std::string s = v.as_string()->get();
  if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return s;
  return error_at(path, v.source(),
                  fmt::format("unknown {} '{}'{}", what, s, suggestion(s, allowed)));
}

Result<KernelVersion> version_of(std::string_view path, std::string_view name,
                                 const toml::node& v) {
  const std::string s = v.as_string()->get();
  if (auto kv = parse_strict_version(s)) return *kv;
  return error_at(path, v.source(),
                  fmt::format("field '{}' is not a kernel version: '{}' (expected X.Y or X.Y.Z)",
                              name, s));
}

Result<std::vector<std::string>> strings_of(std::string_view path, std::string_view name,
                                            const toml::array& a) {
  std::vector<std::string> out;
  for (const auto& el : a) {
    if (!el.is_string()) {
      return error_at(path, el.source(),
                      fmt::format("elements of '{}' must be strings, not {}", name,
                                  type_name(el.type())));
    }
    out.push_back(el.as_string()->get());
  }
  return out;
}

Result<std::vector<OlderDefault>> older_defaults_of(std::string_view path, const toml::array& a) {
  static const std::vector<std::string> kKeys = {"until", "value"};
  std::vector<OlderDefault> out;
  for (const auto& el : a) {
    const toml::table* t = el.as_table();
    if (!t) {
      return error_at(path, el.source(),
                      fmt::format("elements of 'older_defaults' must be tables, not {}",
                                  type_name(el.type())));
    }
    OlderDefault od;
    for (const auto& [k, v] : in_file_order(*t)) {
      if (k->str() != "until" && k->str() != "value") {
        return error_at(path, k->source(),
                        fmt::format("unknown field '{}' in 'older_defaults'{}", k->str(),
                                    suggestion(k->str(), kKeys)));
      }
      if (auto st = check_kind(path, k->str(), Kind::kString, *v); !st) return st.error();
      if (k->str() == "value") {
        od.value = v->as_string()->get();
        continue;
      }
      auto kv = version_of(path, "until", *v);
      if (!kv) return kv.error();
      od.until = *kv;
    }
    if (!t->contains("until") || !t->contains("value")) {
      return error_at(path, el.source(), "'older_defaults' elements need 'until' and 'value'");
    }
    out.push_back(std::move(od));
  }
  std::sort(out.begin(), out.end(),
            [](const OlderDefault& a2, const OlderDefault& b2) { return a2.until < b2.until; });
  return out;
}

}  // namespace

namespace {

struct TextField {
  std::string_view name;
  std::string CatalogueEntry::*member;
};

constexpr std::array<TextField, 11> kTextFields{{
    {"unit_text", &CatalogueEntry::unit_text},   {"default", &CatalogueEntry::default_text},
    {"min_text", &CatalogueEntry::min_text},     {"max_text", &CatalogueEntry::max_text},
    {"scope_text", &CatalogueEntry::scope_text}, {"added_text", &CatalogueEntry::added_text},
    {"removed_text", &CatalogueEntry::removed_text}, {"module", &CatalogueEntry::module},
    {"meaning", &CatalogueEntry::meaning},       {"source", &CatalogueEntry::source},
    {"default_value", nullptr},
}};

// Stores one field whose TOML type has already been checked.
Status read_field(std::string_view path, std::string_view name, const toml::node& v,
                  CatalogueEntry& e) {
  for (const auto& tf : kTextFields) {
    if (tf.name != name) continue;
    if (tf.member) e.*tf.member = v.as_string()->get();
    else e.default_value = v.as_string()->get();
    return ok_status();
  }
  Result<std::string> choice = std::string();
  if (name == "key") {
    const std::string k = v.as_string()->get();
    if (k.empty() || normalize_key(k) != k || is_glob_key(k)) {
      return error_at(path, v.source(), fmt::format("invalid sysctl key '{}'", k));
    }
    e.key = k;
  } else if (name == "type") {
    if (!(choice = one_of(path, "type", v, kTypes))) return choice.error();
    e.type = *choice;
  } else if (name == "unit") {
    if (!(choice = one_of(path, "unit", v, kUnits))) return choice.error();
    e.unit = *choice;
  } else if (name == "scope") {
    if (!(choice = one_of(path, "scope", v, kScopes))) return choice.error();
    e.scope = *choice;
  } else if (name == "fields") {
    const int64_t n = v.as_integer()->get();
    if (n < 1 || n > 64) {
      return error_at(path, v.source(), fmt::format("field 'fields' must be 1..64, not {}", n));
    }
    e.fields = static_cast<int>(n);
  } else if (name == "min" || name == "max") {
    (name == "min" ? e.min : e.max) = v.as_integer()->get();
  } else if (name == "jiffies") {
    e.jiffies = v.as_boolean()->get();
  } else if (name == "added_in" || name == "removed_in") {
    auto kv = version_of(path, name, v);
    if (!kv) return kv.error();
    (name == "added_in" ? e.added_in : e.removed_in) = *kv;
  } else if (name == "older_defaults") {
    auto ods = older_defaults_of(path, *v.as_array());
    if (!ods) return ods.error();
    e.older_defaults = std::move(*ods);
  } else {
    auto list = strings_of(path, name, *v.as_array());
    if (!list) return list.error();
    if (name == "unverified") {
      const auto names = field_names();
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string& f = (*list)[i];
        if (!find_spec(f)) {
          return error_at(path, (*v.as_array())[i].source(),
                          fmt::format("unknown field '{}' in 'unverified'{}", f,
                                      suggestion(f, names)));
        }
      }
    }
    (name == "unverified" ? e.unverified
                          : name == "interactions" ? e.interactions : e.misconceptions) = *list;
  }
  return ok_status();
}

// Consistency between fields of one entry, reported at the entry's [[sysctl]] header.
Status check_entry(std::string_view path, const toml::table& t, const CatalogueEntry& e) {
  std::string what;
  if (e.type == "tuple" && e.fields < 2) {
    what = "type 'tuple' needs 'fields' of 2 or more";
  } else if (e.type != "tuple" && e.fields != 1) {
    what = fmt::format("'fields' is only allowed with type 'tuple', not '{}'", e.type);
  } else if (e.min && e.max && *e.min > *e.max) {
    what = fmt::format("min {} is greater than max {}", *e.min, *e.max);
  } else if (e.added_in && e.removed_in && !(*e.added_in < *e.removed_in)) {
    what = fmt::format("removed_in {} is not after added_in {}", version_text(*e.removed_in),
                       version_text(*e.added_in));
  }
  if (what.empty()) return ok_status();
  return error_at(path, t.source(), fmt::format("sysctl '{}': {}", e.key, what));
}

Result<CatalogueEntry> parse_entry(std::string_view path, const toml::table& t) {
  CatalogueEntry e;
  e.line = static_cast<int>(t.source().begin.line);
  static const std::vector<std::string> names = field_names();
  for (const auto& [k, v] : in_file_order(t)) {
    const FieldSpec* spec = find_spec(k->str());
    if (!spec) {
      return error_at(path, k->source(),
                      fmt::format("unknown field '{}'{}", k->str(), suggestion(k->str(), names)));
    }
    if (auto st = check_kind(path, spec->name, spec->kind, *v); !st) return st.error();
    if (auto st = read_field(path, spec->name, *v, e); !st) return st.error();
  }
  for (const auto& spec : kFields) {
    if (!spec.required || t.contains(spec.name)) continue;
    const std::string who = e.key.empty() ? "sysctl entry" : fmt::format("sysctl '{}'", e.key);
    return error_at(path, t.source(),
                    fmt::format("{} is missing required field '{}'", who, spec.name));
  }
  if (auto st = check_entry(path, t, e); !st) return st.error();
  return e;
}


// The [[sysctl]] tables of a catalogue or notes file, after the TOML and top-level checks.
Result<std::vector<const toml::table*>> sysctl_tables(const toml::parse_result& parsed, std::string_view path) {
  const toml::table& root = parsed.table();
  static const std::vector<std::string> kTop = {"sysctl"};
  for (const auto& [k, v] : in_file_order(root)) {
    if (k->str() != "sysctl") {
      return error_at(path, k->source(), fmt::format("unknown top-level field '{}'{}", k->str(),
                                                     suggestion(k->str(), kTop)));
    }
  }
  const toml::array* list = root["sysctl"].as_array();
  if (!list) {
    if (const toml::node* n = root.get("sysctl")) {
      return error_at(path, n->source(),
                      fmt::format("'sysctl' must be an array of tables ([[sysctl]]), not {}",
                                  type_name(n->type())));
    }
    return make_file_error(SourceLoc{std::string(path), 0, 0}, "no [[sysctl]] entries");
  }
  std::vector<const toml::table*> out;
  for (const auto& el : *list) {
    const toml::table* t = el.as_table();
    if (!t) {
      return error_at(path, el.source(),
                      fmt::format("'sysctl' must be an array of tables ([[sysctl]]), found {}",
                                  type_name(el.type())));
    }
    out.push_back(t);
  }
  return out;
}

Result<toml::parse_result> parse_toml(std::string_view text, std::string_view path) {
  if (auto st = check_toml_text(text, path); !st) return st.error();  // toml++ 3.3 UB guard
  toml::parse_result parsed = toml::parse(text, path);
  if (!parsed) return error_at(path, parsed.error().source(), std::string(parsed.error().description()));
  return parsed;
}

// One notes table: `key` (an entry of `cat`) and note fields only.
Status add_notes(std::string_view path, const toml::table& t, Catalogue& cat, std::set<std::string>& seen) {
  const toml::node* k = t.get("key");
  if (!k || !k->is_string()) return error_at(path, t.source(), "notes entry is missing required field 'key' (a string)");
  const std::string key = k->as_string()->get();
  auto it = cat.entries.find(key);
  if (it == cat.entries.end()) {
    return error_at(path, k->source(), fmt::format("notes for sysctl '{}', which the catalogue does not have", key));
  }
  if (!seen.insert(key).second) return error_at(path, k->source(), fmt::format("duplicate notes for sysctl '{}'", key));
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out{"key"};
    for (const auto& f : kFields) if (f.note) out.emplace_back(f.name);
    return out;
  }();
  for (const auto& [name, v] : in_file_order(t)) {
    if (name->str() == "key") continue;
    const FieldSpec* spec = find_spec(name->str());
    if (!spec || !spec->note) {
      return error_at(path, name->source(),
                      spec ? fmt::format("field '{}' is not a note; it belongs in the catalogue", name->str())
                           : fmt::format("unknown field '{}'{}", name->str(), suggestion(name->str(), names)));
    }
    if (auto st = check_kind(path, spec->name, spec->kind, *v); !st) return st.error();
    if (auto st = read_field(path, spec->name, *v, it->second); !st) return st.error();
  }
  return ok_status();
}

}  // namespace

Result<Catalogue> load_catalogue(std::string_view text, std::string_view path) {
  auto parsed = parse_toml(text, path);
  if (!parsed) return parsed.error();
  auto tables = sysctl_tables(*parsed, path);
  if (!tables) return tables.error();
  Catalogue cat;
  for (const toml::table* t : *tables) {
    auto entry = parse_entry(path, *t);
    if (!entry) return entry.error();
    if (const CatalogueEntry* first = cat.find(entry->key)) {
      return error_at(path, t->get("key")->source(),
                      fmt::format("duplicate sysctl '{}' (first defined at line {})", entry->key,
                                  first->line));
    }
    std::string key = entry->key;
    cat.entries.emplace(std::move(key), std::move(*entry));
  }
  return cat;
}

Status load_catalogue_notes(Catalogue& cat, std::string_view text, std::string_view path) {
  auto parsed = parse_toml(text, path);
  if (!parsed) return parsed.error();
  auto tables = sysctl_tables(*parsed, path);
  if (!tables) return tables.error();
  std::set<std::string> seen;
  for (const toml::table* t : *tables) {
    if (auto st = add_notes(path, *t, cat, seen); !st) return st.error();
  }
  return ok_status();
}

}  // namespace tcptune::core

#include "core/catalogue_loader.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/catalogue_suggest.h"
#include "core/did_you_mean.h"
#include "core/sysctl_key.h"
#include "core/toml_table.h"

namespace tcptune::core {
namespace {

constexpr std::string_view kVersion = "a version string";

// The schema, in the order the catalogue writes its fields.
constexpr std::array<TomlField, 25> kFields{{
    {"key", TomlKind::kString, true},           {"type", TomlKind::kString, true},
    {"unit", TomlKind::kString, true},          {"unit_text", TomlKind::kString},
    {"fields", TomlKind::kInteger},             {"default", TomlKind::kString, true},
    {"default_value", TomlKind::kString},
    {"older_defaults", TomlKind::kArray, false, "an array of { until, value } tables"},
    {"min", TomlKind::kInteger},                {"max", TomlKind::kInteger},
    {"min_text", TomlKind::kString},            {"max_text", TomlKind::kString},
    {"jiffies", TomlKind::kBool},               {"scope", TomlKind::kString, true},
    {"scope_text", TomlKind::kString},          {"added_in", TomlKind::kString, false, kVersion},
    {"added_text", TomlKind::kString},          {"removed_in", TomlKind::kString, false, kVersion},
    {"removed_text", TomlKind::kString},        {"module", TomlKind::kString},
    {"unverified", TomlKind::kArray, false, "an array of strings"},
    {"meaning", TomlKind::kString},
    {"interactions", TomlKind::kArray, false, "an array of strings"},
    {"misconceptions", TomlKind::kArray, false, "an array of strings"},
    {"source", TomlKind::kString},
}};

// The prose fields, for `tcptune explain`; they may also come from catalogue-notes.toml. The
// notes (human text) live in a second file so that an audit, which needs none of them, does not
// pay for parsing them: they are four fifths of the catalogue's bytes.
constexpr std::array<std::string_view, 10> kNoteNames{
    "unit_text", "min_text", "max_text", "scope_text", "added_text", "removed_text",
    "meaning", "interactions", "misconceptions", "source"};

bool is_note(std::string_view name) {
  return std::find(kNoteNames.begin(), kNoteNames.end(), name) != kNoteNames.end();
}

// The fields of a notes table: `key` and the notes.
const std::array<TomlField, 11> kNoteFields = [] {
  std::array<TomlField, 11> out{};
  out[0] = kFields[0];
  size_t i = 1;
  for (const auto& f : kFields) {
    if (is_note(f.name)) out[i++] = f;
  }
  return out;
}();

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

const TomlField* find_spec(std::string_view name) {
  for (const auto& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
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

Result<std::string> one_of(std::string_view path, std::string_view what, const toml::node& v,
                           const std::vector<std::string>& allowed) {
  const std::string s = v.as_string()->get();
  if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return s;
  return toml_error(path, v.source(),
                    fmt::format("unknown {} '{}'{}", what, s, did_you_mean(s, allowed)));
}

Result<KernelVersion> version_of(std::string_view path, std::string_view name,
                                 const toml::node& v) {
  const std::string s = v.as_string()->get();
  if (auto kv = parse_strict_version(s)) return *kv;
  return toml_error(path, v.source(),
                    fmt::format("field '{}' is not a kernel version: '{}' (expected X.Y or X.Y.Z)",
                                name, s));
}

Result<std::vector<OlderDefault>> older_defaults_of(std::string_view path, const toml::array& a) {
  static constexpr std::array<TomlField, 2> kOlderDefaultFields{{{"until", TomlKind::kString},
                                                                   {"value", TomlKind::kString}}};
  std::vector<OlderDefault> out;
  for (const auto& el : a) {
    const toml::table* t = el.as_table();
    if (!t) {
      return toml_error(path, el.source(),
                        fmt::format("elements of 'older_defaults' must be tables, not {}",
                                    toml_type_name(el.type())));
    }
    OlderDefault od;
    auto fields = TomlTable(path, *t, kOlderDefaultFields, "field", " in 'older_defaults'").entries();
    if (!fields) return fields.error();
    for (const auto& [f, k, v] : *fields) {
      if (f->name == "value") {
        od.value = v->as_string()->get();
        continue;
      }
      auto kv = version_of(path, "until", *v);
      if (!kv) return kv.error();
      od.until = *kv;
    }
    if (!t->contains("until") || !t->contains("value")) {
      return toml_error(path, el.source(), "'older_defaults' elements need 'until' and 'value'");
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
      return toml_error(path, v.source(), fmt::format("invalid sysctl key '{}'", k));
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
      return toml_error(path, v.source(), fmt::format("field 'fields' must be 1..64, not {}", n));
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
    auto list = toml_strings(path, name, *v.as_array());
    if (!list) return list.error();
    if (name == "unverified") {
      const auto names = field_names();
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string& f = (*list)[i];
        if (!find_spec(f)) {
          return toml_error(path, (*v.as_array())[i].source(),
                            fmt::format("unknown field '{}' in 'unverified'{}", f,
                                        did_you_mean(f, names)));
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
  return toml_error(path, t.source(), fmt::format("sysctl '{}': {}", e.key, what));
}

Result<CatalogueEntry> parse_entry(std::string_view path, const toml::table& t) {
  CatalogueEntry e;
  e.line = static_cast<int>(t.source().begin.line);
  const TomlTable table(path, t, kFields);
  auto fields = table.entries();
  if (!fields) return fields.error();
  for (const auto& [f, k, v] : *fields) {
    if (auto st = read_field(path, f->name, *v, e); !st) return st.error();
  }
  const std::string who = e.key.empty() ? "sysctl entry" : fmt::format("sysctl '{}'", e.key);
  if (auto st = table.check_required(who, toml_loc(path, t.source())); !st) return st.error();
  if (auto st = check_entry(path, t, e); !st) return st.error();
  return e;
}

// The [[sysctl]] tables of a catalogue or notes file, after the TOML and top-level checks.
Result<std::vector<const toml::table*>> sysctl_tables(const toml::parse_result& parsed, std::string_view path) {
  const toml::table& root = parsed.table();
  static constexpr std::array<TomlField, 1> kTop{{{"sysctl"}}};
  if (auto st = TomlTable(path, root, kTop, "top-level field").check_names(); !st) return st.error();
  const toml::array* list = root["sysctl"].as_array();
  if (!list) {
    if (const toml::node* n = root.get("sysctl")) {
      return toml_error(path, n->source(),
                        fmt::format("'sysctl' must be an array of tables ([[sysctl]]), not {}",
                                    toml_type_name(n->type())));
    }
    return make_file_error(SourceLoc{std::string(path), 0, 0}, "no [[sysctl]] entries");
  }
  std::vector<const toml::table*> out;
  for (const auto& el : *list) {
    const toml::table* t = el.as_table();
    if (!t) {
      return toml_error(path, el.source(),
                        fmt::format("'sysctl' must be an array of tables ([[sysctl]]), found {}",
                                    toml_type_name(el.type())));
    }
    out.push_back(t);
  }
  return out;
}

// One notes table: `key` (an entry of `cat`) and note fields only.
Status add_notes(std::string_view path, const toml::table& t, Catalogue& cat, std::set<std::string>& seen) {
  const toml::node* k = t.get("key");
  if (!k || !k->is_string()) return toml_error(path, t.source(), "notes entry is missing required field 'key' (a string)");
  const std::string key = k->as_string()->get();
  auto it = cat.entries.find(key);
  if (it == cat.entries.end()) {
    return toml_error(path, k->source(), fmt::format("notes for sysctl '{}', which the catalogue does not have", key));
  }
  if (!seen.insert(key).second) return toml_error(path, k->source(), fmt::format("duplicate notes for sysctl '{}'", key));
  for (const auto& [name, v] : in_file_order(t)) {
    if (name->str() != "key" && find_spec(name->str()) && !is_note(name->str())) {
      return toml_error(path, name->source(),
                        fmt::format("field '{}' is not a note; it belongs in the catalogue", name->str()));
    }
  }
  auto fields = TomlTable(path, t, kNoteFields).entries();
  if (!fields) return fields.error();
  for (const auto& [f, name, v] : *fields) {
    if (f->name == "key") continue;
    if (auto st = read_field(path, f->name, *v, it->second); !st) return st.error();
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
      return toml_error(path, t->get("key")->source(),
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

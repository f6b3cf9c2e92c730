#include "core/toml_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/did_you_mean.h"
#include "core/toml_guard.h"

namespace tcptune::core {
namespace {

std::string_view kind_name(TomlKind k) {
  switch (k) {
    case TomlKind::kString: return "a string";
    case TomlKind::kInteger: return "an integer";
    case TomlKind::kBool: return "a boolean";
    case TomlKind::kArray: return "an array";
    case TomlKind::kTable: return "a table";
    case TomlKind::kAny: break;
  }
  return "a value";
}

bool has_kind(const toml::node& v, TomlKind k) {
  switch (k) {
    case TomlKind::kString: return v.is_string();
    case TomlKind::kInteger: return v.is_integer();
    case TomlKind::kBool: return v.is_boolean();
    case TomlKind::kArray: return v.is_array();
    case TomlKind::kTable: return v.is_table();
    case TomlKind::kAny: break;
  }
  return true;
}

}  // namespace

SourceLoc toml_loc(std::string_view path, const toml::source_region& r) {
  return SourceLoc{std::string(path), static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

Error toml_error(std::string_view path, const toml::source_region& r, std::string what, std::string hint) {
  return make_file_error(toml_loc(path, r), std::move(what), std::move(hint));
}

std::string_view toml_type_name(toml::node_type t) {
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

Result<toml::parse_result> parse_toml(std::string_view text, std::string_view path) {
  if (auto st = check_toml_text(text, path); !st) return st.error();  // toml++ 3.3 UB guard
  toml::parse_result parsed = toml::parse(text, path);
  if (!parsed) return toml_error(path, parsed.error().source(), std::string(parsed.error().description()));
  return parsed;
}

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

Result<std::vector<std::string>> toml_strings(std::string_view path, std::string_view name, const toml::array& a) {
  std::vector<std::string> out;
  for (const auto& el : a) {
    if (!el.is_string()) {
      return toml_error(path, el.source(),
                        fmt::format("elements of '{}' must be strings, not {}", name, toml_type_name(el.type())));
    }
    out.push_back(el.as_string()->get());
  }
  return out;
}

TomlTable::TomlTable(std::string_view path, const toml::table& t, std::span<const TomlField> fields,
                     std::string_view noun, std::string_view in)
    : path_(path), table_(t), order_(in_file_order(t)), fields_(fields), noun_(noun), in_(in) {}

const TomlField* TomlTable::find(std::string_view name) const {
  for (const auto& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status TomlTable::check_names() const {
  for (const auto& [k, v] : order_) {
    if (find(k->str())) continue;
    std::vector<std::string> names;
    for (const auto& f : fields_) names.emplace_back(f.name);
    return toml_error(path_, k->source(),
                      fmt::format("unknown {} '{}'{}{}", noun_, k->str(), in_, did_you_mean(k->str(), names)));
  }
  return ok_status();
}

Status TomlTable::check_required(std::string_view owner, const SourceLoc& at) const {
  for (const auto& f : fields_) {
    if (f.required && !table_.contains(f.name)) {
      return make_file_error(at, fmt::format("{} is missing required field '{}'", owner, f.name));
    }
  }
  return ok_status();
}

Result<std::vector<TomlEntry>> TomlTable::entries() const {
  if (auto st = check_names(); !st) return st.error();
  std::vector<TomlEntry> out;
  for (const auto& [k, v] : order_) {
    const TomlField* f = find(k->str());
    if (!has_kind(*v, f->kind)) {
      return toml_error(path_, v->source(),
                        fmt::format("field '{}' must be {}, not {}", f->name,
                                    f->expected.empty() ? kind_name(f->kind) : f->expected,
                                    toml_type_name(v->type())));
    }
    out.push_back(TomlEntry{f, k, v});
  }
  return out;
}

}  // namespace tcptune::core

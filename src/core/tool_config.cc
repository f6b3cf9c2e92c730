#include "core/tool_config.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "core/did_you_mean.h"
#include "core/toml_table.h"

namespace tcptune::core {
namespace {

// Both sections and `profile` are checked by the loader, which words its own errors.
constexpr std::array<TomlField, 2> kSections{{{"threshold"}, {"audit"}}};
constexpr std::array<TomlField, 1> kAuditFields{{{"profile"}}};

Status parse_thresholds(const std::string& path, const toml::node& n, ToolConfig& out) {
  const toml::table* t = n.as_table();
  if (!t) return toml_error(path, n.source(), "'threshold' must be a table ([threshold])");
  for (auto&& [k, v] : *t) {
    const SourceLoc at = toml_loc(path, k.source());
    if (!v.is_integer()) return make_file_error(at, fmt::format("threshold '{}' must be an integer", k.str()));
    const int64_t value = v.as_integer()->get();
    if (value < 0) return make_file_error(at, fmt::format("threshold '{}' must be >= 0, got {}", k.str(), value));
    out.thresholds.push_back({std::string(k.str()), value, at});
  }
  return ok_status();
}

Status parse_audit(const std::string& path, const toml::node& n, ToolConfig& out) {
  const toml::table* t = n.as_table();
  if (!t) return toml_error(path, n.source(), "'audit' must be a table ([audit])");
  if (auto st = TomlTable(path, *t, kAuditFields).check_names(); !st) return st;
  if (const toml::node* v = t->get("profile")) {
    if (!v->is_string() || !valid_profile_name(v->as_string()->get())) {
      return toml_error(path, v->source(), "'profile' must be a profile name (lowercase letters, digits, '-', '_')");
    }
    out.profile = v->as_string()->get();
    out.profile_where = toml_loc(path, t->find("profile")->first.source());
  }
  return ok_status();
}

std::vector<std::string> names_of(const std::map<std::string, ThresholdDecl>& declared) {
  std::vector<std::string> names;
  for (const auto& [n, d] : declared) names.push_back(n);
  return names;
}

}  // namespace

bool valid_profile_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Result<ToolConfig> parse_tool_config(std::string_view text, const std::string& path) {
  auto parsed = parse_toml(text, path);  // with the toml++ 3.3 UB guard
  if (!parsed) return parsed.error();
  const toml::table& root = parsed->table();
  if (auto st = TomlTable(path, root, kSections, "section").check_names(); !st) return st.error();
  ToolConfig out;
  for (auto&& [k, v] : root) {
    if (auto st = k.str() == "threshold" ? parse_thresholds(path, v, out) : parse_audit(path, v, out); !st) {
      return st.error();
    }
  }
  return out;
}

Result<Thresholds> resolve_thresholds(const std::map<std::string, ThresholdDecl>& declared, const ToolConfig& file,
                                      const std::vector<std::string>& sets) {
  Thresholds out;
  for (const auto& [name, d] : declared) {
    out[name] = ThresholdValue{d.default_value, fmt::format("default, {}:{}", d.where.file, d.where.line)};
  }
  const std::vector<std::string> names = names_of(declared);
  for (const auto& s : file.thresholds) {
    auto it = out.find(s.name);
    if (it == out.end()) {
      return make_file_error(s.where, fmt::format("unknown threshold '{}'{}", s.name, did_you_mean(s.name, names)),
                             "run 'tcptune audit --list-thresholds' to see the thresholds the rules declare");
    }
    it->second = ThresholdValue{s.value, fmt::format("{}:{}", s.where.file, s.where.line)};
  }
  for (const auto& arg : sets) {
    const std::string object = "--set " + arg;
    const size_t eq = arg.find('=');
    constexpr std::string_view kPrefix = "threshold.";
    if (eq == std::string::npos || arg.compare(0, kPrefix.size(), kPrefix) != 0) {
      return as_usage(make_error(object, "expected threshold.NAME=VALUE"));
    }
    const std::string name = arg.substr(kPrefix.size(), eq - kPrefix.size());
    const std::string text = arg.substr(eq + 1);
    auto it = out.find(name);
    if (it == out.end()) {
      return as_usage(make_error(object, fmt::format("unknown threshold '{}'{}", name, did_you_mean(name, names)), 0,
                        "run 'tcptune audit --list-thresholds' to see the thresholds the rules declare"));
    }
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || text.empty()) {
      return as_usage(make_error(object, fmt::format("'{}' is not an integer", text)));
    }
    if (v < 0) return as_usage(make_error(object, fmt::format("threshold '{}' must be >= 0, got {}", name, v)));
    it->second = ThresholdValue{v, "--set"};
  }
  return out;
}

}  // namespace tcptune::core

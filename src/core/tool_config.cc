#include "core/tool_config.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/did_you_mean.h"
#include "core/toml_guard.h"

namespace tcptune::core {
namespace {

SourceLoc loc_of(const std::string& path, const toml::source_region& r) {
  return SourceLoc{path, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

const std::vector<std::string> kSections = {"threshold", "audit"};
const std::vector<std::string> kAuditFields = {"profile"};

Status parse_thresholds(const std::string& path, const toml::node& n, ToolConfig& out) {
  const toml::table* t = n.as_table();
  if (!t) return make_file_error(loc_of(path, n.source()), "'threshold' must be a table ([threshold])");
  for (auto&& [k, v] : *t) {
    const SourceLoc at = loc_of(path, k.source());
    if (!v.is_integer()) return make_file_error(at, fmt::format("threshold '{}' must be an integer", k.str()));
    const int64_t value = v.as_integer()->get();
    if (value < 0) return make_file_error(at, fmt::format("threshold '{}' must be >= 0, got {}", k.str(), value));
    out.thresholds.push_back({std::string(k.str()), value, at});
  }
  return ok_status();
}

Status parse_audit(const std::string& path, const toml::node& n, ToolConfig& out) {
  const toml::table* t = n.as_table();
  if (!t) return make_file_error(loc_of(path, n.source()), "'audit' must be a table ([audit])");
  for (auto&& [k, v] : *t) {
    const SourceLoc at = loc_of(path, k.source());
    if (k.str() != "profile") {
      return make_file_error(at, fmt::format("unknown field '{}'{}", k.str(), did_you_mean(k.str(), kAuditFields)));
    }
    if (!v.is_string() || !valid_profile_name(v.as_string()->get())) {
      return make_file_error(loc_of(path, v.source()),
                             "'profile' must be a profile name (lowercase letters, digits, '-', '_')");
    }
    out.profile = v.as_string()->get();
    out.profile_where = at;
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
  if (auto st = check_toml_text(text, path); !st) return st.error();  // toml++ 3.3 UB guard
  toml::parse_result parsed = toml::parse(text, path);
  if (!parsed) {
    const auto& err = parsed.error();
    return make_file_error(loc_of(path, err.source()), std::string(err.description()));
  }
  ToolConfig out;
  for (auto&& [k, v] : parsed.table()) {
    Status st = ok_status();
    if (k.str() == "threshold") {
      st = parse_thresholds(path, v, out);
    } else if (k.str() == "audit") {
      st = parse_audit(path, v, out);
    } else {
      return make_file_error(loc_of(path, k.source()),
                             fmt::format("unknown section '{}'{}", k.str(), did_you_mean(k.str(), kSections)));
    }
    if (!st) return st.error();
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

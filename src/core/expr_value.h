// Run-time values of the condition language and the evaluation context.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/catalogue.h"
#include "core/expr_ast.h"
#include "core/kernel_version.h"
#include "core/snapshot.h"
#include "core/sysctl_conf.h"
#include "core/sysctl_value.h"

namespace tcptune::core {

struct NetnsInfo;  // core/netns_view.h

// A value that could not be determined. With a non-empty `what` it is a data gap ("sysctl
// net.ipv4.tcp_fin_timeout" / "not collected") that the report shows when it stops a rule from
// deciding; with an empty `what` it is merely "not applicable" (e.g. config(k) of a key that
// no file sets) and is not reported.
struct Unknown {
  std::string what;
  std::string reason;
};

// Alternatives are in the order of the Type enum, after Unknown.
using Value = std::variant<Unknown, bool, int64_t, std::string, KernelVersion, SysctlValue,
                           const ResolvedSetting*, const CatalogueEntry*>;

inline bool is_unknown(const Value& v) { return v.index() == 0; }

// The value of a user threshold and where it came from ("default in rules/x.toml",
// "tcptune.toml:3", "--set").
struct ThresholdValue {
  int64_t value = 0;
  std::string origin;
  bool operator==(const ThresholdValue&) const = default;
};
using Thresholds = std::map<std::string, ThresholdValue>;

// Everything an expression may look at, plus a trace of what it did look at (for evidence).
struct EvalContext {
  const Snapshot* snapshot = nullptr;
  const ResolvedConfig* config = nullptr;
  const Catalogue* catalogue = nullptr;
  std::optional<std::string> item;  // the current item of an iterating rule
  const Thresholds* thresholds = nullptr;  // user thresholds (defaults from the rule files)
  std::string profile;                     // selected workload profile, "" when none
  // Values the selected profile sets (key -> sysctl text, kernel defaults resolved); nullptr
  // when no profile was resolved.
  const std::map<std::string, std::string>* profile_values = nullptr;
  const std::set<std::string>* profile_floors = nullptr;  // at_least keys of the profile
  // The namespace being judged: nullptr, or one with is_host, when judging the host's own
  // namespace (a plain audit). `host` is the host's snapshot when judging another namespace.
  const NetnsInfo* netns = nullptr;
  const Snapshot* host = nullptr;

  std::vector<std::string> touched_keys;  // sysctl keys consulted, in first-use order
  bool touched_kernel = false;
  // Census, counter and threshold evidence consulted (label, text), in first-use order.
  std::vector<std::pair<std::string, std::string>> facts;

  void touch(const std::string& key);
  void fact(std::string label, std::string text);
};

// Text of a value as interpolated into messages: integers in decimal, versions "X.Y[.Z]",
// sysctl values whitespace-normalised, records by their key, unknown as "(unknown)".
std::string value_text(const Value& v);

// Equality of two sysctl values as the kernel would see them: numerically field by field when
// both are numeric, otherwise as whitespace-normalised text.
bool sysctl_values_equal(const SysctlValue& a, const SysctlValue& b);

}  // namespace tcptune::core

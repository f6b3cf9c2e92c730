// Runs rules against a snapshot and the resolved sysctl configuration.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/catalogue.h"
#include "core/expr_value.h"
#include "core/report.h"
#include "core/rule.h"
#include "core/snapshot.h"
#include "core/sysctl_conf.h"

namespace tcptune::core {

// Evaluates every rule (once, or once per item of its for_each source). A rule fires when its
// condition is true; when it is unknown because of missing data, the report gets a gap naming
// the rule (and item) and the missing datum. Findings carry automatic evidence: for every key
// the condition consulted, its live state, the configured value with file:line, earlier
// assignments it overrides and the procps outcome when different; and the kernel release
// when the condition used it.
Report evaluate(const std::vector<Rule>& rules, const Snapshot& snapshot, const ResolvedConfig& config,
                const Catalogue& catalogue);

// What the user chose for this audit: threshold values (defaults from the rule files, then
// tcptune.toml, then --set) and the workload profile ("" when none).
struct EvalSettings {
  Thresholds thresholds;
  std::string profile;
  // What the profile sets (key -> sysctl text, kernel_defaults resolved for the running kernel),
  // for profile_key / profile_value(key); empty when no profile or not resolved.
  std::map<std::string, std::string> profile_values;
  // Keys whose profile value is a floor (`at_least`): a larger live value meets it.
  std::set<std::string> profile_floors;
  // The namespace being judged (netns_host, netns, host_sysctl(key)): nullptr for the host's
  // own namespace; otherwise `host` must be the host's snapshot. Both must outlive evaluate().
  const NetnsInfo* netns = nullptr;
  const Snapshot* host = nullptr;
};

// As above, with thresholds and the profile. Census, counter and threshold values a rule
// consulted are added to its evidence (labels "census", "counter", "counter increase",
// "sockstat", "owner", "threshold", "profile", "ephemeral ports").
Report evaluate(const std::vector<Rule>& rules, const Snapshot& snapshot, const ResolvedConfig& config,
                const Catalogue& catalogue, const EvalSettings& settings);

}  // namespace tcptune::core

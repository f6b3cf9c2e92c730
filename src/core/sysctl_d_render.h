// The sysctl.d file `generate` and `apply --persist` write, and the check that it would win at
// boot against the configuration already on the host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/plan.h"
#include "core/sysctl_conf.h"

namespace tcptune::core {

// Directory the generated file goes to: the first directory systemd-sysctl searches in the
// configuration's layout (/etc/sysctl.d on Debian), whose files mask same-named ones elsewhere.
// Empty when the configuration records no layout.
std::string generated_dir(const SysctlConfig& config);
std::string default_generated_name(std::string_view profile);  // "90-tcptune-NAME.conf"

// File text: a header naming the profile and the tool version, then for every item of the plan
// (changed or not: boot starts from the kernel defaults) its reason as a comment and
// "key = value". Deterministic; ends with a newline.
std::string render_sysctl_d(const Plan& plan, std::string_view tool_version);

// An assignment elsewhere that boot would apply after ours for one of our keys.
struct PrecedenceConflict {
  std::string key;
  ConfAssignment winner;  // the assignment that ends up in force instead of ours
  std::string reader;     // "systemd-sysctl" or "sysctl --system (procps)"
  bool operator==(const PrecedenceConflict&) const = default;
};

struct PrecedenceCheck {
  std::vector<PrecedenceConflict> conflicts;
  std::string masked_by;       // our path would be masked by this same-named file
  // A file name in generated_dir() that sorts after every conflicting sysctl.d file; empty when
  // no conflict, or when only the procps file (/etc/sysctl.conf, read last whatever the name)
  // conflicts.
  std::string suggested_name;
  std::string dir;                // generated_dir() of the configuration
  std::string procps_conf;        // the layout's procps file, for the hint
  bool sysctl_conf_wins = false;  // procps reads procps_conf last: only editing it helps
  bool ok() const { return conflicts.empty() && masked_by.empty(); }
};

// Resolves the configuration as both boot-time readers would with our file (target_path, as on
// the host) added, replacing a file already at that path, and reports every key of ours that
// another file would override.
PrecedenceCheck check_precedence(const SysctlConfig& config, std::string_view target_path,
                                 const Plan& plan);

// Human text for the conflicts ("warning: ..." lines, one per conflict, plus the suggestion).
std::string render_precedence(const PrecedenceCheck& check, std::string_view target_path);

}  // namespace tcptune::core

// Per-namespace audits (issue 8): options shared by audit, snapshot and sockets (--netns NAME,
// --netns-pid PID, --all-netns), collection of each namespace in a child, evaluation of the
// rules per namespace (the namespace rules TT-NETNS-001/002 are rules/netns.toml), and the
// renderers of the --all-netns report.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/knowledge.h"
#include "core/netns_view.h"
#include "core/report.h"
#include "core/snapshot.h"
#include "core/tool_config.h"

namespace CLI {
class App;
}

namespace tcptune::cli {

struct NetnsArgs {
  std::string name;  // --netns NAME
  int pid = 0;       // --netns-pid PID
  bool all = false;  // --all-netns
  std::string profile;  // audit --profile NAME: judge namespaces against a profile (TT-NETNS-002)
  bool any() const { return all || pid != 0 || !name.empty(); }
};

// Registers --netns, --netns-pid and --all-netns on a subcommand (mutually exclusive), and
// --profile when `with_profile` (audit).
void add_netns_options(CLI::App* cmd, NetnsArgs& args, bool with_profile = false);

// The namespaces the options name: the host first for --all-netns. Live host only (--root /).
core::Result<std::vector<core::NetnsInfo>> netns_targets(const Globals& g, const NetnsArgs& a);

// One audited namespace.
struct NetnsAudit {
  core::NetnsInfo info;
  std::optional<core::Snapshot> snapshot;       // nullopt when the namespace could not be read
  std::optional<core::Error> error;             // why not
  std::vector<std::string> global_keys;         // adopted from the host
  std::vector<core::KeyDifference> differences; // per-namespace keys differing from the host
  core::Report report;
};

// Host snapshot plus one audit per target (host target reuses the host snapshot). Rules are
// evaluated per namespace, each knowing the namespace it judges and the host's snapshot (the
// rule language's netns, netns_host, host_sysctl). `profile` is the selected profile and
// `wanted` what it sets (key -> sysctl text; profile_key, profile_value) for TT-NETNS-002.
// `thresholds` are the resolved ones (rule defaults, tcptune.toml, --set), as in a host audit.
std::vector<NetnsAudit> audit_namespaces(const core::Snapshot& host, const std::vector<core::NetnsInfo>& targets,
                                         const Knowledge& k, bool census, const core::Thresholds& thresholds,
                                         const std::string& profile = {},
                                         const std::map<std::string, std::string>& wanted = {});

// Snapshots of the targets (host's for the host target), completed with host facts.
std::vector<NetnsAudit> collect_namespaces(const core::Snapshot& host, const std::vector<core::NetnsInfo>& targets,
                                           const Knowledge& k, bool census);

// The --all-netns report: summary table (namespace, label, sockets by state, worst finding,
// keys differing from the host), then the findings of each namespace.
std::string render_netns_text(const std::vector<NetnsAudit>& audits, size_t rule_count);
// The same structure as JSON ("schema": "tcptune.netns-report").
nlohmann::json render_netns_json(const std::vector<NetnsAudit>& audits, size_t rule_count);
// {"inode","names","label","host","processes":[{pid,command,container_id}],"containers"}.
nlohmann::json netns_info_json(const core::NetnsInfo& ns);

inline constexpr int kNetnsReportSchemaVersion = 1;

// What the subcommands pass to the namespace runners (cli/cmd_netns.cc).
struct NetnsRunOptions {
  std::string format = "text";
  std::string output;
  core::Severity fail_on = core::Severity::kCritical;
  bool census = true;
  std::vector<std::string> rule_dirs;
  core::ToolConfig tool;          // /etc/tcptune/tcptune.toml (or --config): thresholds
  std::vector<std::string> sets;  // --set threshold.NAME=VALUE
};

// What profile `name` sets (key -> sysctl text; shipped profiles and /etc/tcptune/profiles.d,
// after includes), its kernel_defaults entries resolved for `host`'s kernel (left out when the
// kernel or the default is unknown). For the rule language's profile_key / profile_value.
core::Result<std::map<std::string, std::string>> profile_values(const std::string& name, const core::Snapshot& host);

// `audit` with a namespace option: one namespace as an ordinary report, --all-netns as the table
// report. Returns the exit code.
int run_netns_audit(const Globals& g, const NetnsArgs& a, const NetnsRunOptions& o);
// `snapshot` with a namespace option: one snapshot, or {"schema":"tcptune.netns-snapshots",...}.
int run_netns_snapshot(const Globals& g, const NetnsArgs& a, const NetnsRunOptions& o);
// `sockets` with a namespace option: `pass` renders one census pass and runs inside each
// namespace; its outputs are concatenated under a heading per namespace (text) or gathered into
// {"namespaces":[{...,"output":<pass JSON>}]}.
int run_netns_sockets(const Globals& g, const NetnsArgs& a, const std::string& format,
                      const std::function<core::Result<std::string>()>& pass);

}  // namespace tcptune::cli

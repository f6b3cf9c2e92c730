// The application layer between the command line and core/platform: what an audit judges with
// is loaded once (AuditInputs), a snapshot is obtained in one place (SnapshotSource: the live
// host, a --root tree or a snapshot file; namespaces through collect_namespaces), and every
// snapshot is evaluated by the same function (audit_snapshot). The host audit, the namespace
// audits, snapshot, recommend and the Prometheus output are loops or views over these.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/knowledge.h"
#include "cli/profile_context.h"
#include "core/netns_view.h"
#include "core/report.h"
#include "core/result.h"
#include "core/snapshot.h"
#include "core/tool_config.h"

namespace tcptune::cli {

// What the command line asks an audit to judge with.
struct AuditRequest {
  std::vector<std::string> rule_dirs;  // --rules DIR
  std::string config;                  // tcptune.toml (--config FILE, or the default path)
  bool config_given = false;           // --config was given: a missing file is an error
  std::vector<std::string> sets;       // --set threshold.NAME=VALUE
  std::string profile;                 // --profile NAME ("" = tcptune.toml's, or none)
};

// Everything an audit judges with, loaded once per run.
struct AuditInputs {
  Knowledge knowledge;
  core::ToolConfig tool;
  core::Thresholds thresholds;
  // The workload profile the host runs (--profile, else tcptune.toml's), resolved through its
  // includes; nullopt when none is named.
  std::optional<core::ResolvedProfile> profile;
};

// Loads rules and catalogue, tcptune.toml (a missing default file is fine), the thresholds
// (rule defaults, then the file, then --set) and the named profile, looked up by name across
// every profile directory (select_profile). A --set or --profile mistake is a usage error; a
// mistake in tcptune.toml is located in the file (runtime).
core::Result<AuditInputs> load_audit_inputs(const AuditRequest& request);

// Where a snapshot comes from: a snapshot file (offline: nothing local is read), else the
// system under `root`.
struct SnapshotSource {
  std::string root = "/";
  std::string file;               // a `tcptune snapshot` file; empty: read the system
  std::vector<std::string> keys;  // sysctls to read
  bool census = true;             // socket census and counters
  uint32_t interval_ms = 0;       // > 0: two counter samples this far apart
  bool processes = false;         // name socket owners
  uint32_t trace_seconds = 0;     // > 0: first attribute TCP resets for this long (docs/trace.md)
};

core::Result<core::Snapshot> obtain_snapshot(const SnapshotSource& source);
// The live system's evidence alone (platform::collect_evidence): counters and census, per
// `source` (not a file, no trace), and obtain_snapshot() completed with it.
core::Snapshot obtain_evidence(const SnapshotSource& source);
core::Result<core::Snapshot> obtain_snapshot(const SnapshotSource& source, core::Snapshot evidence);

// The rules evaluated against one snapshot, with the resolved sysctl configuration, the
// thresholds and the profile of `inputs`. `netns` and `host` are set when the snapshot is
// another network namespace's (the namespace rules compare it with the host).
core::Report audit_snapshot(const core::Snapshot& snapshot, const AuditInputs& inputs,
                            const core::NetnsInfo* netns = nullptr, const core::Snapshot* host = nullptr);

// One network namespace of a namespace run.
struct NamespaceSnapshot {
  core::NetnsInfo info;
  std::optional<core::Snapshot> snapshot;        // nullopt when the namespace could not be read
  std::optional<core::Error> error;              // why not
  std::vector<std::string> global_keys;          // adopted from the host
  std::vector<core::KeyDifference> differences;  // per-namespace keys differing from the host
  core::Report report;                           // filled by an audit
};

// The snapshot of each target (the host target reuses `host`), completed with the host's
// global keys; each other namespace is read in a child that entered it.
std::vector<NamespaceSnapshot> collect_namespaces(const core::Snapshot& host,
                                                  const std::vector<core::NetnsInfo>& targets,
                                                  const Knowledge& knowledge, bool census);

// audit_snapshot for each namespace read; one that could not be read becomes a gap.
void audit_namespaces(std::vector<NamespaceSnapshot>& spaces, const core::Snapshot& host, const AuditInputs& inputs);

}  // namespace tcptune::cli

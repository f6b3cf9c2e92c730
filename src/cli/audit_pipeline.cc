#include "cli/audit_pipeline.h"

#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "core/evaluate.h"
#include "core/profile_values.h"
#include "core/snapshot_json.h"
#include "core/sysctl_conf_resolve.h"
#include "platform/collect.h"
#include "platform/file_trust.h"
#include "platform/fs_util.h"
#include "platform/netns.h"
#include "platform/reset_trace.h"

namespace tcptune::cli {
namespace {

// The tool's settings file; a missing default file is fine, a missing --config FILE is not.
core::Result<core::ToolConfig> read_tool_config(const AuditRequest& request) {
  auto text = platform::read_file(request.config, 1u << 20);
  if (!text && !request.config_given && text.error().err == ENOENT) return core::ToolConfig{};
  if (!text) return text.error();
  // It steers what a root audit reports (thresholds, profile): trusted like rules and profiles.
  if (auto trusted = platform::check_trusted(request.config); !trusted) return trusted.error();
  return core::parse_tool_config(*text, request.config);
}

// --profile, else tcptune.toml's (errors then located in the file), else none.
core::Result<std::optional<core::ResolvedProfile>> chosen_profile(const AuditRequest& request,
                                                                  const core::ToolConfig& tool,
                                                                  const Knowledge& knowledge) {
  const std::string name = !request.profile.empty() ? request.profile : tool.profile.value_or("");
  if (name.empty()) return std::optional<core::ResolvedProfile>{};
  std::vector<std::string> dirs;
  auto profiles = load_profile_set(knowledge.data_dir, knowledge.catalogue, {}, dirs);
  if (!profiles) return profiles.error();
  auto resolved = select_profile(*profiles, name, request.profile.empty() ? tool.profile_where : std::nullopt);
  if (!resolved) return resolved.error();
  return std::optional<core::ResolvedProfile>{std::move(*resolved)};
}

std::vector<std::string> present_keys(const core::Snapshot& s) {
  std::vector<std::string> keys;
  for (const auto& [key, reading] : s.sysctls) {
    if (reading.state != core::SysctlReading::State::kAbsent) keys.push_back(key);
  }
  return keys;
}

}  // namespace

core::Result<AuditInputs> load_audit_inputs(const AuditRequest& request) {
  auto knowledge = load_knowledge(request.rule_dirs, KnowledgeParts::kRules);
  if (!knowledge) return knowledge.error();
  auto tool = read_tool_config(request);
  if (!tool) return tool.error();
  auto thresholds = core::resolve_thresholds(knowledge->thresholds, *tool, request.sets);
  if (!thresholds) return thresholds.error();
  auto profile = chosen_profile(request, *tool, *knowledge);
  if (!profile) return profile.error();
  return AuditInputs{std::move(*knowledge), std::move(*tool), std::move(*thresholds), std::move(*profile)};
}

namespace {

platform::CollectOptions collect_options(const SnapshotSource& source) {
  platform::CollectOptions co;
  co.root = source.root;
  co.keys = source.keys;
  co.census = source.census;
  co.interval_ms = source.interval_ms;
  co.processes = source.processes;
  return co;
}

}  // namespace

core::Snapshot obtain_evidence(const SnapshotSource& source) { return platform::collect_evidence(collect_options(source)); }

core::Result<core::Snapshot> obtain_snapshot(const SnapshotSource& source, core::Snapshot evidence) {
  return platform::collect_snapshot(collect_options(source), std::move(evidence));
}

core::Result<core::Snapshot> obtain_snapshot(const SnapshotSource& source) {
  if (!source.file.empty()) {
    // Offline: nothing of the local machine is read.
    auto text = platform::read_file(source.file, 256u << 20);
    if (!text) return text.error();
    return core::snapshot_from_text(*text, source.file);
  }
  const platform::CollectOptions co = collect_options(source);
  if (source.trace_seconds == 0) return platform::collect_snapshot(co);
  // The reset trace runs first; a host without tracefs or tracepoints keeps its counters.
  platform::ResetTraceOptions to;
  to.seconds = source.trace_seconds;
  to.message = [](const std::string& m) { std::fprintf(stderr, "tcptune: %s\n", m.c_str()); };
  auto trace = platform::trace_resets(to);
  core::Snapshot s = platform::collect_snapshot(co);
  if (trace) {
    s.resets = std::move(*trace);
  } else {
    s.gaps.push_back({"reset trace", trace.error().summary()});
  }
  return s;
}

core::Report audit_snapshot(const core::Snapshot& snapshot, const AuditInputs& inputs, const core::NetnsInfo* netns,
                            const core::Snapshot* host) {
  core::EvalSettings settings;
  settings.thresholds = inputs.thresholds;
  if (inputs.profile) {
    settings.profile = inputs.profile->name;
    settings.profile_values = core::profile_values(*inputs.profile, inputs.knowledge.catalogue,
                                                   snapshot.kernel_version());
    settings.profile_floors = core::profile_floors(*inputs.profile);
  }
  settings.netns = netns;
  settings.host = host;
  const core::ResolvedConfig resolved = core::resolve_config(snapshot.config, present_keys(snapshot));
  return core::evaluate(inputs.knowledge.rules, snapshot, resolved, inputs.knowledge.catalogue, settings);
}

std::vector<NamespaceSnapshot> collect_namespaces(const core::Snapshot& host,
                                                  const std::vector<core::NetnsInfo>& targets,
                                                  const Knowledge& knowledge, bool census) {
  std::vector<core::NetnsInfo> others;
  for (const auto& t : targets) {
    if (!t.is_host) others.push_back(t);
  }
  platform::NetnsCollectOptions options;
  options.keys = keys_to_collect(knowledge);
  options.census = census;
  auto snaps = platform::collect_in_netns(others, options);
  std::vector<NamespaceSnapshot> out;
  size_t next = 0;
  for (const auto& t : targets) {
    NamespaceSnapshot space;
    space.info = t;
    if (t.is_host) {
      space.snapshot = host;
      if (!t.names.empty()) space.snapshot->netns.name = t.names.front();
    } else if (auto& s = snaps[next++]; s) {
      space.snapshot = std::move(*s);
      space.global_keys = core::complete_netns_snapshot(*space.snapshot, host, t, knowledge.catalogue);
      space.differences = core::differing_keys(host, *space.snapshot, knowledge.catalogue);
    } else {
      space.error = s.error();
    }
    out.push_back(std::move(space));
  }
  return out;
}

void audit_namespaces(std::vector<NamespaceSnapshot>& spaces, const core::Snapshot& host, const AuditInputs& inputs) {
  for (auto& space : spaces) {
    if (!space.snapshot) {
      space.report.gaps.push_back({fmt::format("network namespace {}", space.info.inode), space.error->summary()});
      core::finalize_report(space.report);
      continue;
    }
    // The namespace rules (rules/netns.toml) see which namespace they judge and the host's values.
    space.report = audit_snapshot(*space.snapshot, inputs, &space.info, &host);
  }
}

}  // namespace tcptune::cli

#include "cli/netns_audit.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/evaluate.h"
#include "core/sysctl_conf_resolve.h"
#include "core/tool_config.h"
#include "platform/netns.h"

namespace tcptune::cli {
namespace {

std::vector<std::string> present_keys(const core::Snapshot& s) {
  std::vector<std::string> keys;
  for (const auto& [k, r] : s.sysctls) {
    if (r.state != core::SysctlReading::State::kAbsent) keys.push_back(k);
  }
  return keys;
}

}  // namespace

void add_netns_options(CLI::App* cmd, NetnsArgs& a, bool with_profile) {
  if (with_profile) {
    cmd->add_option("--profile", a.profile,
                    "With a namespace option: flag namespaces whose per-namespace keys differ from this profile");
  }
  auto* name = cmd->add_option("--netns", a.name, "Read inside the named network namespace (/run/netns/NAME)");
  auto* pid = cmd->add_option("--netns-pid", a.pid, "Read inside the network namespace of process PID")
                  ->check(CLI::PositiveNumber);
  auto* all = cmd->add_flag("--all-netns", a.all, "Every network namespace on the host, one section each");
  name->excludes(pid)->excludes(all);
  pid->excludes(all);
}

core::Result<std::vector<core::NetnsInfo>> netns_targets(const Globals& g, const NetnsArgs& a) {
  if (g.root != "/") {
    return core::make_error("--root", "network namespaces can only be entered on the live host", 0,
                            "drop --root, or drop --netns/--netns-pid/--all-netns");
  }
  if (a.all) return platform::discover_netns(g.root);
  auto one = !a.name.empty() ? platform::netns_by_name(g.root, a.name) : platform::netns_by_pid(g.root, a.pid);
  if (!one) return one.error();
  return std::vector<core::NetnsInfo>{std::move(*one)};
}

std::vector<NetnsAudit> collect_namespaces(const core::Snapshot& host, const std::vector<core::NetnsInfo>& targets,
                                           const Knowledge& k, bool census) {
  std::vector<core::NetnsInfo> others;
  for (const auto& t : targets) {
    if (!t.is_host) others.push_back(t);
  }
  platform::NetnsCollectOptions o;
  o.keys = keys_to_collect(k);
  o.census = census;
  auto snaps = platform::collect_in_netns(others, o);
  std::vector<NetnsAudit> out;
  size_t next = 0;
  for (const auto& t : targets) {
    NetnsAudit a;
    a.info = t;
    if (t.is_host) {
      a.snapshot = host;
      if (!t.names.empty()) a.snapshot->netns.name = t.names.front();
    } else if (auto& s = snaps[next++]; s) {
      a.snapshot = std::move(*s);
      a.global_keys = core::complete_netns_snapshot(*a.snapshot, host, t, k.catalogue);
      a.differences = core::differing_keys(host, *a.snapshot, k.catalogue);
    } else {
      a.error = s.error();
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<NetnsAudit> audit_namespaces(const core::Snapshot& host, const std::vector<core::NetnsInfo>& targets,
                                         const Knowledge& k, bool census, const core::Thresholds& thresholds,
                                         const std::string& profile,
                                         const std::map<std::string, std::string>& wanted) {
  auto audits = collect_namespaces(host, targets, k, census);
  // The namespace rules (rules/netns.toml) see which namespace they judge and the host's values.
  core::EvalSettings settings;
  settings.thresholds = thresholds;
  settings.profile = profile;
  settings.profile_values = wanted;
  settings.host = &host;
  for (auto& a : audits) {
    if (!a.snapshot) {
      a.report.gaps.push_back({fmt::format("network namespace {}", a.info.inode), a.error->summary()});
      core::finalize_report(a.report);
      continue;
    }
    const core::ResolvedConfig resolved = core::resolve_config(a.snapshot->config, present_keys(*a.snapshot));
    settings.netns = &a.info;
    a.report = core::evaluate(k.rules, *a.snapshot, resolved, k.catalogue, settings);
  }
  return audits;
}

}  // namespace tcptune::cli

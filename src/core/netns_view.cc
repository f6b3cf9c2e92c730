#include "core/netns_view.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/expr_value.h"

namespace tcptune::core {
namespace {

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The id inside one cgroup path component: "docker-<id>.scope", "cri-containerd-<id>.scope",
// "crio-<id>.scope", "libpod-<id>.scope", or a bare "<id>" (cgroupfs driver: /docker/<id>,
// /kubepods/burstable/pod<uid>/<id>).
std::string id_of_component(std::string_view c) {
  constexpr std::string_view kScope = ".scope";
  if (c.size() > kScope.size() && c.substr(c.size() - kScope.size()) == kScope) c.remove_suffix(kScope.size());
  for (std::string_view prefix : {"docker-", "cri-containerd-", "crio-", "libpod-"}) {
    if (c.substr(0, prefix.size()) == prefix) {
      c.remove_prefix(prefix.size());
      break;
    }
  }
  return is_hex64(c) ? std::string(c) : std::string();
}

std::string reading_text(const SysctlReading* r) {
  if (!r) return "not collected";
  switch (r->state) {
    case SysctlReading::State::kValue: return r->value.text;
    case SysctlReading::State::kAbsent: return "absent";
    case SysctlReading::State::kUnreadable: return "unreadable";
  }
  return "absent";
}

bool same_reading(const SysctlReading& a, const SysctlReading& b) {
  if (a.state != b.state) return false;
  return a.state != SysctlReading::State::kValue || sysctl_values_equal(a.value, b.value);
}

// "network namespace INODE (LABEL)[, containers ID, ...]" for messages.
std::string who_text(const NetnsInfo& info) {
  std::string who = fmt::format("network namespace {} ({})", info.inode, netns_label(info));
  std::vector<std::string> ids;
  for (const auto& p : info.processes) {
    if (!p.container_id.empty() && std::find(ids.begin(), ids.end(), p.container_id) == ids.end())
      ids.push_back(p.container_id);
  }
  if (!ids.empty()) who += fmt::format(", containers {}", fmt::join(ids, ", "));
  return who;
}

// Up to five processes of the namespace, to name who is affected.
void add_process_evidence(Finding& f, const NetnsInfo& info) {
  size_t n = 0;
  for (const auto& p : info.processes) {
    if (n++ == 5) break;
    f.evidence.push_back({"process", fmt::format("{} {}{}", p.pid, p.command,
                                                 p.container_id.empty() ? "" : " container " + p.container_id.substr(0, 12))});
  }
}

}  // namespace

std::string container_id_from_cgroup(std::string_view text) {
  // Each line is "hierarchy:controllers:path"; the innermost component naming an id wins.
  while (!text.empty()) {
    const size_t eol = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));
    const size_t c2 = line.find(':', line.find(':') == std::string_view::npos ? line.size() : line.find(':') + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view path = line.substr(c2 + 1);
    std::string found;
    while (!path.empty()) {
      const size_t slash = std::min(path.find('/'), path.size());
      if (auto id = id_of_component(path.substr(0, slash)); !id.empty()) found = std::move(id);
      path.remove_prefix(std::min(slash + 1, path.size()));
    }
    if (!found.empty()) return found;
  }
  return {};
}

std::vector<std::string> netns_containers(const NetnsInfo& ns) {
  std::vector<std::string> ids;
  for (const auto& p : ns.processes) {
    if (!p.container_id.empty() && std::find(ids.begin(), ids.end(), p.container_id) == ids.end())
      ids.push_back(p.container_id);
  }
  return ids;
}

std::string netns_label(const NetnsInfo& ns) {
  if (ns.is_host) return "host";
  if (!ns.names.empty()) return fmt::format("{}", fmt::join(ns.names, ","));
  const auto ids = netns_containers(ns);
  if (!ids.empty()) return "container " + ids.front().substr(0, 12);
  if (!ns.processes.empty()) return fmt::format("pid {} ({})", ns.processes.front().pid, ns.processes.front().command);
  return "(no process)";
}

std::vector<std::string> adopt_host_globals(Snapshot& ns, const Snapshot& host, const Catalogue& cat) {
  std::vector<std::string> adopted;
  for (const auto& [key, entry] : cat.entries) {
    if (entry.scope != "global") continue;
    const SysctlReading* h = host.find(key);
    if (!h) continue;
    ns.sysctls[key] = *h;
    adopted.push_back(key);
  }
  // The namespace's own gaps about a global key no longer apply: the host's reading replaced it.
  std::erase_if(ns.gaps, [&](const Gap& g) {
    return std::any_of(adopted.begin(), adopted.end(), [&](const std::string& k) { return g.what == "sysctl " + k; });
  });
  return adopted;  // catalogue order is sorted (std::map)
}

std::vector<std::string> complete_netns_snapshot(Snapshot& ns, const Snapshot& host, const NetnsInfo& info,
                                                 const Catalogue& cat) {
  ns.kernel_release = host.kernel_release;
  ns.modules = host.modules;
  ns.modules_known = host.modules_known;
  ns.tool_version = host.tool_version;
  ns.root = host.root;
  if (!ns.netns.inode) ns.netns.inode = info.inode;
  ns.netns.name = info.names.empty() ? std::string() : info.names.front();
  ns.config = SysctlConfig{};
  return adopt_host_globals(ns, host, cat);
}

std::vector<KeyDifference> differing_keys(const Snapshot& host, const Snapshot& ns, const Catalogue& cat) {
  std::vector<KeyDifference> out;
  for (const auto& [key, r] : ns.sysctls) {
    const CatalogueEntry* e = cat.find(key);
    if (e && e->scope == "global") continue;
    const SysctlReading* h = host.find(key);
    if (!h || same_reading(*h, r)) continue;
    out.push_back({key, reading_text(h), reading_text(&r)});
  }
  return out;
}

const std::vector<std::string>& lifecycle_keys() {
  static const std::vector<std::string> kKeys = {
      "net.core.somaxconn",           "net.ipv4.ip_local_port_range",  "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_keepalive_time",
      "net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_max_tw_buckets",   "net.ipv4.tcp_orphan_retries",
      "net.ipv4.tcp_retries2",        "net.ipv4.tcp_syn_retries",      "net.ipv4.tcp_synack_retries",
      "net.ipv4.tcp_tw_reuse",        "net.ipv4.tcp_tw_reuse_delay",
  };
  return kKeys;
}

std::optional<Finding> netns_default_finding(const Snapshot& host, const Snapshot& ns, const NetnsInfo& info,
                                             const Catalogue& cat) {
  const auto kernel = host.kernel_version();
  if (!kernel || info.is_host) return std::nullopt;
  Finding f;
  std::vector<std::string> keys;
  for (const auto& key : lifecycle_keys()) {
    const CatalogueEntry* e = cat.find(key);
    const SysctlReading* h = host.find(key);
    const SysctlReading* n = ns.find(key);
    if (!e || !h || !n || !h->has_value() || !n->has_value()) continue;
    const auto def = e->default_on(*kernel);
    if (!def) continue;  // memory-derived default: no fixed number to compare with
    const SysctlValue dv = parse_sysctl_value(*def);
    if (!sysctl_values_equal(n->value, dv) || sysctl_values_equal(h->value, dv)) continue;
    keys.push_back(key);
    f.evidence.push_back({key, fmt::format("host {}, namespace {} (kernel default)", h->value.text, n->value.text)});
  }
  if (keys.empty()) return std::nullopt;
  const std::string who = who_text(info);
  f.id = "TT-NETNS-001";
  f.severity = Severity::kWarning;
  f.title = "Host TCP tuning does not reach this network namespace";
  f.item = std::to_string(info.inode);
  const bool one = keys.size() == 1;
  f.message = fmt::format(
      "In {}, {} {} still at the kernel's compiled-in default{} while the host's value{} tuned. "
      "A new network namespace starts from compiled-in defaults for these keys (only tcp_rmem, tcp_wmem "
      "and the congestion control are copied from the host), so sysctl.d files applied at boot on the "
      "host do not reach containers.",
      who, fmt::join(keys, ", "), one ? "is" : "are", one ? "" : "s", one ? " was" : "s were");
  f.recommendation =
      "Set the keys inside the namespace: the container runtime's sysctl option (docker run --sysctl, "
      "Kubernetes securityContext.sysctls), or 'ip netns exec NAME sysctl -w KEY=VALUE' for named namespaces.";
  f.references = {"KERNEL_FACTS.md section 1 item 13 (namespace scope, live 6.18)",
                  "net/ipv4/tcp_ipv4.c tcp_sk_init() (per-namespace defaults)"};
  add_process_evidence(f, info);
  return f;
}

std::optional<Finding> netns_profile_finding(const Snapshot& ns, const NetnsInfo& info, const std::string& profile,
                                             const std::map<std::string, std::string>& wanted, const Catalogue& cat) {
  if (info.is_host) return std::nullopt;
  Finding f;
  std::vector<std::string> keys;
  for (const auto& [key, text] : wanted) {
    const CatalogueEntry* e = cat.find(key);
    const SysctlReading* n = ns.find(key);
    if (!e || e->scope != "netns" || !n || !n->has_value()) continue;
    if (sysctl_values_equal(n->value, parse_sysctl_value(text))) continue;
    keys.push_back(key);
    f.evidence.push_back({key, fmt::format("profile {}, namespace {}", text, n->value.text)});
  }
  if (keys.empty()) return std::nullopt;
  f.id = "TT-NETNS-002";
  f.severity = Severity::kWarning;
  f.title = fmt::format("Network namespace differs from profile {}", profile);
  f.item = std::to_string(info.inode);
  f.message = fmt::format(
      "In {}, {} {} not at the value{} of profile {}. These keys are per network namespace: a value "
      "applied on the host (tcptune apply, sysctl.d) does not change them here.",
      who_text(info), fmt::join(keys, ", "), keys.size() == 1 ? "is" : "are", keys.size() == 1 ? "" : "s", profile);
  f.recommendation =
      "Set the keys inside the namespace: the container runtime's sysctl option (docker run --sysctl, "
      "Kubernetes securityContext.sysctls), or 'ip netns exec NAME sysctl -w KEY=VALUE' for named namespaces.";
  f.references = {"KERNEL_FACTS.md section 1 item 13 (namespace scope, live 6.18)"};
  add_process_evidence(f, info);
  return f;
}

}  // namespace tcptune::core

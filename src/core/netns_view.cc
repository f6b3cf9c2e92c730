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

namespace {

// A /run/netns name as one shell word: bare when it is made of safe characters, else single-quoted
// with embedded quotes spelled '\''.
std::string shell_word(std::string_view s) {
  const bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c != '\0' && std::strchr("-_.:@%+=,", c));
  });
  if (safe) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string netns_shell_prefix(const NetnsInfo& ns) {
  if (ns.is_host) return "";
  if (!ns.names.empty()) return "ip netns exec " + shell_word(ns.names.front());
  if (!ns.processes.empty()) return fmt::format("nsenter -t {} -n", ns.processes.front().pid);
  return "nsenter --net=FILE";
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

std::string netns_description(const NetnsInfo& ns) {
  if (ns.is_host) return "host";
  // The /run/netns names, then who lives there: a container id is what an operator looks up.
  std::vector<std::string> parts;
  if (!ns.names.empty()) parts.push_back(fmt::format("{}", fmt::join(ns.names, ",")));
  constexpr size_t kShown = 3;
  for (size_t i = 0; i < ns.processes.size() && i < kShown; ++i) {
    const auto& p = ns.processes[i];
    parts.push_back(fmt::format("pid {} {}", p.pid, p.command));
    if (!p.container_id.empty()) parts.back() += ", container " + p.container_id.substr(0, 12);
  }
  if (ns.processes.size() > kShown) parts.push_back(fmt::format("{} more processes", ns.processes.size() - kShown));
  if (parts.empty()) parts.emplace_back("no process");
  return fmt::format("network namespace {} ({})", ns.inode, fmt::join(parts, "; "));
}

}  // namespace tcptune::core

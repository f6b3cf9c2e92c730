// Network namespaces as the engine sees them: who lives in each one (processes and container
// ids), which keys a namespace shares with the host (catalogue scope "global"), which keys
// differ from the host, and the texts and key lists the namespace vocabulary of the rule language
// uses (expr_builtins_netns.cc; the rules themselves are rules/netns.toml). Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.h"
#include "core/snapshot.h"

namespace tcptune::core {

// A process living in a namespace.
struct NetnsProcess {
  int32_t pid = 0;
  std::string command;       // /proc/PID/comm
  std::string container_id;  // from /proc/PID/cgroup when it shows one, else empty
  bool operator==(const NetnsProcess&) const = default;
};

// One distinct network namespace on the host.
struct NetnsInfo {
  uint64_t inode = 0;
  std::vector<std::string> names;         // /run/netns entries bound to it, sorted
  std::vector<NetnsProcess> processes;    // ascending pid
  bool is_host = false;                   // the namespace tcptune itself runs in
  std::string open_path;                  // what platform opens to enter it (never shown)
  bool operator==(const NetnsInfo&) const = default;
};

// Short human label: "host", the /run/netns name(s), else the first container id (12 chars),
// else "pid N (comm)"; "(no process)" for an unnamed, empty namespace.
std::string netns_label(const NetnsInfo& ns);

// A shell command prefix that runs a command inside the namespace: "ip netns exec NAME" for a
// named one (the name single-quoted when the shell would split or expand it), else
// "nsenter -t PID -n" for its first process; "" for the host; "nsenter --net=FILE" (FILE left
// for the reader) for an unnamed namespace without processes.
std::string netns_shell_prefix(const NetnsInfo& ns);

// Distinct container ids of the processes, in pid order.
std::vector<std::string> netns_containers(const NetnsInfo& ns);

// The container id a /proc/PID/cgroup text names, or "" (docker-<id>.scope, /docker/<id>,
// cri-containerd-<id>.scope, crio-<id>.scope, libpod-<id>.scope, kubepods.../<id>). Ids are 64
// lowercase hex digits.
std::string container_id_from_cgroup(std::string_view cgroup_text);

// Host-global keys (catalogue scope "global") are not per namespace: replace the namespace's
// readings of them with the host's and return the keys so replaced, sorted.
std::vector<std::string> adopt_host_globals(Snapshot& ns, const Snapshot& host, const Catalogue& cat);

// Completes a snapshot read inside a namespace: the kernel release and modules are the host's
// (one kernel), the netns name is the first /run/netns name, the sysctl.d configuration is left
// empty (boot applies it to the host's namespace only), and host-global keys are adopted
// (adopt_host_globals). Returns the adopted global keys.
std::vector<std::string> complete_netns_snapshot(Snapshot& ns, const Snapshot& host, const NetnsInfo& info,
                                                 const Catalogue& cat);

// A key whose namespace value differs from the host's.
struct KeyDifference {
  std::string key;
  std::string host;  // value text, or "absent" / "unreadable"
  std::string netns;
  bool operator==(const KeyDifference&) const = default;
};

// Per-namespace keys (scope other than "global") whose readings differ, sorted by key.
std::vector<KeyDifference> differing_keys(const Snapshot& host, const Snapshot& ns, const Catalogue& cat);

// The keys `for_each = "lifecycle_key"` iterates (TT-NETNS-001): connection-lifecycle keys that
// are per namespace and reset to compiled-in defaults in a new namespace (tcp_sk_init()
// in net/ipv4/tcp_ipv4.c; tests/kernel/netns_test.cc), sorted.
const std::vector<std::string>& lifecycle_keys();

// The namespace as rule messages name it (the `netns` identifier): "host" for the host's own,
// else "network namespace INODE (NAMES; pid P COMM, container ID12; ...)": the /run/netns names,
// up to three processes and how many more there are, or "no process".
std::string netns_description(const NetnsInfo& ns);

}  // namespace tcptune::core

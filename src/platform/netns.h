// Network namespaces of the live host: discovery (/run/netns and /proc/*/ns/net, deduplicated
// by inode, labelled with their processes and container ids) and reading inside a namespace
// without leaking it into the rest of the run (a forked child enters it with setns(2) and sends
// its result back through a pipe).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/netns_view.h"
#include "core/result.h"
#include "core/snapshot.h"

namespace tcptune::platform {

// Every distinct network namespace: the one tcptune runs in first (is_host), then the others by
// inode. Processes whose ns link cannot be read (exited, EACCES) are skipped.
core::Result<std::vector<core::NetnsInfo>> discover_netns(const std::string& root);

// The namespace bound at <root>/run/netns/NAME, labelled like discover_netns.
core::Result<core::NetnsInfo> netns_by_name(const std::string& root, const std::string& name);
// The namespace of process PID.
core::Result<core::NetnsInfo> netns_by_pid(const std::string& root, int pid);

// Runs `work` in a forked child that has entered `ns` (setns CLONE_NEWNET); returns its text.
// The calling process never changes namespace.
core::Result<std::string> run_in_netns(const core::NetnsInfo& ns, const std::function<core::Result<std::string>()>& work);

struct NetnsCollectOptions {
  std::vector<std::string> keys;  // canonical keys to read inside the namespace
  bool census = true;             // sock_diag census and /proc/net counters of the namespace
  size_t parallel = 4;            // children running at once (they wait on the kernel as much as they compute)
};

// Snapshots of each namespace, read in children (sysctls under /proc/sys, census, counters; not
// the kernel release, modules or sysctl.d files, which belong to the host: the caller copies
// them). result[i] belongs to spaces[i]; a namespace that cannot be entered gives an error.
std::vector<core::Result<core::Snapshot>> collect_in_netns(const std::vector<core::NetnsInfo>& spaces,
                                                           const NetnsCollectOptions& opts);

}  // namespace tcptune::platform

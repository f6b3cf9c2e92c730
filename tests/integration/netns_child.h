// Running a piece of a test in a forked child inside new namespaces (network, and mount for a
// private tree of tmpfs mounts), so nothing it writes reaches the host's sysctls or files.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace tcptune::testing {

struct ChildResult {
  bool skipped = false;  // the namespaces could not be created (not root, no CAP_SYS_ADMIN)
  std::string report;    // what the child sent back, plus a note if it died
};

// Runs `body` in a forked child after unshare(flags) (with CLONE_NEWNS, the mount tree is made
// private first) and returns the text `body` produced. An empty report means success.
ChildResult in_namespaces(int flags, const std::function<std::string()>& body);

// The calling namespace's TCP state: every readable net.ipv4.* value plus net.core.somaxconn.
std::map<std::string, std::string> namespace_tcp_values();

// "key: before became after" lines for every key of `before` whose value differs in `after`
// (or is missing there); empty when nothing changed.
std::string value_changes(const std::map<std::string, std::string>& before,
                          const std::map<std::string, std::string>& after);

}  // namespace tcptune::testing

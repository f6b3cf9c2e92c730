// Running a piece of a test in a forked child inside new namespaces (network, and mount for a
// private tree of tmpfs mounts), so nothing it writes reaches the host's sysctls or files.
#pragma once

#include <functional>
#include <string>

namespace tcptune::testing {

struct ChildResult {
  bool skipped = false;  // the namespaces could not be created (not root, no CAP_SYS_ADMIN)
  std::string report;    // what the child sent back, plus a note if it died
};

// Runs `body` in a forked child after unshare(flags) (with CLONE_NEWNS, the mount tree is made
// private first) and returns the text `body` produced. An empty report means success.
ChildResult in_namespaces(int flags, const std::function<std::string()>& body);

}  // namespace tcptune::testing

// The namespace options shared by audit, snapshot and sockets (--netns NAME, --netns-pid PID,
// --all-netns), and the namespaces they name (docs/netns.md).
#pragma once

#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/netns_view.h"
#include "core/result.h"

namespace CLI {
class App;
}

namespace tcptune::cli {

struct NetnsArgs {
  std::string name;  // --netns NAME
  int pid = 0;       // --netns-pid PID
  bool all = false;  // --all-netns
  bool any() const { return all || pid != 0 || !name.empty(); }
};

// Registers --netns, --netns-pid and --all-netns on a subcommand (mutually exclusive).
void add_netns_options(CLI::App* cmd, NetnsArgs& args);

// The namespaces the options name: the host first for --all-netns. Live host only: with --root
// it is a usage error.
core::Result<std::vector<core::NetnsInfo>> netns_targets(const Globals& g, const NetnsArgs& args);

}  // namespace tcptune::cli

#include "cli/netns_options.h"

#include <CLI/CLI.hpp>

#include "platform/netns.h"

namespace tcptune::cli {

void add_netns_options(CLI::App* cmd, NetnsArgs& args) {
  auto* name = cmd->add_option("--netns", args.name, "Read inside the named network namespace (/run/netns/NAME)");
  auto* pid = cmd->add_option("--netns-pid", args.pid, "Read inside the network namespace of process PID")
                  ->check(CLI::PositiveNumber);
  auto* all = cmd->add_flag("--all-netns", args.all, "Every network namespace on the host, one section each");
  name->excludes(pid)->excludes(all);
  pid->excludes(all);
}

core::Result<std::vector<core::NetnsInfo>> netns_targets(const Globals& g, const NetnsArgs& args) {
  if (g.root != "/") {
    return core::as_usage(core::make_error("--root", "network namespaces can only be entered on the live host", 0,
                                           "drop --root, or drop --netns/--netns-pid/--all-netns"));
  }
  if (args.all) return platform::discover_netns(g.root);
  auto one = !args.name.empty() ? platform::netns_by_name(g.root, args.name) : platform::netns_by_pid(g.root, args.pid);
  if (!one) return one.error();
  return std::vector<core::NetnsInfo>{std::move(*one)};
}

}  // namespace tcptune::cli

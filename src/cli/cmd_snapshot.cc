// tcptune snapshot [-o FILE]: capture everything an audit looks at, as JSON.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/knowledge.h"
#include "cli/netns_audit.h"
#include "cli/output.h"
#include "core/snapshot_json.h"
#include "platform/collect.h"

namespace tcptune::cli {
namespace {

struct SnapshotOptions {
  std::string output;
  NetnsArgs netns;
};

int run_snapshot(const Globals& g, const SnapshotOptions& o) {
  if (o.netns.any()) {
    NetnsRunOptions no;
    no.output = o.output;
    return run_netns_snapshot(g, o.netns, no);
  }
  auto k = load_knowledge({}, true);
  if (!k) return report_error(k.error(), kExitRuntime);
  platform::CollectOptions co;
  co.root = g.root;
  co.keys = keys_to_collect(*k);
  const core::Snapshot s = platform::collect_snapshot(co);
  const std::string text = core::snapshot_to_json(s).dump(2) + "\n";
  if (auto st = write_output(o.output, text); !st) return report_error(st.error(), kExitRuntime);
  return kExitOk;
}

}  // namespace

void register_snapshot(CLI::App& app, Globals& g) {
  auto o = std::make_shared<SnapshotOptions>();
  auto* cmd = app.add_subcommand("snapshot", "Capture settings, configuration and evidence as JSON");
  cmd->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of standard output");
  add_netns_options(cmd, o->netns);
  cmd->footer("Example: tcptune snapshot -o host.json   (then elsewhere: tcptune audit --snapshot host.json)");
  cmd->callback([&g, o] { g.exit_code = run_snapshot(g, *o); });
}

}  // namespace tcptune::cli

// tcptune diff A.json B.json: what changed between two snapshots.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/audit_pipeline.h"
#include "cli/diff_render.h"
#include "cli/output.h"
#include "core/snapshot_diff.h"
#include "core/snapshot_json.h"

namespace tcptune::cli {
namespace {

struct DiffOptions {
  std::string a;
  std::string b;
  OutputOptions out;
  bool exit_code = false;
};

core::Result<core::Snapshot> load(const std::string& path) {
  SnapshotSource source;
  source.file = path;
  return obtain_snapshot(source);
}

CommandResult run_diff(const DiffOptions& o) {
  auto a = load(o.a);
  if (!a) return a.error();
  auto b = load(o.b);
  if (!b) return b.error();
  const core::SnapshotDiff d = core::diff_snapshots(*a, *b);
  Renderers r;
  r.text = [&](bool) { return render_diff_text(d, o.a, o.b); };
  r.json = [&] { return core::diff_to_json(d, o.a, o.b); };
  if (auto st = emit(o.out, r); !st) return st.error();
  return o.exit_code && !d.empty() ? Outcome::kFindings : Outcome::kOk;
}

}  // namespace

void register_diff(CLI::App& app, Globals& g) {
  auto o = std::make_shared<DiffOptions>();
  auto* cmd = app.add_subcommand("diff", "Compare two snapshots: sysctls, configuration, census, counters");
  cmd->add_option("A", o->a, "Snapshot file (from 'tcptune snapshot')")->required();
  cmd->add_option("B", o->b, "Snapshot file to compare with A")->required();
  cmd->add_option("--format", o->out.format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("-o,--output", o->out.file, "Write to FILE (atomically)");
  cmd->add_flag("--exit-code", o->exit_code, "Exit 1 when the snapshots differ");
  cmd->footer("Examples:\n  tcptune diff before.json after.json\n  tcptune diff --format json web1.json web2.json\n"
              "(take each snapshot with: tcptune snapshot -o FILE)");
  cmd->callback([&g, o] { g.result = run_diff(*o); });
}

}  // namespace tcptune::cli

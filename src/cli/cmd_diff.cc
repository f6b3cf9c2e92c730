// tcptune diff A.json B.json: what changed between two snapshots.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/snapshot_diff.h"
#include "core/snapshot_json.h"
#include "platform/fs_util.h"

namespace tcptune::cli {
namespace {

struct DiffOptions {
  std::string a;
  std::string b;
  std::string format = "text";
  std::string output;
  bool exit_code = false;
};

core::Result<core::Snapshot> load(const std::string& path) {
  auto text = platform::read_file(path, 256u << 20);
  if (!text) return text.error();
  return core::snapshot_from_text(*text, path);
}

void render_section(std::string& out, const char* title, const std::vector<core::DiffEntry>& es) {
  if (es.empty()) return;
  out += fmt::format("\n{} ({})\n", title, es.size());
  size_t w = 0;
  for (const auto& e : es) w = std::max(w, e.name.size());
  for (const auto& e : es) {
    if (!e.a) out += fmt::format("  + {:<{}}  {}  (only in B)\n", e.name, w, *e.b);
    else if (!e.b) out += fmt::format("  - {:<{}}  {}  (only in A)\n", e.name, w, *e.a);
    else out += fmt::format("  ~ {:<{}}  {} -> {}\n", e.name, w, *e.a, *e.b);
  }
}

std::string render_text(const core::SnapshotDiff& d, const DiffOptions& o) {
  std::string out = fmt::format("tcptune diff: A = {}, B = {}\n", o.a, o.b);
  if (d.empty()) return out + "\nNo differences.\n";
  render_section(out, "Snapshot", d.header);
  render_section(out, "Sysctls", d.sysctls);
  render_section(out, "Configuration (what boot applies)", d.config);
  render_section(out, "Socket census (totals by state)", d.census);
  render_section(out, "Counters", d.counters);
  return out;
}

int run_diff(const DiffOptions& o) {
  auto a = load(o.a);
  if (!a) return report_error(a.error(), kExitRuntime);
  auto b = load(o.b);
  if (!b) return report_error(b.error(), kExitRuntime);
  const core::SnapshotDiff d = core::diff_snapshots(*a, *b);
  const std::string text = o.format == "json" ? core::diff_to_json(d, o.a, o.b).dump(2) + "\n" : render_text(d, o);
  if (auto st = write_output(o.output, text); !st) return report_error(st.error(), kExitRuntime);
  return o.exit_code && !d.empty() ? kExitFindings : kExitOk;
}

}  // namespace

void register_diff(CLI::App& app, Globals& g) {
  auto o = std::make_shared<DiffOptions>();
  auto* cmd = app.add_subcommand("diff", "Compare two snapshots: sysctls, configuration, census, counters");
  cmd->add_option("A", o->a, "Snapshot file (from 'tcptune snapshot')")->required();
  cmd->add_option("B", o->b, "Snapshot file to compare with A")->required();
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write to FILE (atomically)");
  cmd->add_flag("--exit-code", o->exit_code, "Exit 1 when the snapshots differ");
  cmd->footer("Examples:\n  tcptune diff before.json after.json\n  tcptune diff --format json web1.json web2.json\n"
              "(take each snapshot with: tcptune snapshot -o FILE)");
  cmd->callback([&g, o] { g.exit_code = run_diff(*o); });
}

}  // namespace tcptune::cli

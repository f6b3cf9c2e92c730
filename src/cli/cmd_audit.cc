// tcptune audit: evaluate the rules against this host (or a snapshot) and report findings.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/knowledge.h"
#include "cli/output.h"
#include "cli/report_prometheus.h"
#include "cli/report_render.h"
#include "core/evaluate.h"
#include "core/snapshot_json.h"
#include "core/sysctl_conf_resolve.h"
#include "platform/collect.h"
#include "platform/fs_util.h"

namespace tcptune::cli {
namespace {

struct AuditOptions {
  std::string snapshot;
  std::string format = "text";
  std::string fail_on = "critical";
  std::string output;
  std::vector<std::string> rule_dirs;
  bool no_census = false;
};

core::Result<core::Snapshot> obtain_snapshot(const Globals& g, const AuditOptions& o, const Knowledge& k) {
  if (!o.snapshot.empty()) {
    // Offline audit: nothing of the local machine is read.
    auto text = platform::read_file(o.snapshot, 256u << 20);
    if (!text) return text.error();
    return core::snapshot_from_text(*text, o.snapshot);
  }
  platform::CollectOptions co;
  co.root = g.root;
  co.keys = keys_to_collect(k);
  co.census = !o.no_census;
  return platform::collect_snapshot(co);
}

std::vector<std::string> present_keys(const core::Snapshot& s) {
  std::vector<std::string> keys;
  for (const auto& [k, r] : s.sysctls) {
    if (r.state != core::SysctlReading::State::kAbsent) keys.push_back(k);
  }
  return keys;
}

int run_audit(const Globals& g, const AuditOptions& o) {
  const auto fail_on = core::parse_severity(o.fail_on);
  auto k = load_knowledge(o.rule_dirs, true);
  if (!k) return report_error(k.error(), kExitRuntime);
  auto snap = obtain_snapshot(g, o, *k);
  if (!snap) return report_error(snap.error(), kExitRuntime);
  const core::ResolvedConfig resolved = core::resolve_config(snap->config, present_keys(*snap));
  const core::Report report = core::evaluate(k->rules, *snap, resolved, k->catalogue);

  ReportContext ctx;
  ctx.snapshot = &*snap;
  ctx.rule_count = k->rules.size();
  ctx.source = !o.snapshot.empty() ? fmt::format("snapshot {}", o.snapshot)
               : g.root == "/"     ? std::string("this host")
                                   : fmt::format("root {}", g.root);
  const std::string text = o.format == "json"         ? render_report_json(report, ctx).dump(2) + "\n"
                           : o.format == "prometheus" ? render_report_prometheus(report, ctx)
                                                      : render_report_text(report, ctx, o.output.empty() && use_color(g.no_color));
  if (auto st = write_output(o.output, text); !st) return report_error(st.error(), kExitRuntime);
  for (const auto& f : report.findings) {
    if (f.severity >= *fail_on) return kExitFindings;
  }
  return kExitOk;
}

}  // namespace

void register_audit(CLI::App& app, Globals& g) {
  auto o = std::make_shared<AuditOptions>();
  auto* cmd = app.add_subcommand("audit", "Check settings, configuration and evidence; report findings");
  cmd->add_option("--snapshot", o->snapshot, "Audit a snapshot file (from 'tcptune snapshot') instead of this host");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json", "prometheus"}))->capture_default_str();
  cmd->add_option("--fail-on", o->fail_on, "Exit 1 when a finding has this severity or higher")
      ->check(CLI::IsMember({"info", "warning", "critical"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write the report to FILE (atomically)");
  cmd->add_option("--rules", o->rule_dirs, "Also load rules from DIR (repeatable)");
  cmd->add_flag("--no-census", o->no_census, "Skip the socket census and counters (settings and configuration only)");
  cmd->footer("Examples:\n  tcptune audit --fail-on warning\n  tcptune audit --snapshot host.json --format json\n"
              "  tcptune audit --format prometheus -o /var/lib/prometheus/node-exporter/tcptune.prom");
  cmd->callback([&g, o] { g.exit_code = run_audit(g, *o); });
}

}  // namespace tcptune::cli

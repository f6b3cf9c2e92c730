// tcptune audit: evaluate the rules against this host, a --root tree, a snapshot file, or one or
// every network namespace, and report findings.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "cli/audit_pipeline.h"
#include "cli/commands.h"
#include "cli/netns_options.h"
#include "cli/netns_render.h"
#include "cli/output.h"
#include "cli/report_prometheus.h"
#include "cli/report_render.h"
#include "platform/data_dirs.h"

namespace tcptune::cli {
namespace {

struct AuditOptions {
  AuditRequest request{{}, platform::system_config_dir() + "/tcptune.toml", false, {}, {}};
  std::string snapshot;
  OutputOptions out;
  std::string fail_on = "critical";
  bool no_census = false;
  double interval = 0;  // seconds between counter samples
  bool processes = false;
  uint32_t trace = 0;  // seconds of reset tracing
  bool list_thresholds = false;
  bool verbose = false;  // info findings in full
  size_t prometheus_top = kPrometheusTopDefault;
  NetnsArgs netns;
};

CommandResult list_thresholds(const AuditInputs& inputs) {
  std::string out;
  for (const auto& [name, v] : inputs.thresholds) {
    out += fmt::format("{} = {}  ({})\n    {}\n", name, v.value, v.origin, inputs.knowledge.thresholds.at(name).doc);
  }
  if (auto st = write_output("", out); !st) return st.error();
  return Outcome::kOk;
}

Outcome outcome_of(const std::vector<const core::Report*>& reports, core::Severity fail_on) {
  for (const core::Report* r : reports) {
    const bool fails = std::any_of(r->findings.begin(), r->findings.end(),
                                   [&](const core::Finding& f) { return f.severity >= fail_on; });
    if (fails) return Outcome::kFindings;
  }
  return Outcome::kOk;
}

CommandResult emit_report(const AuditOptions& o, const core::Report& report, const ReportContext& ctx,
                          const core::NetnsInfo* netns) {
  Renderers r;
  r.text = [&](bool color) { return render_report_text(report, ctx, color); };
  r.json = [&] {
    auto j = render_report_json(report, ctx);
    if (netns) j["netns"] = netns_info_json(*netns);
    return j;
  };
  // One namespace is reported like a host; Prometheus output is the host's only.
  if (!netns) r.prometheus = [&] { return render_report_prometheus(report, ctx, o.prometheus_top); };
  if (auto st = emit(o.out, r); !st) return st.error();
  return outcome_of({&report}, *core::parse_severity(o.fail_on));
}

SnapshotSource host_source(const Globals& g, const AuditOptions& o) {
  SnapshotSource source;
  source.root = g.root;
  source.file = o.snapshot;
  source.census = !o.no_census;
  source.interval_ms = static_cast<uint32_t>(o.interval * 1000.0 + 0.5);
  source.processes = o.processes;
  source.trace_seconds = o.trace;
  return source;
}

// The audit of the live system (or a --root tree) takes its counters and census before it loads
// the rules: the census's working memory (the process view keeps 4 bytes a socket with an
// inode) and the parsed rules are then never resident together, which kept `audit --processes`
// above 8 MiB at 1M sockets (bench/RESULTS.md). Rule errors are reported after the census then.
// Not with --trace (a broken rule file should not cost a trace) nor --list-thresholds.
bool census_first(const AuditOptions& o) {
  return !o.list_thresholds && !o.netns.any() && o.snapshot.empty() && !o.no_census && o.trace == 0;
}

CommandResult audit_host(const Globals& g, const AuditOptions& o, const AuditInputs& inputs,
                         std::optional<core::Snapshot> evidence) {
  SnapshotSource source = host_source(g, o);
  source.keys = keys_to_collect(inputs.knowledge);
  auto snap = evidence ? obtain_snapshot(source, std::move(*evidence)) : obtain_snapshot(source);
  if (!snap) return snap.error();
  const core::Report report = audit_snapshot(*snap, inputs);
  ReportContext ctx;
  ctx.snapshot = &*snap;
  ctx.rule_count = inputs.knowledge.rules.size();
  ctx.verbose = o.verbose;
  ctx.source = source_text(g, o.snapshot);
  return emit_report(o, report, ctx, nullptr);
}

CommandResult audit_netns(const Globals& g, const AuditOptions& o, const AuditInputs& inputs) {
  auto targets = netns_targets(g, o.netns);
  if (!targets) return targets.error();
  // The host is read once, in this process: its global keys stand for every namespace; its
  // census only when the host itself is audited.
  SnapshotSource source;
  source.root = g.root;
  source.keys = keys_to_collect(inputs.knowledge);
  source.census = !o.no_census && std::any_of(targets->begin(), targets->end(), [](const auto& t) { return t.is_host; });
  auto host = obtain_snapshot(source);
  if (!host) return host.error();
  auto spaces = collect_namespaces(*host, *targets, inputs.knowledge, !o.no_census);
  audit_namespaces(spaces, *host, inputs);
  const size_t rule_count = inputs.knowledge.rules.size();
  if (!o.netns.all) {
    const NamespaceSnapshot& one = spaces.front();
    if (!one.snapshot) return *one.error;
    ReportContext ctx;
    ctx.snapshot = &*one.snapshot;
    ctx.rule_count = rule_count;
    ctx.verbose = o.verbose;
    ctx.source = one.info.is_host ? "this host" : fmt::format("network namespace {}", core::netns_label(one.info));
    return emit_report(o, one.report, ctx, &one.info);
  }
  Renderers r;
  r.text = [&](bool) { return render_netns_text(spaces, rule_count, o.verbose); };
  r.json = [&] { return render_netns_json(spaces, rule_count); };
  if (auto st = emit(o.out, r); !st) return st.error();
  // A namespace that vanished between discovery and reading (its last process exited) is a gap
  // of the --all-netns report, not a failure of the run.
  std::vector<const core::Report*> reports;
  for (const auto& space : spaces) reports.push_back(&space.report);
  return outcome_of(reports, *core::parse_severity(o.fail_on));
}

CommandResult run_audit(const Globals& g, AuditOptions o) {
  o.out.no_color = g.no_color;
  if (o.trace > 0 && (o.netns.any() || !o.snapshot.empty() || g.root != "/")) {
    return core::as_usage(core::make_error("--trace", "traces the live host only: not with --snapshot, --root or a namespace option"));
  }
  if (o.netns.any() && !o.snapshot.empty()) {
    return core::as_usage(core::make_error("--snapshot", "cannot be combined with a namespace option"));
  }
  std::optional<core::Snapshot> evidence;
  if (census_first(o)) evidence = obtain_evidence(host_source(g, o));
  auto inputs = load_audit_inputs(o.request);
  if (!inputs) return inputs.error();
  if (o.list_thresholds) return list_thresholds(*inputs);
  return o.netns.any() ? audit_netns(g, o, *inputs) : audit_host(g, o, *inputs, std::move(evidence));
}

}  // namespace

void register_audit(CLI::App& app, Globals& g) {
  auto o = std::make_shared<AuditOptions>();
  auto* cmd = app.add_subcommand("audit", "Check settings, configuration and evidence; report findings");
  cmd->add_option("--snapshot", o->snapshot, "Audit a snapshot file (from 'tcptune snapshot') instead of this host");
  cmd->add_option("--format", o->out.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "prometheus"}))
      ->capture_default_str();
  cmd->add_option("--fail-on", o->fail_on, "Exit 1 when a finding has this severity or higher")
      ->check(CLI::IsMember({"info", "warning", "critical"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", o->out.file, "Write the report to FILE (atomically)");
  cmd->add_option("--prometheus-top", o->prometheus_top, "With --format prometheus: series for the N busiest destinations and ports")
      ->check(CLI::Range(size_t{1}, kPrometheusTopMax))->capture_default_str();
  cmd->add_option("--rules", o->request.rule_dirs, "Also load rules from DIR (repeatable)");
  cmd->add_flag("--no-census", o->no_census, "Skip the socket census and counters (settings and configuration only)");
  cmd->add_option("--set", o->request.sets, "Override a rule threshold: threshold.NAME=VALUE (repeatable)");
  cmd->add_option("--profile", o->request.profile,
                  "The workload profile this host (or namespace) runs (e.g. chat-long); rules take it into account");
  cmd->add_option("--interval", o->interval, "Sample the kernel counters twice, SECONDS apart, to see what is increasing now")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_flag("--processes", o->processes, "Name the processes that own CLOSE-WAIT sockets (walks /proc/*/fd; root sees all)");
  cmd->add_option("--trace", o->trace, "Attribute TCP resets to reason, port and process for SECONDS first (kernel tracepoints)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--config", o->request.config, "tcptune settings file ([threshold], [audit] profile); default /etc/tcptune/tcptune.toml")->capture_default_str();
  cmd->add_flag("-v,--verbose", o->verbose, "Show info findings in full too (text format; otherwise one line each)");
  cmd->add_flag("--list-thresholds", o->list_thresholds, "Print every threshold with its value, origin and meaning, then exit");
  cmd->footer("Examples:\n  tcptune audit --fail-on warning\n  tcptune audit --interval 10 --processes\n"
              "  tcptune audit --set threshold.close_wait_per_port=200\n"
              "  tcptune audit --all-netns\n  tcptune audit --snapshot host.json --format json\n"
              "  tcptune audit --format prometheus -o /var/lib/prometheus/node-exporter/tcptune.prom");
  add_netns_options(cmd, o->netns);
  cmd->callback([&g, o, cmd] {
    o->request.config_given = cmd->count("--config") > 0;
    g.result = run_audit(g, *o);
  });
}

}  // namespace tcptune::cli

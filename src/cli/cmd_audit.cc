// tcptune audit: evaluate the rules against this host (or a snapshot) and report findings.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <optional>

#include "cli/commands.h"
#include "cli/knowledge.h"
#include "cli/netns_audit.h"
#include "cli/output.h"
#include "cli/report_prometheus.h"
#include "cli/report_render.h"
#include "core/did_you_mean.h"
#include "core/evaluate.h"
#include "core/snapshot_json.h"
#include "core/sysctl_conf_resolve.h"
#include "core/tool_config.h"
#include "platform/collect.h"
#include "platform/data_dirs.h"
#include "platform/file_trust.h"
#include "platform/fs_util.h"

namespace tcptune::cli {
namespace {

inline constexpr const char* kToolConfigFile = "/etc/tcptune/tcptune.toml";

struct AuditOptions {
  std::string snapshot;
  std::string format = "text";
  std::string fail_on = "critical";
  std::string output;
  std::vector<std::string> rule_dirs;
  bool no_census = false;
  std::vector<std::string> sets;  // --set threshold.NAME=VALUE
  std::string profile;
  double interval = 0;            // seconds between counter samples
  bool processes = false;
  std::string config = kToolConfigFile;
  bool config_given = false;
  bool list_thresholds = false;
  NetnsArgs netns;
};

// The tool's settings file; a missing default file is fine, a missing --config FILE is not.
core::Result<core::ToolConfig> read_tool_config(const AuditOptions& o) {
  auto text = platform::read_file(o.config, 1u << 20);
  if (!text && !o.config_given && text.error().err == ENOENT) return core::ToolConfig{};
  if (!text) return text.error();
  // It steers what a root audit reports (thresholds, profile): trusted like rules and profiles.
  if (auto trusted = platform::check_trusted(o.config); !trusted) return trusted.error();
  return core::parse_tool_config(*text, o.config);
}

// Profile names come from the profiles the data directory ships, when it ships any. `where` is
// set when the name came from tcptune.toml, so the error points there instead of at --profile.
core::Status check_profile(const std::string& data_dir, const std::string& name,
                           const std::optional<core::SourceLoc>& where) {
  auto error = [&](std::string what, std::string hint) {
    if (where) return core::make_file_error(*where, "profile '" + name + "': " + what, std::move(hint));
    return core::make_error("--profile " + name, std::move(what), 0, std::move(hint));
  };
  if (!core::valid_profile_name(name)) return error("not a profile name (lowercase letters, digits, '-', '_')", {});
  auto files = platform::read_toml_dir(data_dir + "/profiles", true, {});
  if (!files || files->empty()) return core::ok_status();
  std::vector<std::string> names;
  for (const auto& f : *files) {
    const size_t slash = f.path.find_last_of('/');
    std::string base = f.path.substr(slash == std::string::npos ? 0 : slash + 1);
    names.push_back(base.substr(0, base.size() - 5));  // drop ".toml"
    if (names.back() == name) return core::ok_status();
  }
  return error("no such profile" + core::did_you_mean(name, names), "run 'tcptune profiles' to list them");
}

// The profile an audit judges against: --profile, else tcptune.toml's, else none ("");
// checked against the data directory (errors located in the file when it came from there).
core::Result<std::string> chosen_profile(const AuditOptions& o, const core::ToolConfig& tool,
                                         const std::string& data_dir) {
  const std::string name = !o.profile.empty() ? o.profile : tool.profile.value_or("");
  if (name.empty()) return name;
  const auto where = o.profile.empty() ? tool.profile_where : std::nullopt;
  if (auto st = check_profile(data_dir, name, where); !st) return st.error();
  return name;
}

int list_thresholds(const core::Thresholds& t, const Knowledge& k) {
  std::string out;
  for (const auto& [name, v] : t) {
    out += fmt::format("{} = {}  ({})\n    {}\n", name, v.value, v.origin, k.thresholds.at(name).doc);
  }
  if (auto st = write_output("", out); !st) return report_error(st.error(), kExitRuntime);
  return kExitOk;
}

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
  co.interval_ms = static_cast<uint32_t>(o.interval * 1000.0 + 0.5);
  co.processes = o.processes;
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
  if (o.netns.any()) {
    if (!o.snapshot.empty())
      return report_error(core::make_error("--snapshot", "cannot be combined with a namespace option"), kExitUsage);
    auto tool = read_tool_config(o);
    if (!tool) return report_error(tool.error(), kExitRuntime);
    auto profile = chosen_profile(o, *tool, platform::find_data_dir());
    if (!profile) return report_error(profile.error(), settings_exit(profile.error().loc.has_value()));
    NetnsArgs args = o.netns;
    args.profile = *profile;
    return run_netns_audit(g, args, {o.format, o.output, *fail_on, !o.no_census, o.rule_dirs, *tool, o.sets});
  }
  auto k = load_knowledge(o.rule_dirs, true);
  if (!k) return report_error(k.error(), kExitRuntime);
  auto tool = read_tool_config(o);
  if (!tool) return report_error(tool.error(), kExitRuntime);
  core::EvalSettings settings;
  auto thresholds = core::resolve_thresholds(k->thresholds, *tool, o.sets);
  if (!thresholds) return report_error(thresholds.error(), settings_exit(thresholds.error().loc.has_value()));
  settings.thresholds = std::move(*thresholds);
  if (o.list_thresholds) return list_thresholds(settings.thresholds, *k);
  auto profile = chosen_profile(o, *tool, k->data_dir);
  if (!profile) return report_error(profile.error(), settings_exit(profile.error().loc.has_value()));
  settings.profile = *profile;
  auto snap = obtain_snapshot(g, o, *k);
  if (!snap) return report_error(snap.error(), kExitRuntime);
  if (!settings.profile.empty()) {
    auto values = profile_values(settings.profile, *snap);  // profile_key, profile_value(k)
    if (!values) return report_error(values.error(), kExitRuntime);
    settings.profile_values = std::move(*values);
  }
  const core::ResolvedConfig resolved = core::resolve_config(snap->config, present_keys(*snap));
  const core::Report report = core::evaluate(k->rules, *snap, resolved, k->catalogue, settings);

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
  cmd->add_option("--set", o->sets, "Override a rule threshold: threshold.NAME=VALUE (repeatable)");
  cmd->add_option("--profile", o->profile, "The workload profile this host runs (e.g. chat-long); rules take it into account");
  cmd->add_option("--interval", o->interval, "Sample the kernel counters twice, SECONDS apart, to see what is increasing now")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_flag("--processes", o->processes, "Name the processes that own CLOSE-WAIT sockets (walks /proc/*/fd; root sees all)");
  cmd->add_option("--config", o->config, "tcptune settings file ([threshold], [audit] profile)")->capture_default_str();
  cmd->add_flag("--list-thresholds", o->list_thresholds, "Print every threshold with its value, origin and meaning, then exit");
  cmd->footer("Examples:\n  tcptune audit --fail-on warning\n  tcptune audit --interval 10 --processes\n"
              "  tcptune audit --set threshold.close_wait_per_port=200\n"
              "  tcptune audit --all-netns\n  tcptune audit --snapshot host.json --format json\n"
              "  tcptune audit --format prometheus -o /var/lib/prometheus/node-exporter/tcptune.prom");
  add_netns_options(cmd, o->netns, false);  // --profile is audit's own (above) and also judges namespaces
  cmd->callback([&g, o, cmd] {
    o->config_given = cmd->count("--config") > 0;
    g.exit_code = run_audit(g, *o);
  });
}

}  // namespace tcptune::cli

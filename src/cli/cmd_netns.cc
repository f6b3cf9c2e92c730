// audit, snapshot and sockets with --netns NAME, --netns-pid PID or --all-netns.
#include <algorithm>
#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "cli/netns_audit.h"
#include "cli/output.h"
#include "cli/profile_common.h"
#include "cli/report_render.h"
#include "core/snapshot_json.h"
#include "platform/collect.h"
#include "platform/netns.h"

namespace tcptune::cli {
namespace {

struct Prepared {
  Knowledge knowledge;
  core::Snapshot host;
  std::vector<core::NetnsInfo> targets;
};

core::Result<Prepared> prepare(const Globals& g, const NetnsArgs& a, const NetnsRunOptions& o, bool with_rules) {
  auto targets = netns_targets(g, a);
  if (!targets) return targets.error();
  auto k = load_knowledge(o.rule_dirs, with_rules);
  if (!k) return k.error();
  // The host is read once, in this process: its global keys stand for every namespace.
  platform::CollectOptions co;
  co.root = g.root;
  co.keys = keys_to_collect(*k);
  // Another namespace needs only the host's sysctls; the host's census only when it is audited.
  co.census = o.census && std::any_of(targets->begin(), targets->end(), [](const auto& t) { return t.is_host; });
  Prepared p{std::move(*k), platform::collect_snapshot(co), std::move(*targets)};
  return p;
}

// Option conflicts (objects named after an option, "--root") are usage errors; the rest runtime.
int fail(const core::Error& e) { return report_error(e, e.object.rfind("--", 0) == 0 ? kExitUsage : kExitRuntime); }

}  // namespace

core::Result<std::map<std::string, std::string>> profile_values(const std::string& name, const core::Snapshot& host) {
  auto ctx = load_profile_context({});
  if (!ctx) return ctx.error();
  auto prof = core::resolve_profile(ctx->profiles, name);
  if (!prof) return prof.error();
  const auto kernel = host.kernel_version();
  std::map<std::string, std::string> wanted;
  for (const auto& rs : prof->settings) {
    const auto& s = rs.setting;
    if (!s.kernel_default) {
      wanted[s.key] = s.value;
      continue;
    }
    const core::CatalogueEntry* e = ctx->catalogue.find(s.key);
    if (e && kernel) {
      if (auto d = e->default_on(*kernel)) wanted[s.key] = *d;
    }
  }
  return wanted;
}

int run_netns_audit(const Globals& g, const NetnsArgs& a, const NetnsRunOptions& o) {
  if (!a.any()) return fail(core::make_error("--profile", "needs --netns, --netns-pid or --all-netns", 0,
                                             "for this host, use 'tcptune recommend --profile NAME'"));
  auto p = prepare(g, a, o, true);
  if (!p) return fail(p.error());
  std::map<std::string, std::string> wanted;
  if (!a.profile.empty()) {
    auto w = profile_values(a.profile, p->host);
    if (!w) return fail(w.error());
    wanted = std::move(*w);
  }
  auto thresholds = core::resolve_thresholds(p->knowledge.thresholds, o.tool, o.sets);
  if (!thresholds) return report_error(thresholds.error(), settings_exit(thresholds.error().loc.has_value()));
  const auto audits = audit_namespaces(p->host, p->targets, p->knowledge, o.census, *thresholds, a.profile, wanted);
  std::string text;
  if (a.all) {
    text = o.format == "json" ? render_netns_json(audits, p->knowledge.rules.size()).dump(2) + "\n"
                              : render_netns_text(audits, p->knowledge.rules.size());
  } else {
    const NetnsAudit& one = audits.front();
    if (!one.snapshot) return report_error(*one.error, kExitRuntime);
    ReportContext ctx;
    ctx.snapshot = &*one.snapshot;
    ctx.rule_count = p->knowledge.rules.size();
    ctx.source = one.info.is_host ? "this host" : fmt::format("network namespace {}", core::netns_label(one.info));
    if (o.format == "json") {
      auto j = render_report_json(one.report, ctx);
      j["netns"] = netns_info_json(one.info);
      text = j.dump(2) + "\n";
    } else {
      text = render_report_text(one.report, ctx, o.output.empty() && use_color(g.no_color));
    }
  }
  if (auto st = write_output(o.output, text); !st) return report_error(st.error(), kExitRuntime);
  // A namespace that vanished between discovery and reading (its last process exited) is a gap
  // of the --all-netns report, not a failure of the run.
  for (const auto& au : audits) {
    for (const auto& f : au.report.findings) {
      if (f.severity >= o.fail_on) return kExitFindings;
    }
  }
  return kExitOk;
}

int run_netns_snapshot(const Globals& g, const NetnsArgs& a, const NetnsRunOptions& o) {
  auto p = prepare(g, a, o, true);
  if (!p) return fail(p.error());
  const auto spaces = collect_namespaces(p->host, p->targets, p->knowledge, o.census);
  std::string text;
  if (!a.all) {
    if (!spaces.front().snapshot) return report_error(*spaces.front().error, kExitRuntime);
    text = core::snapshot_to_json(*spaces.front().snapshot).dump(2) + "\n";
  } else {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : spaces) {
      auto j = netns_info_json(s.info);
      j["global_keys"] = s.global_keys;
      j["error"] = s.error ? nlohmann::json(s.error->summary()) : nlohmann::json(nullptr);
      j["snapshot"] = s.snapshot ? core::snapshot_to_json(*s.snapshot) : nlohmann::json(nullptr);
      arr.push_back(std::move(j));
    }
    text = nlohmann::json{{"schema", "tcptune.netns-snapshots"}, {"schema_version", 1}, {"namespaces", std::move(arr)}}
               .dump(2) +
           "\n";
  }
  if (auto st = write_output(o.output, text); !st) return report_error(st.error(), kExitRuntime);
  return kExitOk;
}

int run_netns_sockets(const Globals& g, const NetnsArgs& a, const std::string& format,
                      const std::function<core::Result<std::string>()>& pass) {
  auto targets = netns_targets(g, a);
  if (!targets) return fail(targets.error());
  nlohmann::json arr = nlohmann::json::array();
  std::string text;
  int rc = kExitOk;
  for (const auto& t : *targets) {
    auto out = t.is_host ? pass() : platform::run_in_netns(t, pass);
    const std::string title = fmt::format("network namespace {} ({})", t.inode, core::netns_label(t));
    if (!out) {
      rc = kExitRuntime;
      std::fputs((out.error().render() + "\n").c_str(), stderr);
    }
    if (format == "json") {
      // Each namespace's document is the ordinary `sockets` JSON plus a "netns" member.
      auto j = out ? nlohmann::json::parse(*out, nullptr, false) : nlohmann::json::object();
      j["netns"] = netns_info_json(t);
      j["error"] = out ? nlohmann::json(nullptr) : nlohmann::json(out.error().summary());
      arr.push_back(std::move(j));
    } else if (out) {
      text += (targets->size() > 1 || !t.is_host ? "== " + title + " ==\n" : std::string()) + *out + "\n";
    }
  }
  if (format == "json") {
    text = (a.all ? nlohmann::json{{"namespaces", std::move(arr)}} : arr.empty() ? nlohmann::json() : arr.front())
               .dump(2) +
           "\n";
  }
  std::fputs(text.c_str(), stdout);
  return rc;
}

}  // namespace tcptune::cli

// tcptune recommend --profile NAME: key-by-key diff of this host (or a snapshot) against a
// profile, with reasons; keys already at target are shown as such. --auto picks the profile
// from the socket census and the counters (core/recommend_auto.h). Nothing is changed.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/profile_common.h"
#include "core/recommend_auto.h"
#include "platform/counters.h"

namespace tcptune::cli {
namespace {

struct RecommendOptions {
  std::string profile;
  bool automatic = false;
  uint32_t interval_ms = 1000;
  std::string snapshot;
  std::string format = "text";
  std::vector<std::string> dirs;
};

int run_recommend(const Globals& g, const RecommendOptions& o) {
  auto ctx = load_profile_context(o.dirs);
  if (!ctx) return report_error(ctx.error(), kExitRuntime);
  auto planned = plan_profile(g, *ctx, o.profile, o.snapshot);
  if (!planned) {
    const bool usage = !planned.error().loc && planned.error().what == "no such profile";
    return report_error(planned.error(), usage ? kExitUsage : kExitRuntime);
  }
  const std::string source = source_text(g, o.snapshot);
  std::string text;
  if (o.format == "json") {
    text = render_plan_json(planned->plan, source).dump(2) + "\n";
  } else {
    text = render_plan_text(planned->plan, source);
    if (planned->plan.change_count() > 0 && o.snapshot.empty()) {
      text += fmt::format("Preview: tcptune apply --profile {} --dry-run\n", o.profile);
    }
  }
  if (auto st = write_output("", text); !st) return report_error(st.error(), kExitRuntime);
  return kExitOk;
}

// Every key any loaded profile plans with, so the chosen profile can be planned from one snapshot.
std::vector<std::string> all_plan_inputs(const ProfileContext& ctx) {
  std::vector<std::string> keys;
  for (const auto& name : ctx.profiles.names()) {
    auto r = core::resolve_profile(ctx.profiles, name);
    if (!r) continue;  // reported if that profile is asked for
    for (auto& k : core::plan_inputs(*r)) keys.push_back(std::move(k));
  }
  return keys;
}

std::string render_choice_text(const core::AutoChoice& c, const std::string& source) {
  std::string out = fmt::format("Workload observed on {}:\n", source);
  for (const auto& e : c.evidence) out += fmt::format("  {}\n", e);
  out += c.profile ? fmt::format("\nProfile '{}' fits: ", *c.profile) : std::string("\n");
  out += fmt::format("{}\n", fmt::join(c.why, "; "));
  for (const auto& n : c.caveats) out += fmt::format("  note: {}\n", n);
  return out;
}

int run_auto(const Globals& g, const RecommendOptions& o) {
  auto ctx = load_profile_context(o.dirs);
  if (!ctx) return report_error(ctx.error(), kExitRuntime);
  auto snap = snapshot_for(g, o.snapshot, all_plan_inputs(*ctx), true);
  if (!snap) return report_error(snap.error(), kExitRuntime);
  if (o.snapshot.empty() && g.root == "/" && o.interval_ms > 0) {
    // Two samples give open rates: lifetimes then need no TIME-WAIT on this side.
    auto rated = platform::read_counters_with_rates(g.root, o.interval_ms);
    if (rated) snap->counters = std::move(*rated);
  }
  if (!snap->census) {
    std::string why = "no socket census in the snapshot";
    for (const auto& gap : snap->gaps)
      if (gap.what == "socket census") why = gap.reason;
    return report_error(core::make_error("recommend --auto", "cannot observe the workload: " + why, 0,
                                         "name a profile with --profile NAME"), kExitRuntime);
  }
  const core::AutoChoice choice = core::recommend_auto(core::observe(*snap->census, snap->counters));
  const std::string source = source_text(g, o.snapshot);
  nlohmann::json j = {{"profile", choice.profile ? nlohmann::json(*choice.profile) : nlohmann::json(nullptr)},
                      {"why", choice.why}, {"evidence", choice.evidence}, {"caveats", choice.caveats}};
  std::string text = render_choice_text(choice, source);
  if (choice.profile) {
    auto resolved = core::resolve_profile(ctx->profiles, *choice.profile);
    if (!resolved) return report_error(resolved.error(), kExitRuntime);
    auto plan = core::make_plan(*resolved, ctx->catalogue, *snap);
    if (!plan) return report_error(plan.error(), kExitRuntime);
    text += "\n" + render_plan_text(*plan, source);
    j["plan"] = render_plan_json(*plan, source);
  }
  if (o.format == "json") text = nlohmann::json{{"auto", j}}.dump(2) + "\n";
  if (auto st = write_output("", text); !st) return report_error(st.error(), kExitRuntime);
  return kExitOk;
}

}  // namespace

void register_recommend(CLI::App& app, Globals& g) {
  auto o = std::make_shared<RecommendOptions>();
  auto* cmd = app.add_subcommand("recommend", "Compare this host with a workload profile, key by key, with reasons");
  auto* profile = cmd->add_option("--profile", o->profile, "Profile name (see 'tcptune profiles')");
  auto* automatic = cmd->add_flag("--auto", o->automatic, "Pick the profile that fits the observed workload, with the evidence");
  profile->excludes(automatic);
  cmd->add_option("--interval", o->interval_ms, "With --auto on this host: sample the counters twice, MS apart, for open rates (0: once)")
      ->capture_default_str();
  cmd->add_option("--snapshot", o->snapshot, "Compare a snapshot file (from 'tcptune snapshot') instead of this host");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("--profiles", o->dirs, "Also load profiles from DIR (repeatable)");
  cmd->footer("Examples:\n  tcptune recommend --profile chat-long\n  tcptune recommend --auto");
  cmd->callback([&g, o] {
    if (!o->automatic && o->profile.empty()) throw CLI::RequiredError("--profile or --auto");
    g.exit_code = o->automatic ? run_auto(g, *o) : run_recommend(g, *o);
  });
}

}  // namespace tcptune::cli

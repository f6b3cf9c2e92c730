// tcptune recommend --profile NAME: key-by-key diff of this host (or a snapshot) against a
// profile, with reasons; keys already at target are shown as such. --auto picks the profile
// from the socket census and the counters (core/recommend_auto.h). Nothing is changed.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/audit_pipeline.h"
#include "cli/plan_render.h"
#include "cli/profile_context.h"
#include "cli/profile_render.h"
#include "core/recommend_auto.h"

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

CommandResult run_recommend(const Globals& g, const RecommendOptions& o) {
  auto ctx = load_profile_context(o.dirs);
  if (!ctx) return ctx.error();
  auto planned = plan_profile(g, *ctx, o.profile, o.snapshot);
  if (!planned) return planned.error();
  const std::string source = source_text(g, o.snapshot);
  Renderers r;
  r.text = [&](bool) {
    std::string text = render_plan_text(planned->plan, source);
    if (planned->plan.change_count() > 0 && o.snapshot.empty()) {
      text += fmt::format("Preview: tcptune apply --profile {} --dry-run\n", o.profile);
    }
    return text;
  };
  r.json = [&] { return render_plan_json(planned->plan, source); };
  if (auto st = emit({o.format, "", g.no_color}, r); !st) return st.error();
  return Outcome::kOk;
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

CommandResult run_auto(const Globals& g, const RecommendOptions& o) {
  auto ctx = load_profile_context(o.dirs);
  if (!ctx) return ctx.error();
  SnapshotSource source;
  source.root = g.root;
  source.file = o.snapshot;
  source.keys = all_plan_inputs(*ctx);
  // Two samples on this host give open rates: lifetimes then need no TIME-WAIT on this side.
  if (o.snapshot.empty() && g.root == "/") source.interval_ms = o.interval_ms;
  auto snap = obtain_snapshot(source);
  if (!snap) return snap.error();
  if (!snap->census) {
    std::string why = "no socket census in the snapshot";
    for (const auto& gap : snap->gaps)
      if (gap.what == "socket census") why = gap.reason;
    return core::make_error("recommend --auto", "cannot observe the workload: " + why, 0,
                            "name a profile with --profile NAME");
  }
  const core::AutoChoice choice = core::recommend_auto(core::observe(*snap->census, snap->counters));
  const std::string where = source_text(g, o.snapshot);
  std::optional<core::Plan> plan;
  if (choice.profile) {
    auto resolved = core::resolve_profile(ctx->profiles, *choice.profile);
    if (!resolved) return resolved.error();
    auto made = core::make_plan(*resolved, ctx->catalogue, *snap);
    if (!made) return made.error();
    plan = std::move(*made);
  }
  Renderers r;
  r.text = [&](bool) {
    std::string text = render_auto_choice(choice, where);
    if (plan) text += "\n" + render_plan_text(*plan, where);
    return text;
  };
  r.json = [&] {
    nlohmann::json j = {{"profile", choice.profile ? nlohmann::json(*choice.profile) : nlohmann::json(nullptr)},
                        {"why", choice.why}, {"evidence", choice.evidence}, {"caveats", choice.caveats}};
    if (plan) j["plan"] = render_plan_json(*plan, where);
    return nlohmann::json{{"auto", j}};
  };
  if (auto st = emit({o.format, "", g.no_color}, r); !st) return st.error();
  return Outcome::kOk;
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
    g.result = o->automatic ? run_auto(g, *o) : run_recommend(g, *o);
  });
}

}  // namespace tcptune::cli

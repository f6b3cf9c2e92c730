// tcptune recommend --profile NAME: key-by-key diff of this host (or a snapshot) against a
// profile, with reasons; keys already at target are shown as such. Nothing is changed.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/profile_common.h"

namespace tcptune::cli {
namespace {

struct RecommendOptions {
  std::string profile;
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

}  // namespace

void register_recommend(CLI::App& app, Globals& g) {
  auto o = std::make_shared<RecommendOptions>();
  auto* cmd = app.add_subcommand("recommend", "Compare this host with a workload profile, key by key, with reasons");
  cmd->add_option("--profile", o->profile, "Profile name (see 'tcptune profiles')")->required();
  cmd->add_option("--snapshot", o->snapshot, "Compare a snapshot file (from 'tcptune snapshot') instead of this host");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("--profiles", o->dirs, "Also load profiles from DIR (repeatable)");
  cmd->footer("Example: tcptune recommend --profile chat-long");
  cmd->callback([&g, o] { g.exit_code = run_recommend(g, *o); });
}

}  // namespace tcptune::cli

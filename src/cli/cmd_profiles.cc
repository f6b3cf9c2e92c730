// tcptune profiles [show NAME]: list the workload profiles, or show one resolved through its
// includes with the origin of every setting.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/profile_context.h"
#include "cli/profile_render.h"

namespace tcptune::cli {
namespace {

struct ProfilesOptions {
  std::vector<std::string> dirs;
  std::string show;
};

CommandResult run_profiles(const ProfilesOptions& o) {
  auto ctx = load_profile_context(o.dirs);
  if (!ctx) return ctx.error();
  std::string text;
  if (o.show.empty()) {
    text = render_profile_list(*ctx);
  } else {
    auto r = core::resolve_profile(ctx->profiles, o.show);
    if (!r) return r.error();
    text = render_profile_show(*r);
  }
  if (auto st = write_output("", text); !st) return st.error();
  return Outcome::kOk;
}

}  // namespace

void register_profiles(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ProfilesOptions>();
  auto* cmd = app.add_subcommand("profiles", "List workload profiles, or show one resolved with its includes");
  cmd->add_option("--profiles", o->dirs, "Also load profiles from DIR (repeatable; later ones replace by name)");
  auto* show = cmd->add_subcommand("show", "Show a profile's resolved settings and where each comes from");
  show->add_option("name", o->show, "Profile name")->required();
  cmd->footer("Examples:\n  tcptune profiles\n  tcptune profiles show reverse-proxy");
  cmd->callback([&g, o] { g.result = run_profiles(*o); });
}

}  // namespace tcptune::cli

// tcptune profiles [show NAME]: list the workload profiles, or show one resolved through its
// includes with the origin of every setting.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/profile_common.h"

namespace tcptune::cli {
namespace {

struct ProfilesOptions {
  std::vector<std::string> dirs;
  std::string show;
};

std::string render_list(const ProfileContext& ctx) {
  size_t width = 4;
  for (const auto& [name, p] : ctx.profiles.profiles) width = std::max(width, name.size());
  std::string out = fmt::format("{:<{}}  {}\n", "NAME", width, "WORKLOAD");
  for (const auto& [name, p] : ctx.profiles.profiles) {
    out += fmt::format("{:<{}}  {}\n", name, width, p.description);
  }
  out += fmt::format("\nRead from: {}\n", fmt::join(ctx.dirs, ", "));
  for (const auto& r : ctx.profiles.replaced) out += fmt::format("Replaced: {}\n", r);
  out += "Show one with 'tcptune profiles show NAME'; compare with this host: 'tcptune recommend --profile NAME'.\n";
  return out;
}

std::string render_show(const core::ResolvedProfile& r) {
  std::string out = fmt::format("Profile '{}' ({})\n  {}\n", r.name, r.path, r.description);
  out += fmt::format("Applied in order: {}\n", fmt::join(r.applied, ", "));
  for (const auto& s : r.settings) {
    const std::string value = s.setting.kernel_default ? std::string("the running kernel's default")
                                                       : s.setting.value;
    out += fmt::format("\n{} = {}\n", s.setting.key, value);
    out += fmt::format("    from {} ({}:{}){}\n", s.origin, s.setting.where.file, s.setting.where.line,
                       s.chain.size() > 1 ? fmt::format(" via {}", fmt::join(s.chain, " -> ")) : "");
    if (!s.setting.reason.empty()) out += fmt::format("    {}\n", s.setting.reason);
    for (const auto& o : s.overridden) out += fmt::format("    overrides {} = {}\n", o.origin, o.value);
  }
  if (r.settings.empty()) out += "\n(no settings)\n";
  return out;
}

int run_profiles(const ProfilesOptions& o) {
  auto ctx = load_profile_context(o.dirs);
  if (!ctx) return report_error(ctx.error(), kExitRuntime);
  std::string text;
  if (o.show.empty()) {
    text = render_list(*ctx);
  } else {
    auto r = core::resolve_profile(ctx->profiles, o.show);
    if (!r) return report_error(r.error(), r.error().loc ? kExitRuntime : kExitUsage);
    text = render_show(*r);
  }
  if (auto st = write_output("", text); !st) return report_error(st.error(), kExitRuntime);
  return kExitOk;
}

}  // namespace

void register_profiles(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ProfilesOptions>();
  auto* cmd = app.add_subcommand("profiles", "List workload profiles, or show one resolved with its includes");
  cmd->add_option("--profiles", o->dirs, "Also load profiles from DIR (repeatable; later ones replace by name)");
  auto* show = cmd->add_subcommand("show", "Show a profile's resolved settings and where each comes from");
  show->add_option("name", o->show, "Profile name")->required();
  cmd->footer("Examples:\n  tcptune profiles\n  tcptune profiles show reverse-proxy");
  cmd->callback([&g, o] { g.exit_code = run_profiles(*o); });
}

}  // namespace tcptune::cli

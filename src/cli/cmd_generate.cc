// tcptune generate --profile NAME [-o FILE]: the sysctl.d file that makes a profile persistent,
// checked against the configuration already on the host (a later file must not override it).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/plan_render.h"
#include "cli/profile_context.h"
#include "core/sysctl_d_render.h"
#include "platform/atomic_file.h"
#include "platform/config_dirs.h"
#include "platform/fs_util.h"

namespace tcptune::cli {
namespace {

struct GenerateOptions {
  std::string profile;
  std::string output;
  std::string snapshot;
  std::vector<std::string> dirs;
};

// The path boot would know `file` by: itself on this host, or with the --root prefix removed.
// Empty when the file is not inside the root (then no reader sees it at boot).
std::string host_path_of(const Globals& g, const std::string& given) {
  if (given.empty()) return {};
  std::error_code ec;
  const std::string file = std::filesystem::absolute(given, ec).lexically_normal().string();
  if (ec) return {};
  if (g.root == "/") return file;
  std::string root = std::filesystem::absolute(g.root, ec).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (file.compare(0, root.size() + 1, root + "/") != 0) return {};
  return file.substr(root.size());
}

void print_precedence(const core::PrecedenceCheck& check, const std::string& host_path) {
  if (check.ok() && !check.sysctl_conf_wins) return;
  std::fputs(core::render_precedence(check, host_path).c_str(), stderr);
}

CommandResult run_generate(const Globals& g, const GenerateOptions& o) {
  auto ctx = load_profile_context(o.dirs);
  if (!ctx) return ctx.error();
  auto planned = plan_profile(g, *ctx, o.profile, o.snapshot);
  if (!planned) return planned.error();
  auto path = persist_plan(g, *planned, o.output, /*write=*/!o.output.empty());
  if (!path) return path.error();
  if (o.output.empty()) {
    const std::string text = core::render_sysctl_d(planned->plan, TCPTUNE_VERSION);
    if (auto st = write_output("", text); !st) return st.error();
  } else {
    std::fprintf(stderr, "wrote %s\n", o.output.c_str());
  }
  return Outcome::kOk;
}

}  // namespace

core::Result<std::string> persist_plan(const Globals& g, const Planned& p, const std::string& file, bool write) {
  core::SysctlConfig config = p.snapshot.config;
  // A snapshot written before layouts were recorded: assume the Debian layout the collector uses.
  if (config.layout.systemd_dirs.empty()) config.layout = platform::debian_layout();
  const std::string dir = core::generated_dir(config);
  std::string host_path = file.empty() ? fmt::format("{}/{}", dir, core::default_generated_name(p.plan.profile))
                                       : host_path_of(g, file);
  core::PrecedenceCheck check;
  if (!host_path.empty()) check = core::check_precedence(config, host_path, p.plan);
  if (file.empty() && !check.suggested_name.empty()) {
    // We choose the name: take one that sorts after the files that would override ours.
    std::fprintf(stderr, "note: %s would be overridden at boot; using %s/%s instead\n", host_path.c_str(),
                 dir.c_str(), check.suggested_name.c_str());
    host_path = fmt::format("{}/{}", dir, check.suggested_name);
    check = core::check_precedence(config, host_path, p.plan);
  }
  if (!host_path.empty()) {
    print_precedence(check, host_path);
  } else {
    std::fprintf(stderr, "note: %s is not under --root %s: boot will not read it from there\n",
                 file.c_str(), g.root.c_str());
  }
  if (!write) return host_path;
  const std::string disk_path = file.empty() ? platform::join_root(g.root, host_path) : file;
  const std::string text = core::render_sysctl_d(p.plan, TCPTUNE_VERSION);
  if (auto st = platform::write_file_atomic(disk_path, text, 0644); !st) return st.error();
  return disk_path;
}

void register_generate(CLI::App& app, Globals& g) {
  auto o = std::make_shared<GenerateOptions>();
  auto* cmd = app.add_subcommand("generate", "Write the sysctl.d file that makes a profile persistent");
  cmd->add_option("--profile", o->profile, "Profile name (see 'tcptune profiles')")->required();
  cmd->add_option("-o,--output", o->output,
                  "Write to FILE atomically (never through a symlink) instead of standard output");
  cmd->add_option("--snapshot", o->snapshot, "Take kernel version and configuration from a snapshot file");
  cmd->add_option("--profiles", o->dirs, "Also load profiles from DIR (repeatable)");
  cmd->footer("Example: tcptune generate --profile http-short -o /etc/sysctl.d/90-tcptune-http-short.conf");
  cmd->callback([&g, o] { g.result = run_generate(g, *o); });
}

}  // namespace tcptune::cli

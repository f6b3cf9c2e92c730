#include "cli/profile_context.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/audit_pipeline.h"
#include "cli/knowledge.h"
#include "core/did_you_mean.h"
#include "core/profile_loader.h"
#include "core/tool_config.h"
#include "platform/data_dirs.h"

namespace tcptune::cli {

std::string system_profiles_dir() { return platform::system_config_dir() + "/profiles.d"; }

core::Result<core::ProfileSet> load_profile_set(const std::string& data_dir, const core::Catalogue& catalogue,
                                                const std::vector<std::string>& extra_dirs,
                                                std::vector<std::string>& dirs) {
  std::vector<core::ProfileSource> sources;
  auto add_dir = [&](const std::string& dir, bool optional) -> core::Status {
    auto files = platform::read_toml_dir(dir, optional);
    if (!files) return files.error();
    dirs.push_back(dir);
    for (auto& f : *files) sources.push_back({std::move(f.path), std::move(f.text)});
    return core::ok_status();
  };
  if (auto s = add_dir(data_dir + "/profiles", false); !s) return s.error();
  if (auto s = add_dir(system_profiles_dir(), true); !s) return s.error();
  for (const auto& d : extra_dirs) {
    if (auto s = add_dir(d, false); !s) return s.error();
  }
  return core::load_profiles(sources, catalogue);
}

core::Result<ProfileContext> load_profile_context(const std::vector<std::string>& extra_dirs) {
  auto k = load_knowledge({}, KnowledgeParts::kCatalogue);
  if (!k) return k.error();
  ProfileContext ctx;
  auto set = load_profile_set(k->data_dir, k->catalogue, extra_dirs, ctx.dirs);
  if (!set) return set.error();
  ctx.catalogue = std::move(k->catalogue);
  ctx.profiles = std::move(*set);
  return ctx;
}

core::Result<core::ResolvedProfile> select_profile(const core::ProfileSet& profiles, const std::string& name,
                                                   const std::optional<core::SourceLoc>& where) {
  auto error = [&](std::string what, std::string hint) {
    if (where) return core::make_file_error(*where, "profile '" + name + "': " + what, std::move(hint));
    return core::as_usage(core::make_error("--profile " + name, std::move(what), 0, std::move(hint)));
  };
  if (!core::valid_profile_name(name)) return error("not a profile name (lowercase letters, digits, '-', '_')", {});
  if (!profiles.find(name)) {
    return error("no such profile" + core::did_you_mean(name, profiles.names()), "run 'tcptune profiles' to list them");
  }
  return core::resolve_profile(profiles, name);
}

core::Result<Planned> plan_profile(const Globals& g, const ProfileContext& ctx,
                                   const std::string& name, const std::string& snapshot_file) {
  auto resolved = select_profile(ctx.profiles, name);
  if (!resolved) return resolved.error();
  SnapshotSource source;
  source.root = g.root;
  source.file = snapshot_file;
  source.keys = core::plan_inputs(*resolved);
  // The census is taken only to say how many sockets a keepalive change reaches (plan notes).
  source.census = std::any_of(resolved->settings.begin(), resolved->settings.end(), [](const auto& rs) {
    return rs.setting.key.rfind("net.ipv4.tcp_keepalive_", 0) == 0;
  });
  auto snap = obtain_snapshot(source);
  if (!snap) return snap.error();
  auto plan = core::make_plan(*resolved, ctx.catalogue, *snap);
  if (!plan) return plan.error();
  return Planned{std::move(*resolved), std::move(*snap), std::move(*plan)};
}

std::string source_text(const Globals& g, const std::string& snapshot_file) {
  if (!snapshot_file.empty()) return fmt::format("snapshot {}", snapshot_file);
  return g.root == "/" ? std::string("this host") : fmt::format("root {}", g.root);
}

core::Status confirm(const std::string& question, bool yes, const std::string& what) {
  if (yes) return core::ok_status();
  if (::isatty(STDIN_FILENO) != 1) {
    return core::as_usage(core::make_error(what, "refusing to change kernel settings without confirmation", 0,
                                           "standard input is not a terminal: pass --yes to go ahead without asking"));
  }
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y" && answer != "yes")) {
    return core::as_usage(core::make_error(what, "cancelled: nothing was changed"));
  }
  return core::ok_status();
}

}  // namespace tcptune::cli

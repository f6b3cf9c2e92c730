#include "cli/profile_common.h"

#include <cstdio>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/knowledge.h"
#include "core/catalogue.h"
#include "core/profile_loader.h"
#include "core/snapshot_json.h"
#include "platform/collect.h"
#include "platform/data_dirs.h"
#include "platform/fs_util.h"

namespace tcptune::cli {

core::Result<ProfileContext> load_profile_context(const std::vector<std::string>& extra_dirs) {
  auto k = load_knowledge({}, false);
  if (!k) return k.error();
  ProfileContext ctx;
  ctx.catalogue = std::move(k->catalogue);
  std::vector<core::ProfileSource> sources;
  auto add_dir = [&](const std::string& dir, bool optional) -> core::Status {
    auto files = platform::read_toml_dir(dir, optional);
    if (!files) return files.error();
    ctx.dirs.push_back(dir);
    for (auto& f : *files) sources.push_back({std::move(f.path), std::move(f.text)});
    return core::ok_status();
  };
  if (auto s = add_dir(k->data_dir + "/profiles", false); !s) return s.error();
  if (auto s = add_dir(kSystemProfilesDir, true); !s) return s.error();
  for (const auto& d : extra_dirs) {
    if (auto s = add_dir(d, false); !s) return s.error();
  }
  auto set = core::load_profiles(sources, ctx.catalogue);
  if (!set) return set.error();
  ctx.profiles = std::move(*set);
  return ctx;
}

core::Result<core::Snapshot> snapshot_for(const Globals& g, const std::string& snapshot_file,
                                          const std::vector<std::string>& keys, bool census) {
  if (!snapshot_file.empty()) {
    auto text = platform::read_file(snapshot_file, 256u << 20);
    if (!text) return text.error();
    return core::snapshot_from_text(*text, snapshot_file);
  }
  platform::CollectOptions co;
  co.root = g.root;
  co.keys = keys;
  co.census = census;
  return platform::collect_snapshot(co);
}

core::Result<Planned> plan_profile(const Globals& g, const ProfileContext& ctx,
                                   const std::string& name, const std::string& snapshot_file) {
  auto resolved = core::resolve_profile(ctx.profiles, name);
  if (!resolved) return resolved.error();
  auto snap = snapshot_for(g, snapshot_file, core::plan_inputs(*resolved), false);
  if (!snap) return snap.error();
  auto plan = core::make_plan(*resolved, ctx.catalogue, *snap);
  if (!plan) return plan.error();
  return Planned{std::move(*resolved), std::move(*snap), std::move(*plan)};
}

std::string source_text(const Globals& g, const std::string& snapshot_file) {
  if (!snapshot_file.empty()) return fmt::format("snapshot {}", snapshot_file);
  return g.root == "/" ? std::string("this host") : fmt::format("root {}", g.root);
}

std::string render_plan_text(const core::Plan& plan, const std::string& source) {
  std::string out = fmt::format("Profile '{}' against {}{}\n", plan.profile, source,
                                plan.kernel ? fmt::format(" (Linux {})", core::version_text(*plan.kernel)) : "");
  if (!plan.description.empty()) out += fmt::format("  {}\n", plan.description);
  size_t width = 0;
  for (const auto& it : plan.items) width = std::max(width, it.key.size());
  for (const auto& it : plan.items) {
    const std::string what = it.change ? fmt::format("{} -> {}", it.before, it.after)
                                       : fmt::format("{} (already at target)", it.after);
    const std::string from = it.origin != plan.profile ? fmt::format("  [from {}]", it.origin) : "";
    out += fmt::format("\n{:<{}}  {}{}\n", it.key, width, what, from);
    out += fmt::format("    {}\n", it.reason);
    for (const auto& n : it.notes) out += fmt::format("    note: {}\n", n);
  }
  if (!plan.omitted.empty()) out += "\nNot set:\n";
  for (const auto& o : plan.omitted) out += fmt::format("  {}\n", o);
  out += fmt::format("\n{} of {} settings differ from the profile.\n", plan.change_count(), plan.items.size());
  return out;
}

nlohmann::json render_plan_json(const core::Plan& plan, const std::string& source) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& it : plan.items) {
    items.push_back({{"key", it.key}, {"current", it.before}, {"target", it.after},
                     {"change", it.change}, {"reason", it.reason}, {"origin", it.origin},
                     {"notes", it.notes}});
  }
  nlohmann::json j = {{"profile", plan.profile}, {"description", plan.description},
                      {"source", source}, {"items", items}, {"omitted", plan.omitted},
                      {"changes", plan.change_count()}};
  j["kernel"] = plan.kernel ? nlohmann::json(core::version_text(*plan.kernel)) : nlohmann::json(nullptr);
  return j;
}

core::Status confirm(const std::string& question, bool yes, const std::string& what) {
  if (yes) return core::ok_status();
  if (::isatty(STDIN_FILENO) != 1) {
    return core::make_error(what, "refusing to change kernel settings without confirmation", 0,
                            "standard input is not a terminal: pass --yes to go ahead without asking");
  }
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y" && answer != "yes")) {
    return core::make_error(what, "cancelled: nothing was changed");
  }
  return core::ok_status();
}

}  // namespace tcptune::cli

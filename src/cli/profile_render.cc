#include "cli/profile_render.h"

#include <algorithm>

#include <fmt/format.h>

namespace tcptune::cli {

std::string render_profile_list(const ProfileContext& ctx) {
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

std::string render_profile_show(const core::ResolvedProfile& r) {
  std::string out = fmt::format("Profile '{}' ({})\n  {}\n", r.name, r.path, r.description);
  out += fmt::format("Applied in order: {}\n", fmt::join(r.applied, ", "));
  for (const auto& s : r.settings) {
    const std::string value = s.setting.kernel_default ? std::string("the running kernel's default")
                              : s.setting.at_least     ? fmt::format("{} (at least: a larger value is kept)", s.setting.value)
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

std::string render_auto_choice(const core::AutoChoice& c, const std::string& source) {
  std::string out = fmt::format("Workload observed on {}:\n", source);
  for (const auto& e : c.evidence) out += fmt::format("  {}\n", e);
  out += c.profile ? fmt::format("\nProfile '{}' fits: ", *c.profile) : std::string("\n");
  out += fmt::format("{}\n", fmt::join(c.why, "; "));
  for (const auto& n : c.caveats) out += fmt::format("  note: {}\n", n);
  return out;
}

}  // namespace tcptune::cli

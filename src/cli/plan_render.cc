#include "cli/plan_render.h"

#include <algorithm>

#include <fmt/format.h>

namespace tcptune::cli {
namespace {

// The live-census note on a changed tcp_keepalive_time/intvl/probes item.
bool shows_reach(const core::Plan& plan, const core::PlannedChange& it) {
  return it.change && !plan.keepalive_reach.empty() && it.key.rfind("net.ipv4.tcp_keepalive_", 0) == 0;
}

}  // namespace

std::string render_plan_text(const core::Plan& plan, const std::string& source) {
  std::string out = fmt::format("Profile '{}' against {}{}\n", plan.profile, source,
                                plan.kernel ? fmt::format(" (Linux {})", core::version_text(*plan.kernel)) : "");
  if (!plan.description.empty()) out += fmt::format("  {}\n", plan.description);
  size_t width = 0;
  for (const auto& it : plan.items) width = std::max(width, it.key.size());
  for (const auto& it : plan.items) {
    const std::string what = it.change       ? fmt::format("{} -> {}", it.before, it.after)
                             : it.floor_kept ? fmt::format("{} (at least {}: kept)", it.after, it.floor)
                                             : fmt::format("{} (already at target)", it.after);
    const std::string from = it.origin != plan.profile ? fmt::format("  [from {}]", it.origin) : "";
    out += fmt::format("\n{:<{}}  {}{}\n", it.key, width, what, from);
    out += fmt::format("    {}\n", it.reason);
    for (const auto& n : it.notes) out += fmt::format("    note: {}\n", n);
    if (shows_reach(plan, it)) out += fmt::format("    note: {}\n", plan.keepalive_reach);
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
    if (shows_reach(plan, it)) items.back()["notes"].push_back(plan.keepalive_reach);
    if (it.floor_kept) items.back()["at_least"] = it.floor;
  }
  nlohmann::json j = {{"profile", plan.profile}, {"description", plan.description},
                      {"source", source}, {"items", items}, {"omitted", plan.omitted},
                      {"changes", plan.change_count()}};
  j["kernel"] = plan.kernel ? nlohmann::json(core::version_text(*plan.kernel)) : nlohmann::json(nullptr);
  return j;
}

}  // namespace tcptune::cli

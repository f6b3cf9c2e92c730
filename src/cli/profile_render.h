// Renderers of the profile commands: the list of profiles, one profile resolved through its
// includes, and the workload choice of `recommend --auto`.
#pragma once

#include <string>

#include "cli/profile_context.h"
#include "core/recommend_auto.h"

namespace tcptune::cli {

// NAME / WORKLOAD table, the directories read and the profiles a later directory replaced.
std::string render_profile_list(const ProfileContext& ctx);
// The settings in order, each with its value, origin (file:line, include chain), reason and
// the values it overrides.
std::string render_profile_show(const core::ResolvedProfile& r);
// The observed workload, the profile that fits (or none) and why, and the caveats.
std::string render_auto_choice(const core::AutoChoice& c, const std::string& source);

}  // namespace tcptune::cli

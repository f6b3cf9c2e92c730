// Profiles for the commands that use them (audit, profiles, recommend, apply, generate): loading
// them from every profile directory, selecting one by its name, planning it against a snapshot,
// and asking for confirmation before a change.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/catalogue.h"
#include "core/plan.h"
#include "core/profile.h"
#include "core/profile_resolve.h"
#include "core/result.h"
#include "core/snapshot.h"

namespace tcptune::cli {

// The administrator's profiles: <system_config_dir()>/profiles.d (/etc/tcptune/profiles.d).
std::string system_profiles_dir();

struct ProfileContext {
  core::Catalogue catalogue;
  core::ProfileSet profiles;
  std::vector<std::string> dirs;  // directories read, in order (later ones replace by name)
};

// The profiles of <data_dir>/profiles, then system_profiles_dir() (if it exists), then each
// extra directory (--profiles DIR), validated against `catalogue`; `dirs` gets the directories
// read, in order.
core::Result<core::ProfileSet> load_profile_set(const std::string& data_dir, const core::Catalogue& catalogue,
                                                const std::vector<std::string>& extra_dirs,
                                                std::vector<std::string>& dirs);

// The catalogue and load_profile_set's profiles.
core::Result<ProfileContext> load_profile_context(const std::vector<std::string>& extra_dirs);

// The profile called `name` (its `name` field, in any profile directory), resolved through its
// includes. Not a profile name, or no such profile: a usage error naming --profile, or, when the
// name came from a file (`where`: tcptune.toml), an error located there.
core::Result<core::ResolvedProfile> select_profile(const core::ProfileSet& profiles, const std::string& name,
                                                   const std::optional<core::SourceLoc>& where = std::nullopt);

// Select + snapshot + plan in one step.
struct Planned {
  core::ResolvedProfile profile;
  core::Snapshot snapshot;
  core::Plan plan;
};
core::Result<Planned> plan_profile(const Globals& g, const ProfileContext& ctx,
                                   const std::string& name, const std::string& snapshot_file);

// "this host", "root DIR" or "snapshot FILE".
std::string source_text(const Globals& g, const std::string& snapshot_file);

// Asks `question` on the terminal. Without --yes on a non-terminal stdin it refuses with an
// error hinting at --yes; a "no" answer is an error too ("cancelled"). Both are usage errors.
core::Status confirm(const std::string& question, bool yes, const std::string& what);

// Renders the sysctl.d file of a plan and checks it against the host's configuration (warnings
// on stderr). `file` empty: /etc/sysctl.d/90-tcptune-NAME.conf under --root, or a later-sorting
// name when that one would be overridden. When `write`, writes it atomically (no symlinks
// followed) and returns the path written; otherwise returns the host path it was checked as.
core::Result<std::string> persist_plan(const Globals& g, const Planned& p, const std::string& file, bool write);

}  // namespace tcptune::cli

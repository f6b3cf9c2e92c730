// Shared by the profile subcommands (profiles, recommend, apply, rollback, generate): loading
// profiles, taking the snapshot a plan needs, rendering plans, and asking for confirmation.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/catalogue.h"
#include "core/plan.h"
#include "core/profile.h"
#include "core/profile_resolve.h"
#include "core/result.h"
#include "core/snapshot.h"

namespace tcptune::cli {

inline constexpr const char* kSystemProfilesDir = "/etc/tcptune/profiles.d";

struct ProfileContext {
  core::Catalogue catalogue;
  core::ProfileSet profiles;
  std::vector<std::string> dirs;  // directories read, in order (later ones replace by name)
};

// Shipped profiles (<data>/profiles), then /etc/tcptune/profiles.d (if it exists), then each
// extra directory (--profiles DIR), validated against the catalogue.
core::Result<ProfileContext> load_profile_context(const std::vector<std::string>& extra_dirs);

// The snapshot a plan of `profile` needs: read from `snapshot_file` when given (offline),
// otherwise collected under g.root (its keys, the inputs of derived defaults, the sysctl.d
// configuration; the census only when asked).
core::Result<core::Snapshot> snapshot_for(const Globals& g, const std::string& snapshot_file,
                                          const std::vector<std::string>& keys, bool census);

// Resolve + snapshot + plan in one step.
struct Planned {
  core::ResolvedProfile profile;
  core::Snapshot snapshot;
  core::Plan plan;
};
core::Result<Planned> plan_profile(const Globals& g, const ProfileContext& ctx,
                                   const std::string& name, const std::string& snapshot_file);

// Text table: one block per key ("KEY  CURRENT -> TARGET" or "already at target"), its reason,
// origin in the include chain and notes; then omitted entries and a summary line.
std::string render_plan_text(const core::Plan& plan, const std::string& source);
nlohmann::json render_plan_json(const core::Plan& plan, const std::string& source);

// "this host", "root DIR" or "snapshot FILE".
std::string source_text(const Globals& g, const std::string& snapshot_file);

// Asks `question` on the terminal. Without --yes on a non-terminal stdin it refuses with an
// error hinting at --yes; a "no" answer is an error too ("cancelled").
core::Status confirm(const std::string& question, bool yes, const std::string& what);

}  // namespace tcptune::cli

namespace tcptune::cli {

// Renders the sysctl.d file of a plan and checks it against the host's configuration (warnings
// on stderr). `file` empty: /etc/sysctl.d/90-tcptune-NAME.conf under --root, or a later-sorting
// name when that one would be overridden. When `write`, writes it atomically (no symlinks
// followed) and returns the path written; otherwise returns the host path it was checked as.
core::Result<std::string> persist_plan(const Globals& g, const Planned& p, const std::string& file, bool write);

// Registration of each profile subcommand (register_profile_commands calls them all).
void register_profiles(CLI::App& app, Globals& g);
void register_recommend(CLI::App& app, Globals& g);
void register_apply(CLI::App& app, Globals& g);  // apply and rollback
void register_generate(CLI::App& app, Globals& g);

}  // namespace tcptune::cli

// Workload profiles: named sets of sysctl targets, each with a one-line reason, that may include
// other profiles (docs/profiles.md). Loading is in profile_loader.h, include resolution in
// profile_resolve.h, and turning a resolved profile into changes against a snapshot in plan.h.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace tcptune::core {

// One target in a profile file.
struct ProfileSetting {
  std::string key;     // canonical key, known to the catalogue
  std::string value;   // sysctl text, whitespace-normalised; empty when kernel_default is set
  std::string reason;  // one line: why this value fits the workload, citing the facts
  // Target is the running kernel's compiled-in default, found when planning from the catalogue
  // and the snapshot's kernel version (listed under `kernel_defaults` in the file).
  bool kernel_default = false;
  // `at_least = true`: the value is a floor for a capacity key. A host already at or above it
  // (for a two-integer range such as ip_local_port_range: one whose range already contains it)
  // keeps its own value; only a smaller value is raised (make_plan).
  bool at_least = false;
  SourceLoc where;     // file:line:col of the setting
  bool operator==(const ProfileSetting&) const = default;
};

struct Profile {
  std::string name;         // unique among loaded profiles; [a-z0-9][a-z0-9-]*
  std::string description;  // the workload it fits
  std::vector<std::string> include;        // profiles applied first, in order
  std::vector<SourceLoc> include_where;    // location of each include entry
  std::vector<ProfileSetting> settings;    // in file order; a key appears at most once
  std::string path;                        // file it was loaded from
  SourceLoc where;                         // location of the name field
  bool operator==(const Profile&) const = default;
};

// Every loaded profile by name. Later sources replace earlier ones of the same name (a user's
// /etc/tcptune/profiles.d/http-short.toml overrides the shipped one); `replaced` says so.
struct ProfileSet {
  std::map<std::string, Profile> profiles;
  std::vector<std::string> replaced;  // "NAME: PATH replaces PATH", in load order
  const Profile* find(const std::string& name) const;
  std::vector<std::string> names() const;  // sorted
};

}  // namespace tcptune::core

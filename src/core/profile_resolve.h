// Include resolution: flattens a profile and everything it includes into one ordered list of
// settings, remembering where each comes from in the include chain.
#pragma once

#include <string>
#include <vector>

#include "core/profile.h"
#include "core/result.h"

namespace tcptune::core {


// A setting after inheritance: the one that wins, and what it overrode.
struct ResolvedProfileSetting {
  ProfileSetting setting;
  std::string origin;              // profile that set the winning value
  std::vector<std::string> chain;  // requested profile -> ... -> origin (include path)
  struct Overridden {
    std::string origin;  // profile whose value lost
    std::string value;   // its value ("kernel default" for kernel_defaults entries)
    bool operator==(const Overridden&) const = default;
  };
  std::vector<Overridden> overridden;  // earlier values, in the order they were applied
  bool operator==(const ResolvedProfileSetting&) const = default;
};

struct ResolvedProfile {
  std::string name;
  std::string description;
  std::string path;
  std::vector<ResolvedProfileSetting> settings;  // in order of first appearance
  std::vector<std::string> applied;              // profiles in application order (each once)
};

// Longest include chain accepted: bounds the resolver's recursion, so a hostile profiles.d
// (thousands of profiles each including the next) is a located error, not a stack overflow.
inline constexpr size_t kMaxIncludeDepth = 32;

// Applies includes depth-first in the order written (each profile at most once), then the
// profile's own settings; a later value for a key replaces an earlier one. Errors: unknown
// profile (with a suggestion; a usage error, as the name is the caller's), unknown include
// (located at the include entry), include cycle (located at the entry that closes it, the chain
// named: "include cycle: a -> b -> a").
Result<ResolvedProfile> resolve_profile(const ProfileSet& set, const std::string& name);

}  // namespace tcptune::core

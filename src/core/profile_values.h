// What a resolved profile sets on one kernel, as the rule language sees it (profile_key,
// profile_value(key)): each key's sysctl text, kernel_defaults entries resolved to the running
// kernel's compiled-in default.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/catalogue.h"
#include "core/kernel_version.h"
#include "core/profile_resolve.h"

namespace tcptune::core {

// key -> sysctl text. A kernel_defaults entry is left out when the kernel is unknown or the
// catalogue has no default for it on that kernel (the rules then see no target for the key).
std::map<std::string, std::string> profile_values(const ResolvedProfile& profile, const Catalogue& catalogue,
                                                  const std::optional<KernelVersion>& kernel);

// The keys the profile sets with `at_least = true`.
std::set<std::string> profile_floors(const ResolvedProfile& profile);

}  // namespace tcptune::core

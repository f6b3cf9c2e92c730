#include "core/profile_values.h"

namespace tcptune::core {

std::map<std::string, std::string> profile_values(const ResolvedProfile& profile, const Catalogue& catalogue,
                                                  const std::optional<KernelVersion>& kernel) {
  std::map<std::string, std::string> wanted;
  for (const auto& resolved : profile.settings) {
    const ProfileSetting& s = resolved.setting;
    if (!s.kernel_default) {
      wanted[s.key] = s.value;
      continue;
    }
    const CatalogueEntry* entry = catalogue.find(s.key);
    if (entry && kernel) {
      if (auto d = entry->default_on(*kernel)) wanted[s.key] = *d;
    }
  }
  return wanted;
}

std::set<std::string> profile_floors(const ResolvedProfile& profile) {
  std::set<std::string> keys;
  for (const auto& resolved : profile.settings) {
    if (resolved.setting.at_least) keys.insert(resolved.setting.key);
  }
  return keys;
}

}  // namespace tcptune::core

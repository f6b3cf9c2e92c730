#include "core/profile.h"

namespace tcptune::core {

const Profile* ProfileSet::find(const std::string& name) const {
  auto it = profiles.find(name);
  return it == profiles.end() ? nullptr : &it->second;
}

std::vector<std::string> ProfileSet::names() const {
  std::vector<std::string> out;
  out.reserve(profiles.size());
  for (const auto& [name, p] : profiles) out.push_back(name);
  return out;
}

}  // namespace tcptune::core

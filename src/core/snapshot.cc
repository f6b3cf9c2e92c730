#include "core/snapshot.h"

namespace tcptune::core {

std::optional<KernelVersion> Snapshot::kernel_version() const {
  if (!kernel_release) return std::nullopt;
  return parse_kernel_version(*kernel_release);
}

const SysctlReading* Snapshot::find(const std::string& key) const {
  auto it = sysctls.find(key);
  return it == sysctls.end() ? nullptr : &it->second;
}

}  // namespace tcptune::core

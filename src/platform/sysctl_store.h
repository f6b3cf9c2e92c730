// Access to kernel sysctls. ProcSysctl reads and writes files under <root>/proc/sys.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/sysctl_value.h"

namespace tcptune::platform {

class SysctlStore {
 public:
  virtual ~SysctlStore() = default;
  // Reads one key (canonical form). ENOENT/ENOTDIR -> absent; other errors -> unreadable(errno).
  virtual core::SysctlReading read(std::string_view key) = 0;
  // Writes the text of a value to one key.
  virtual core::Status write(std::string_view key, std::string_view text) = 0;
};

class ProcSysctl final : public SysctlStore {
 public:
  explicit ProcSysctl(std::string root);
  core::SysctlReading read(std::string_view key) override;
  core::Status write(std::string_view key, std::string_view text) override;
  const std::string& root() const { return root_; }

 private:
  std::string path_of(std::string_view key) const;
  std::string root_;
};

}  // namespace tcptune::platform

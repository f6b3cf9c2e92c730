// Kernel release strings ("6.18.44-fc-v445", "4.9.0-19-amd64") and version comparison.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace tcptune::core {

struct KernelVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  auto operator<=>(const KernelVersion&) const = default;
};

// Parses the leading "X.Y[.Z]" of a release string; nullopt if it does not start that way.
std::optional<KernelVersion> parse_kernel_version(std::string_view release);

// "4.12" or "4.12.3" (the patch level only when non-zero).
std::string version_text(const KernelVersion& v);

}  // namespace tcptune::core

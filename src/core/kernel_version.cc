#include "core/kernel_version.h"

#include <charconv>

#include <fmt/format.h>

namespace tcptune::core {

std::optional<KernelVersion> parse_kernel_version(std::string_view s) {
  int parts[3] = {0, 0, 0};
  size_t i = 0;
  int n = 0;
  for (; n < 3; ++n) {
    const char* b = s.data() + i;
    const char* e = s.data() + s.size();
    int v = 0;
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || ptr == b) break;
    parts[n] = v;
    i = static_cast<size_t>(ptr - s.data());
    if (i >= s.size() || s[i] != '.') { ++n; break; }
    ++i;
  }
  if (n < 2) return std::nullopt;
  return KernelVersion{parts[0], parts[1], parts[2]};
}

std::string version_text(const KernelVersion& v) {
  if (v.patch != 0) return fmt::format("{}.{}.{}", v.major, v.minor, v.patch);
  return fmt::format("{}.{}", v.major, v.minor);
}

}  // namespace tcptune::core

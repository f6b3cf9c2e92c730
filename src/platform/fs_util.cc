#include "platform/fs_util.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace tcptune::platform {

core::Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return core::make_error(path, "cannot open", errno);
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return core::make_error(path, "cannot read", e);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      // Bounded so a hostile or mistaken file (a 100 MiB "rule", /dev/zero) is refused early.
      return core::make_error(path, fmt::format("refusing to read more than {} bytes", max_bytes), EFBIG);
    }
  }
  ::close(fd);
  return out;
}

bool is_contained_path(std::string_view rel) {
  if (rel.empty() || rel.front() == '/') return false;
  size_t start = 0;
  for (;;) {
    const size_t slash = rel.find('/', start);
    const std::string_view part = rel.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string join_root(std::string_view root, std::string_view path) {
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (root == "/") root = {};
  // Appended into one reserved string: `"/" + std::string(...)` inserts at the front, which GCC 12
  // at -O3 misreports as an overlapping copy (-Werror=restrict, GCC bug 105329).
  std::string out;
  out.reserve(root.size() + 1 + path.size());
  out.append(root).append(1, '/').append(path);
  return out;
}

}  // namespace tcptune::platform

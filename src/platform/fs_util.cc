#include "platform/fs_util.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

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
      return core::make_error(path, "file too large", EFBIG);
    }
  }
  ::close(fd);
  return out;
}

std::string join_root(std::string_view root, std::string_view path) {
  std::string r(root);
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (r.empty() || r == "/") return "/" + std::string(path);
  return r + "/" + std::string(path);
}

}  // namespace tcptune::platform

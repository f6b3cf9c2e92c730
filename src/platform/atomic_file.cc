#include "platform/atomic_file.h"

#include <cerrno>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace tcptune::platform {
namespace {

core::Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::make_error(path, "cannot write", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return core::ok_status();
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

core::Status detail::write_file_atomic_named(const std::string& path, std::string_view contents, mode_t mode,
                                             const std::function<std::string()>& temp_name) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    return core::make_error(path, "refusing to replace a symbolic link", 0,
                            "remove the link or choose another output path");
  }
  const std::string dir = dir_of(path);
  std::string tmp;
  int fd = -1;
  // O_EXCL|O_NOFOLLOW: whatever someone planted at a temporary name (a link, another user's
  // file) is left alone and the next name is tried.
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    tmp = temp_name();
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0 && errno != EEXIST) return core::make_error(path, "cannot create temporary file", errno);
  }
  if (fd < 0) return core::make_error(path, "cannot create temporary file", EEXIST);
  // Errors name the target: the temporary file is removed below, the user knows only `path`.
  auto st_write = write_all(fd, contents, path);
  if (st_write && ::fchmod(fd, mode) != 0) st_write = core::make_error(path, "cannot set mode", errno);
  if (st_write && ::fsync(fd) != 0) st_write = core::make_error(path, "cannot fsync", errno);
  if (::close(fd) != 0 && st_write) st_write = core::make_error(path, "cannot close", errno);
  if (!st_write) {
    ::unlink(tmp.c_str());
    return st_write;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return core::make_error(path, "cannot replace file", e);
  }
  // Make the rename itself durable.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return core::ok_status();
}

core::Status write_file_atomic(const std::string& path, std::string_view contents, mode_t mode) {
  // A random name per attempt: a name others could predict could be planted in advance.
  std::random_device rd;
  const std::string prefix = fmt::format("{}/.{}.tmp", dir_of(path), path.substr(path.rfind('/') + 1));
  return detail::write_file_atomic_named(path, contents, mode, [&] { return fmt::format("{}{:08x}", prefix, rd()); });
}

}  // namespace tcptune::platform

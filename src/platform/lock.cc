#include "platform/lock.h"

#include <cerrno>
#include <fcntl.h>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "platform/fs_util.h"

namespace tcptune::platform {
namespace {

core::Status make_dirs(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    const std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return core::make_error(part, "cannot create directory", errno);
    }
  }
  return core::ok_status();
}

}  // namespace

core::Status ensure_state_dir(const std::string& dir) {
  struct stat st{};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return core::make_error(dir, "cannot inspect state directory", errno);
    if (auto s = make_dirs(dir); !s) return s;
    if (::lstat(dir.c_str(), &st) != 0) return core::make_error(dir, "cannot inspect state directory", errno);
  }
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
    return core::make_error(dir, "state directory is not a directory (a symbolic link is refused)", 0,
                            "remove it or pass --state-dir DIR");
  }
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
    return core::make_error(dir, "cannot set mode 0700 on the state directory", errno);
  }
  return core::ok_status();
}

core::Result<StateLock> StateLock::acquire(const std::string& state_dir) {
  const std::string path = state_dir + "/lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return core::make_error(path, "cannot open lock file", errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd);
    if (e != EWOULDBLOCK) return core::make_error(path, "cannot lock", e);
    auto text = read_file(path, 64);
    std::string pid = text ? std::string(*text) : std::string();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return core::make_error(path, fmt::format("another tcptune apply or rollback is running (pid {})",
                                              pid.empty() ? "unknown" : pid),
                            0, "wait for it to finish; the lock is released when that process exits");
  }
  // We hold the lock: record who we are for the next one that asks.
  const std::string me = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    const int e = errno;
    ::close(fd);
    return core::make_error(path, "cannot record the lock holder", e);
  }
  return StateLock(fd);
}

StateLock::StateLock(StateLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

StateLock& StateLock::operator=(StateLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace tcptune::platform

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "core/sysctl_key.h"
#include "platform/fs_util.h"
#include "platform/sysctl_store.h"

namespace tcptune::platform {

ProcSysctl::ProcSysctl(std::string root) : root_(std::move(root)) {}

std::string ProcSysctl::path_of(std::string_view key) const {
  return join_root(root_, "proc/sys/" + core::key_to_proc_path(key));
}

core::SysctlReading ProcSysctl::read(std::string_view key) {
  // Keys come from sysctl.d files too: "net/../../../etc/shadow" must not read outside /proc/sys
  // (and put the file into a snapshot). Found by tests/unit/hostile_input_test.cc.
  if (!is_contained_path(core::key_to_proc_path(key))) return core::SysctlReading::unreadable(EINVAL);
  auto text = read_file(path_of(key), 1u << 20);
  if (!text) {
    const int e = text.error().err;
    // ENOTDIR: a parent component is a file; EISDIR: the key names a directory, not a value.
    if (e == ENOENT || e == ENOTDIR || e == EISDIR) return core::SysctlReading::absent();
    return core::SysctlReading::unreadable(e);
  }
  return core::SysctlReading::of(*text);
}

core::Status ProcSysctl::write(std::string_view key, std::string_view text) {
  if (!is_contained_path(core::key_to_proc_path(key))) {
    return core::make_error(std::string(key), "refusing to write: not a key under /proc/sys", EINVAL);
  }
  const std::string path = path_of(key);
  // O_NOFOLLOW: a /proc/sys entry is never a symlink; refusing links keeps copied trees honest.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_TRUNC);
  if (fd < 0) return core::make_error(std::string(key), "cannot open for writing", errno);
  std::string buf(text);
  buf += '\n';
  const ssize_t n = ::write(fd, buf.data(), buf.size());
  const int e = errno;
  ::close(fd);
  if (n < 0) return core::make_error(std::string(key), "write rejected by the kernel", e);
  if (static_cast<size_t>(n) != buf.size()) return core::make_error(std::string(key), "short write", EIO);
  return core::ok_status();
}

}  // namespace tcptune::platform

#include "platform/file_trust.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace tcptune::platform {
namespace {

std::string mode_text(mode_t m) { return fmt::format("{:04o}", m & 07777); }

// One path (file or directory) judged on its own; `file` is the path being loaded, named in
// the message when `p` is a directory above it.
core::Status judge(const std::string& p, const std::string& file, unsigned euid) {
  struct stat st{};
  if (::stat(p.c_str(), &st) != 0) return core::make_error(p, "cannot check ownership and mode", errno);
  const bool is_dir = S_ISDIR(st.st_mode);
  const std::string what = p == file ? std::string("refusing to load") : fmt::format("refusing to load {}", file);
  const std::string kind = p == file ? "" : (is_dir ? "directory " : "file ");
  // A root-owned sticky directory (/tmp): others may create entries but cannot replace ours.
  const bool sticky_root_dir = is_dir && st.st_uid == 0 && (st.st_mode & S_ISVTX) != 0;
  if (st.st_uid != 0 && st.st_uid != euid) {
    return core::make_error(p, fmt::format("{}: {}owned by uid {}, not root (mode {})", what, kind, st.st_uid,
                                           mode_text(st.st_mode)),
                            0, fmt::format("chown root {}", p));
  }
  if ((st.st_mode & S_IWOTH) != 0 && !sticky_root_dir) {
    return core::make_error(p, fmt::format("{}: {}writable by others (mode {})", what, kind, mode_text(st.st_mode)),
                            0, fmt::format("chmod o-w {}", p));
  }
  if ((st.st_mode & S_IWGRP) != 0 && !sticky_root_dir) {
    return core::make_error(p, fmt::format("{}: {}writable by group (mode {})", what, kind, mode_text(st.st_mode)),
                            0, fmt::format("chmod g-w {}", p));
  }
  return core::ok_status();
}

// `p` and every directory above it, up to "/". Relative paths are made absolute first so the
// working directory and its parents are judged too.
core::Status judge_chain(std::string p, const std::string& file, unsigned euid) {
  if (p.empty() || p.front() != '/') {
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) return core::make_error(file, "cannot resolve the working directory", errno);
    p = std::string(cwd) + "/" + p;
  }
  for (;;) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (auto st = judge(p, file, euid); !st) return st;
    if (p == "/") return core::ok_status();
    const auto slash = p.rfind('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
}

}  // namespace

core::Status check_trusted_for(const std::string& path, unsigned euid) {
  // As written: a symlink anywhere in the chain lives in a directory checked here, so nobody
  // but root can swap it. After resolution: the directories the data really lives in.
  if (auto st = judge_chain(path, path, euid); !st) return st;
  char real[PATH_MAX];
  if (!::realpath(path.c_str(), real)) return core::make_error(path, "cannot resolve path", errno);
  return judge_chain(real, path, euid);
}

core::Status check_trusted(const std::string& path) {
  const uid_t euid = ::geteuid();
  if (euid != 0) return core::ok_status();
  return check_trusted_for(path, euid);
}

}  // namespace tcptune::platform

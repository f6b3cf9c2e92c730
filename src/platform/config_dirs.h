// Reads the persisted sysctl configuration (sysctl.d directories and /etc/sysctl.conf) of the
// system mounted at a root directory, the way systemd-sysctl and procps `sysctl --system` see it.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/sysctl_conf.h"

namespace tcptune::platform {

// Debian 12: systemd 252 built without split-usr does not list /lib/sysctl.d; procps 4.0 does,
// and reads /etc/sysctl.conf last (sysctl.d(5); procps sysctl.c).
core::ConfLayout debian_layout();

class ConfigDirs {
 public:
  // root: "/" for this host, or a directory holding another system's tree.
  explicit ConfigDirs(std::string root, core::ConfLayout layout = debian_layout());

  // Lists *.conf in every directory of the layout plus its procps_conf file, records
  // each as a ConfFile (paths as on the target host, without the root prefix), parses the
  // readable ones and annotates masking and readers. Never fails: missing directories are
  // normal; unreadable files, dangling links and link loops become read_error plus a ConfIssue.
  core::SysctlConfig load() const;

 private:
  std::string root_;
  core::ConfLayout layout_;
};

// Resolves an absolute target-host path inside `root` the way the target would, following
// symlinks (absolute targets are taken relative to root, ".." stops at root, so the result never
// escapes it). Returns the resolved target-host path; "/dev/null" is returned as is without
// looking inside root. Errors: ELOOP after 40 links, ENOENT/ENOTDIR/EACCES from lstat().
core::Result<std::string> resolve_in_root(std::string_view root, std::string_view path);

}  // namespace tcptune::platform

// Trust checks on files that steer what tcptune does as root (rules, profiles, the catalogue,
// configuration), the way sudo treats sudoers and sshd treats authorized_keys: when running as
// root, a file that someone else could have written is refused, not loaded.
#pragma once

#include <string>

#include "core/result.h"

namespace tcptune::platform {

// When the effective uid is 0, refuses `path` if it, or any directory above it (both as
// written and after resolving symlinks), is writable by group or others or owned by a user
// other than root. Root-owned sticky directories such as /tmp are accepted: others cannot
// rename or remove what root put there. Error:
//   tcptune: error: <path>: refusing to load: writable by others (mode 0666)
//   hint: chmod o-w <path>
// or, for a directory above the file,
//   tcptune: error: <dir>: refusing to load <path>: directory writable by group (mode 0775)
// Not running as root: always ok (nobody can make us act with more privilege than theirs).
core::Status check_trusted(const std::string& path);

// The same checks for a process whose effective uid is `euid`: files owned by root or by
// `euid` are trusted. check_trusted() applies it only when geteuid() == 0.
core::Status check_trusted_for(const std::string& path, unsigned euid);

}  // namespace tcptune::platform

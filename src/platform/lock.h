// The state directory (journal and lock of `apply`/`rollback`) and the lock that keeps two of
// them from interleaving.
#pragma once

#include <string>

#include "core/result.h"

namespace tcptune::platform {

inline constexpr const char* kDefaultStateDir = "/var/lib/tcptune";

// Creates the state directory with mode 0700 if missing (parents too), or tightens an existing
// one to 0700. Refuses a symbolic link or a non-directory: the journal must not be redirected.
core::Status ensure_state_dir(const std::string& dir);

// An exclusive flock(2) on <state_dir>/lock, released when the object is destroyed (or when the
// process dies, so a crashed apply never leaves a stale lock). The holder's pid is written into
// the file so that a second apply can say who holds it.
class StateLock {
 public:
  // Non-blocking: if another process holds the lock, the error names its pid.
  static core::Result<StateLock> acquire(const std::string& state_dir);
  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&& other) noexcept;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace tcptune::platform

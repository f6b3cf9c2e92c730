// A private tracefs instance (instances/tcptune-<pid namespace>-<pid>): the only place tcptune enables events or
// sizes a buffer, so the top-level buffer and every global tracing setting stay as they were
// (Documentation/trace/ftrace.rst, "Instances"). The instance is removed on every exit path: by
// the destructor, and by a handler for SIGINT, SIGTERM and SIGHUP that removes it and then lets
// the signal do what it would have done.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace tcptune::platform {

// Where tracefs is: /sys/kernel/tracing, else /sys/kernel/debug/tracing. When neither is
// mounted, the process moves into a private mount namespace (unshare CLONE_NEWNS, everything
// made private) and mounts tracefs at /sys/kernel/tracing there, so the host's mount table is
// never changed. Errors keep errno (EPERM without CAP_SYS_ADMIN, ENODEV without tracefs).
core::Result<std::string> find_tracefs(bool* mounted_privately);

// This process's pid namespace: the inode readlink /proc/self/ns/pid shows; 0 if unreadable.
uint64_t pid_namespace();
// "tcptune-<pid namespace>-<pid>": instances are named by both, because tracefs is shared by
// every pid namespace that mounts it and a pid means something only in its own namespace.
std::string instance_name(uint64_t pid_ns, long pid);

// Removes the instances of this pid namespace whose tcptune process is gone (a run that was
// killed), and old-style instances/tcptune-<pid>; instances of other pid namespaces are left
// alone. Returns one message per instance removed or that could not be removed.
std::vector<std::string> remove_stale_instances(const std::string& tracefs);

class TraceInstance {
 public:
  // Creates instances/tcptune-<pid namespace>-<getpid()> with a per-CPU buffer of buffer_kb.
  static core::Result<TraceInstance> create(const std::string& tracefs, uint32_t buffer_kb);
  TraceInstance(TraceInstance&& other) noexcept;
  TraceInstance& operator=(TraceInstance&&) = delete;
  TraceInstance(const TraceInstance&) = delete;
  ~TraceInstance();

  const std::string& path() const { return path_; }
  // Enables events/<system>/<event> in this instance, with a filter when not empty.
  core::Status enable(const std::string& system, const std::string& event, const std::string& filter = "");
  // Opens trace_pipe non-blocking; read_pipe() then returns what is buffered (may be empty).
  core::Status open_pipe();
  core::Result<std::string> read_pipe();
  // Events lost to a full buffer: "overrun" plus "dropped events" of every per_cpu/cpu*/stats.
  uint64_t lost_events() const;
  // Disables the instance's events, closes the pipe and removes the directory (idempotent).
  core::Status remove();

 private:
  explicit TraceInstance(std::string path) : path_(std::move(path)) {}
  std::string path_;
  int pipe_fd_ = -1;
};

}  // namespace tcptune::platform

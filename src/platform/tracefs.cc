#include "platform/tracefs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "platform/fs_util.h"

namespace tcptune::platform {
namespace {

constexpr const char* kPrefix = "tcptune-";
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

// What the signal handler needs, in storage it may touch (rmdir and close are async-signal-safe).
char g_path[512];
volatile sig_atomic_t g_active = 0;
volatile sig_atomic_t g_pipe_fd = -1;
struct sigaction g_previous[3];
sigset_t g_unblocked;

void block_signals() {
  sigset_t block;
  sigemptyset(&block);
  for (int sig : kSignals) sigaddset(&block, sig);
  ::sigprocmask(SIG_BLOCK, &block, nullptr);
}

extern "C" void remove_on_signal(int sig) {
  const int fd = g_pipe_fd;
  if (fd >= 0) ::close(fd);
  if (g_active) ::rmdir(g_path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);  // delivered with the default action once the handler returns
}

void arm(const std::string& path) {
  std::snprintf(g_path, sizeof g_path, "%s", path.c_str());
  g_active = 1;
  struct sigaction sa {};
  sa.sa_handler = remove_on_signal;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &g_previous[i]);
}

void disarm() {
  g_active = 0;
  for (size_t i = 0; i < 3; ++i) ::sigaction(kSignals[i], &g_previous[i], nullptr);
}

bool has_instances(const std::string& dir) {
  struct stat st {};
  return ::stat((dir + "/instances").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

core::Status write_text(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return core::make_error(path, "cannot open", errno);
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) return core::make_error(path, "cannot write", n < 0 ? err : EIO);
  return core::ok_status();
}

// True when process `pid` still exists and is a tcptune.
bool owner_alive(const std::string& pid) {
  auto comm = read_file("/proc/" + pid + "/comm", 64);
  return comm && comm->rfind("tcptune", 0) == 0;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

core::Result<std::string> find_tracefs(bool* mounted_privately) {
  *mounted_privately = false;
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    if (has_instances(dir)) return std::string(dir);
  }
  const std::string target = "/sys/kernel/tracing";
  if (::unshare(CLONE_NEWNS) != 0) {
    return core::make_error("tracefs", "not mounted, and no private mount namespace to mount it in", errno);
  }
  // Nothing mounted from here on propagates back to the host's mount namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return core::make_error("tracefs", "cannot make the private mount namespace private", errno);
  }
  if (::mount("nodev", target.c_str(), "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    return core::make_error(target, "cannot mount tracefs", errno);
  }
  *mounted_privately = true;
  return target;
}

uint64_t pid_namespace() {
  char link[64];
  const ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof link - 1);
  if (n <= 0) return 0;
  link[n] = '\0';
  unsigned long long ino = 0;
  return std::sscanf(link, "pid:[%llu]", &ino) == 1 ? ino : 0;
}

std::string instance_name(uint64_t pid_ns, long pid) { return fmt::format("{}{}-{}", kPrefix, pid_ns, pid); }

std::vector<std::string> remove_stale_instances(const std::string& tracefs) {
  std::vector<std::string> messages;
  const std::string dir = tracefs + "/instances";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return messages;
  const std::string own_ns = std::to_string(pid_namespace());
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.rfind(kPrefix, 0) != 0) continue;
    const std::string rest = name.substr(std::strlen(kPrefix));
    // tcptune-<pid namespace>-<pid>; tcptune-<pid> from versions before the namespace was named.
    const size_t dash = rest.find('-');
    const std::string ns = dash == std::string::npos ? own_ns : rest.substr(0, dash);
    const std::string pid = dash == std::string::npos ? rest : rest.substr(dash + 1);
    if (!all_digits(ns) || !all_digits(pid)) continue;
    // A run in another pid namespace (a container sharing the host's tracefs) has pids this
    // process cannot look up: its instance is left alone, live or not.
    if (ns != own_ns) continue;
    if (pid == std::to_string(::getpid()) || owner_alive(pid)) continue;
    if (::rmdir((dir + "/" + name).c_str()) == 0) {
      messages.push_back(fmt::format("removed the trace instance {}/{} left by a tcptune run that was killed", dir, name));
    } else {
      messages.push_back(fmt::format("cannot remove the stale trace instance {}/{}: {}", dir, name, std::strerror(errno)));
    }
  }
  ::closedir(d);
  return messages;
}

core::Result<TraceInstance> TraceInstance::create(const std::string& tracefs, uint32_t buffer_kb) {
  const std::string path = tracefs + "/instances/" + instance_name(pid_namespace(), ::getpid());
  // No signal may end the process between the mkdir and the handler that removes it.
  sigset_t block;
  sigset_t previous;
  sigemptyset(&block);
  for (int sig : kSignals) sigaddset(&block, sig);
  ::sigprocmask(SIG_BLOCK, &block, &previous);
  if (::mkdir(path.c_str(), 0700) != 0) {
    const int err = errno;
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    return core::make_error(path, "cannot create the trace instance", err);
  }
  arm(path);
  // They stay blocked while instance files are open (an open file makes rmdir fail with EBUSY)
  // and are let through once only the pipe is open, which the handler closes first.
  g_unblocked = previous;
  TraceInstance inst(path);
  if (auto st = write_text(path + "/buffer_size_kb", std::to_string(buffer_kb)); !st) return st.error();
  return inst;
}

TraceInstance::TraceInstance(TraceInstance&& other) noexcept : path_(std::move(other.path_)), pipe_fd_(other.pipe_fd_) {
  other.path_.clear();
  other.pipe_fd_ = -1;
}

TraceInstance::~TraceInstance() { (void)remove(); }

core::Status TraceInstance::enable(const std::string& system, const std::string& event, const std::string& filter) {
  const std::string dir = fmt::format("{}/events/{}/{}", path_, system, event);
  if (!filter.empty()) {
    if (auto st = write_text(dir + "/filter", filter); !st) return st;
  }
  return write_text(dir + "/enable", "1");
}

core::Status TraceInstance::open_pipe() {
  const std::string p = path_ + "/trace_pipe";
  pipe_fd_ = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (pipe_fd_ < 0) return core::make_error(p, "cannot open", errno);
  g_pipe_fd = pipe_fd_;
  ::sigprocmask(SIG_SETMASK, &g_unblocked, nullptr);
  return core::ok_status();
}

core::Result<std::string> TraceInstance::read_pipe() {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(pipe_fd_, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return core::make_error(path_ + "/trace_pipe", "cannot read", errno);
    return out;
  }
}

uint64_t TraceInstance::lost_events() const {
  block_signals();  // until remove()
  uint64_t lost = 0;
  for (long cpu = 0; cpu < ::sysconf(_SC_NPROCESSORS_CONF); ++cpu) {
    auto text = read_file(fmt::format("{}/per_cpu/cpu{}/stats", path_, cpu), 1u << 16);
    if (!text) continue;
    for (const char* key : {"overrun: ", "dropped events: "}) {
      const size_t at = text->find(key);
      if (at != std::string::npos) lost += std::strtoull(text->c_str() + at + std::strlen(key), nullptr, 10);
    }
  }
  return lost;
}

core::Status TraceInstance::remove() {
  if (path_.empty()) return core::ok_status();
  if (pipe_fd_ >= 0) {
    g_pipe_fd = -1;
    ::close(pipe_fd_);
    pipe_fd_ = -1;
  }
  const std::string path = std::move(path_);
  path_.clear();
  const int rc = ::rmdir(path.c_str());
  const int err = errno;
  disarm();
  ::sigprocmask(SIG_SETMASK, &g_unblocked, nullptr);
  if (rc != 0) return core::make_error(path, "cannot remove the trace instance", err);
  return core::ok_status();
}

}  // namespace tcptune::platform

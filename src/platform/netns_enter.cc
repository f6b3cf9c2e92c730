// Reading inside another network namespace. /proc/sys/net shows the namespace of the task that
// opens the file and /proc/net (a link to /proc/self/net) that of the reading task
// (fs/proc/proc_net.c, net/sysctl_net.c net_ctl_header_lookup()), and a sock_diag socket
// belongs to the namespace it was created in. So a forked child (one thread: setns(2) moves only
// the calling thread) enters the namespace, opens everything there and writes its result to a
// pipe. The parent never changes namespace, so nothing leaks into the rest of the run. One fork
// per namespace rather than one child hopping through setns: a fresh task has no cached
// /proc/self/net dentries of an earlier namespace, and a failing namespace cannot spoil the next.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include <fmt/format.h>

#include "core/snapshot_json.h"
#include "platform/counters.h"
#include "platform/netns.h"
#include "platform/sock_diag.h"
#include "platform/sysctl_store.h"

namespace tcptune::platform {
namespace {

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

// Child side: "O<text>" on success, "E<errno>\n<object>\n<what>" on failure. _exit skips the
// parent's atexit handlers and stdio buffers, which the child shares after fork().
[[noreturn]] void child_main(int wfd, const core::NetnsInfo& ns, const std::function<core::Result<std::string>()>& work) {
  auto fail = [&](const core::Error& e) {
    write_all(wfd, fmt::format("E{}\n{}\n{}", e.err, e.object, e.what));
    ::_exit(1);
  };
  const int fd = ::open(ns.open_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(core::make_error(ns.open_path, "cannot open the network namespace", errno));
  if (::setns(fd, CLONE_NEWNET) != 0) fail(core::make_error(ns.open_path, "cannot enter the network namespace", errno));
  ::close(fd);
  auto r = work();
  if (!r) fail(r.error());
  write_all(wfd, "O");
  write_all(wfd, *r);
  ::_exit(0);
}

struct Child {
  pid_t pid = -1;
  int rfd = -1;
};

core::Result<Child> start_child(const core::NetnsInfo& ns, const std::function<core::Result<std::string>()>& work) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return core::make_error("pipe", "cannot create", errno);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return core::make_error("fork", "cannot start a namespace reader", e);
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], ns, work);
  }
  ::close(fds[1]);
  return Child{pid, fds[0]};
}

core::Result<std::string> finish_child(const Child& c, const core::NetnsInfo& ns) {
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(c.rfd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(c.rfd);
  int status = 0;
  while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!text.empty() && text[0] == 'O' && WIFEXITED(status) && WEXITSTATUS(status) == 0) return text.substr(1);
  if (!text.empty() && text[0] == 'E') {
    const size_t a = text.find('\n');
    const size_t b = a == std::string::npos ? a : text.find('\n', a + 1);
    if (b != std::string::npos)
      return core::make_error(text.substr(a + 1, b - a - 1), text.substr(b + 1), std::atoi(text.c_str() + 1));
  }
  return core::make_error(fmt::format("network namespace {}", ns.inode), "the namespace reader died", 0);
}

// The snapshot part that belongs to a namespace, read from inside it.
core::Result<std::string> read_namespace(const NetnsCollectOptions& opts) {
  core::Snapshot s;
  s.tool_version = TCPTUNE_VERSION;
  s.root = '/';  // a char: assigning "/" is misreported by GCC 12 at -O3 (-Wrestrict, GCC bug 105329)
  char link[64];
  const ssize_t n = ::readlink("/proc/self/ns/net", link, sizeof link - 1);
  unsigned long long ino = 0;
  if (n > 0 && std::sscanf(std::string(link, static_cast<size_t>(n)).c_str(), "net:[%llu]", &ino) == 1) s.netns.inode = ino;
  ProcSysctl store("/");
  for (const auto& k : opts.keys) {
    auto r = store.read(k);
    if (r.state == core::SysctlReading::State::kUnreadable)
      s.gaps.push_back({fmt::format("sysctl {}", k), std::strerror(r.err)});
    s.sysctls.emplace(k, std::move(r));
  }
  if (opts.census) {
    CensusOptions co;
    co.by_port = true;
    co.by_remote = true;
    if (auto c = take_census(co)) s.census = std::move(*c);
    else s.gaps.push_back({"socket census", c.error().summary()});
    if (auto c = read_counters("/")) s.counters = std::move(*c);
    else s.gaps.push_back({"TCP counters", c.error().summary()});
  }
  return core::snapshot_to_json(s).dump();
}

}  // namespace

core::Result<std::string> run_in_netns(const core::NetnsInfo& ns, const std::function<core::Result<std::string>()>& work) {
  auto c = start_child(ns, work);
  if (!c) return c.error();
  return finish_child(*c, ns);
}

std::vector<core::Result<core::Snapshot>> collect_in_netns(const std::vector<core::NetnsInfo>& spaces,
                                                           const NetnsCollectOptions& opts) {
  std::vector<core::Result<core::Snapshot>> out(spaces.size(), core::make_error("", ""));
  const std::function<core::Result<std::string>()> work = [&opts] { return read_namespace(opts); };
  std::deque<std::pair<size_t, Child>> running;
  auto drain_one = [&] {
    auto [i, c] = running.front();
    running.pop_front();
    auto text = finish_child(c, spaces[i]);
    if (!text) out[i] = text.error();
    else out[i] = core::snapshot_from_text(*text, fmt::format("network namespace {}", spaces[i].inode));
  };
  for (size_t i = 0; i < spaces.size(); ++i) {
    if (running.size() >= std::max<size_t>(1, opts.parallel)) drain_one();
    auto c = start_child(spaces[i], work);
    if (!c) out[i] = c.error();
    else running.emplace_back(i, *c);
  }
  while (!running.empty()) drain_one();
  return out;
}

}  // namespace tcptune::platform

#include "netns_child.h"

#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "platform/sysctl_store.h"

namespace tcptune::testing {
namespace {
constexpr int kSkipStatus = 77;
}  // namespace

ChildResult in_namespaces(int flags, const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return {false, "pipe failed"};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::unshare(flags) != 0) ::_exit(kSkipStatus);
    if ((flags & CLONE_NEWNS) && ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(kSkipStatus);
    const std::string report = body();
    if (!report.empty() && ::write(fds[1], report.data(), report.size()) < 0) ::_exit(2);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == kSkipStatus) return {true, {}};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) report += fmt::format("child ended with status {}", status);
  return {false, report};
}

std::map<std::string, std::string> namespace_tcp_values() {
  std::map<std::string, std::string> out;
  platform::ProcSysctl proc("/");
  if (DIR* d = ::opendir("/proc/sys/net/ipv4")) {
    while (const dirent* e = ::readdir(d)) {
      if (e->d_type != DT_REG) continue;
      const std::string key = std::string("net.ipv4.") + e->d_name;
      const auto r = proc.read(key);
      if (r.has_value()) out[key] = r.value.text;
    }
    ::closedir(d);
  }
  out["net.core.somaxconn"] = proc.read("net.core.somaxconn").value.text;
  return out;
}

std::string value_changes(const std::map<std::string, std::string>& before,
                          const std::map<std::string, std::string>& after) {
  std::string out;
  for (const auto& [k, v] : before) {
    auto it = after.find(k);
    if (it == after.end() || it->second != v) {
      out += fmt::format("{}: {} became {}\n", k, v, it == after.end() ? "(missing)" : it->second);
    }
  }
  return out;
}

}  // namespace tcptune::testing

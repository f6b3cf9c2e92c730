// tcptune trace and audit --trace on the running kernel: each cause of a TCP reset reproduced in
// a fresh network namespace (tests/helpers/resethelper.cc) and attributed exactly; the private
// trace instance is gone after every exit path, and the top-level tracing state and the mount
// table are unchanged. Needs root; skips with a reason otherwise.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "netns_child.h"

#ifdef TCPTUNE_RESETHELPER

namespace {

using nlohmann::json;
using tcptune::testing::in_namespaces;

std::string shell(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  return out;
}

// The top-level tracing state and the instance list, read through a tracefs mount of a
// throw-away mount namespace (the host has none mounted, and this one leaves none behind).
std::string tracing_state() {
  return shell("unshare -m --propagation private sh -c 'mount -t tracefs nodev /sys/kernel/tracing && cd "
               "/sys/kernel/tracing && for f in tracing_on current_tracer set_event buffer_size_kb trace_options "
               "trace_clock tracing_cpumask set_event_pid; do echo \"== $f\"; cat $f; done' 2>&1");
}

std::string instances() {
  return shell("unshare -m --propagation private sh -c 'mount -t tracefs nodev /sys/kernel/tracing && ls "
               "/sys/kernel/tracing/instances' 2>&1");
}

// The instance a tcptune of this pid namespace names after itself: tcptune-<pid ns>-<pid>.
std::string instance_of(pid_t pid) {
  char link[64] = {};
  const ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof link - 1);
  unsigned long long ns = 0;
  if (n > 0) std::sscanf(link, "pid:[%llu]", &ns);
  return fmt::format("tcptune-{}-{}", ns, pid);
}

bool has_named(const std::string& wanted) {
  std::istringstream in(instances());
  std::string name;
  while (in >> name) {
    if (name == wanted) return true;
  }
  return false;
}

bool has_instance(pid_t pid) { return has_named(instance_of(pid)); }

// The mounts tcptune could leave behind (tracefs, debugfs, anything under /sys). Not the whole
// table: concurrent tests legitimately add nsfs mounts under /run/netns (ip netns add).
std::string mounts() {
  return shell("cut -d' ' -f5,9 /proc/self/mountinfo | awk '$2 == \"tracefs\" || $2 == \"debugfs\" || $1 ~ /^\\/sys/' | sort");
}

pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd = 2) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::setenv("TCPTUNE_DATADIR", TCPTUNE_SOURCE_DIR, 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// One `tcptune trace --seconds 1` run to its end: its pid, exit status and stderr.
struct ShortTrace {
  pid_t pid = -1;
  int status = -1;
  std::string err;
};
ShortTrace short_trace() {
  ShortTrace t;
  int ep[2];
  if (::pipe(ep) != 0) {
    t.err = "pipe failed";
    return t;
  }
  const int devnull = ::open("/dev/null", O_WRONLY);
  t.pid = spawn({TCPTUNE_BINARY, "trace", "--seconds", "1"}, devnull, ep[1]);
  ::close(ep[1]);
  char buf[1024];
  ssize_t n;
  while ((n = ::read(ep[0], buf, sizeof buf)) > 0) t.err.append(buf, static_cast<size_t>(n));
  ::close(ep[0]);
  ::close(devnull);
  t.status = wait_exit(t.pid);
  return t;
}

// The instance exists and every event it enables is on (send, receive, set_state, then
// sys_exit_connect): the directory alone appears before any event is enabled, and under load
// resets made in that gap were missed.
bool instance_ready(pid_t pid) {
  const std::string dir = fmt::format("/sys/kernel/tracing/instances/{}/events", instance_of(pid));
  // Each event this kernel has (an older one may lack one) must read 1.
  const std::string states =
      shell("unshare -m --propagation private sh -c 'mount -t tracefs nodev /sys/kernel/tracing && [ -d " + dir +
            " ] && for e in tcp/tcp_send_reset tcp/tcp_receive_reset sock/inet_sock_set_state syscalls/sys_exit_connect; do [ -e " + dir +
            "/$e/enable ] && cat " + dir + "/$e/enable; done' 2>/dev/null");
  return !states.empty() && states.find('0') == std::string::npos;
}

bool wait_for_ready(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    if (instance_ready(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string read_fd_line(FILE* f) {
  char buf[256] = {};
  return std::fgets(buf, sizeof buf, f) ? std::string(buf) : std::string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// In a fresh network namespace: the helper listens, tcptune starts tracing, the helper makes
// its resets, tcptune ends. Returns tcptune's exit code, output and the helper's port and pid.
struct ScenarioRun {
  int exit_code = -1;
  std::string out;
  std::string port;
  std::string helper_pid;
  std::string problem;
};

ScenarioRun run_scenario(const std::string& mode, int count, std::vector<std::string> tcptune_args) {
  ScenarioRun r;
  int hp[2];
  if (::pipe(hp) != 0) return r;
  const pid_t helper = spawn({TCPTUNE_RESETHELPER, mode, "127.0.0.1", std::to_string(count)}, hp[1]);
  ::close(hp[1]);
  FILE* from_helper = ::fdopen(hp[0], "r");
  const std::string first = read_fd_line(from_helper);
  if (std::sscanf(first.c_str(), "port=%*u pid=%*d") != 0 || first.find("port=") != 0) r.problem = "helper: " + first;
  r.port = first.substr(5, first.find(' ') - 5);
  r.helper_pid = std::to_string(helper);
  char out_path[] = "/tmp/tcptune-trace-XXXXXX";
  const int out_fd = ::mkstemp(out_path);
  tcptune_args.insert(tcptune_args.begin(), TCPTUNE_BINARY);
  const pid_t tt = spawn(tcptune_args, out_fd);
  if (!wait_for_ready(tt)) r.problem += "no trace instance with its events enabled appeared; ";
  ::kill(helper, SIGUSR1);
  if (read_fd_line(from_helper) != "done\n") r.problem += "helper did not finish; ";
  r.exit_code = wait_exit(tt);
  ::kill(helper, SIGTERM);
  wait_exit(helper);
  std::fclose(from_helper);
  ::close(out_fd);
  r.out = slurp(out_path);
  ::unlink(out_path);
  if (has_instance(tt)) r.problem += "the instance remained; ";
  return r;
}

// "direction reason :port owner pid count" lines of a trace JSON, sorted, with the helper's
// port and pid replaced by PORT and PID and any other port by EPH (the clients' ephemeral ports).
std::string groups_text(const ScenarioRun& r, const json& j) {
  if (!j.is_object()) return "not JSON: " + r.out;
  std::map<std::string, uint64_t> lines;
  for (const auto& g : j["groups"]) {
    std::string port = std::to_string(g["port"].get<int>());
    if (port == r.port) {
      port = "PORT";
    } else if (!r.port.empty() && port == std::to_string(std::stoi(r.port) + 1)) {
      port = "PORT+1";
    } else {
      port = "EPH";
    }
    std::string pid = std::to_string(g["pid"].get<int>());
    if (pid == r.helper_pid) pid = "PID";
    lines[fmt::format("{} {} :{} {} {}", g["direction"].get<std::string>(), g["reason"].get<std::string>(), port,
                      g["command"].get<std::string>(), pid)] += g["count"].get<uint64_t>();
  }
  std::string text;
  for (const auto& [line, n] : lines) text += fmt::format("{} {}\n", line, n);
  return text;
}

std::string skip_reason() {
  if (::geteuid() != 0) return "needs root (network namespaces and tracefs)";
  if (std::system("unshare -n true >/dev/null 2>&1") != 0) return "cannot create a network namespace here";
  if (shell("unshare -m --propagation private sh -c 'mount -t tracefs nodev /sys/kernel/tracing && ls "
            "/sys/kernel/tracing/events/tcp/tcp_send_reset/format' 2>/dev/null").empty()) {
    return "tracefs or tcp:tcp_send_reset unavailable";
  }
  return {};
}

#define SKIP_UNLESS_TRACE()                \
  do {                                     \
    const std::string why = skip_reason(); \
    if (!why.empty()) GTEST_SKIP() << why; \
  } while (0)

// One cause in its own namespace: the groups it was attributed to, then any problem with the
// run or with the tracing state and mount table it must leave as they were.
std::string trace_cause(const std::string& mode, int count, const std::string& seconds = "2") {
  auto child = in_namespaces(CLONE_NEWNET, [&] {
    const std::string before = tracing_state();
    const std::string mounts_before = mounts();
    ScenarioRun r = run_scenario(mode, count, {"trace", "--seconds", seconds, "--format", "json"});
    const json j = json::parse(r.out, nullptr, false);
    std::string text = r.problem + groups_text(r, j);
    if (tracing_state() != before) text += "top-level tracing state changed\n";
    if (mounts() != mounts_before) text += "the mount table changed\n";
    if (r.exit_code != 0) text += fmt::format("exit {}\n", r.exit_code);
    return text;
  });
  return child.skipped ? "skipped" : child.report;
}

// A client's socket reset within microseconds of its connect() is gone before any census can
// name its owner: received resets of such connections have owner 0 (stated, not guessed).
// On 6.18, close() with SO_LINGER {1, 0} reports TCP_STATE (tcp_disconnect()), not ABORT_ON_DATA.
TEST(TraceNetns, LingerZeroCloseIsSentByTheServerPortAndReceivedByEachClient) {
  SKIP_UNLESS_TRACE();
  EXPECT_EQ(trace_cause("linger", 4),
            "received  :EPH  0 4\n"
            "sent TCP_STATE :PORT resethelper PID 4\n");
}

TEST(TraceNetns, CloseWithUnreadDataIsAbortOnClose) {
  SKIP_UNLESS_TRACE();
  EXPECT_EQ(trace_cause("unread", 3),
            "received  :EPH  0 3\n"
            "sent TCP_ABORT_ON_CLOSE :PORT resethelper PID 3\n");
}

TEST(TraceNetns, NegativeLinger2IsAbortOnLinger) {
  SKIP_UNLESS_TRACE();
  EXPECT_EQ(trace_cause("linger2", 3),
            "received  :EPH  0 3\n"
            "sent TCP_ABORT_ON_LINGER :PORT resethelper PID 3\n");
}

// The port has no socket, so no owner; the client's connect() fails with the reset.
TEST(TraceNetns, ConnectionToAPortWithNoListenerIsNoSocket) {
  SKIP_UNLESS_TRACE();
  EXPECT_EQ(trace_cause("noport", 3),
            "received  :EPH  0 3\n"
            "sent NO_SOCKET :PORT+1  0 3\n");
}

// The client's connection lived long enough for a census to name its owner.
TEST(TraceNetns, AReceivedResetNamesTheLocalSocketsProcess) {
  SKIP_UNLESS_TRACE();
  EXPECT_EQ(trace_cause("received", 1, "4"),
            "received  :EPH resethelper PID 1\n"
            "sent TCP_STATE :PORT resethelper PID 1\n");
}

TEST(TraceNetns, AQuietNamespaceHasNoResets) {
  SKIP_UNLESS_TRACE();
  EXPECT_EQ(trace_cause("linger", 0), "");
}

// tcptune trace in its own namespace, ended by `end` once its instance exists; returns what
// went wrong ("" when the instance is gone and the tracing state and mounts are as before).
std::string ended_by(int sig, int expected_exit) {
  auto child = in_namespaces(CLONE_NEWNET, [&] {
    const std::string before = tracing_state();
    const std::string mounts_before = mounts();
    const int devnull = ::open("/dev/null", O_WRONLY);
    const pid_t tt = spawn({TCPTUNE_BINARY, "trace", "--seconds", "60"}, devnull, devnull);
    std::string text;
    if (!wait_for_ready(tt)) text += "no trace instance appeared\n";
    ::kill(tt, sig);
    const int code = wait_exit(tt);
    if (code != expected_exit) text += fmt::format("exit {}\n", code);
    if (has_instance(tt)) text += "the instance remained\n";
    if (tracing_state() != before) text += "top-level tracing state changed\n";
    if (mounts() != mounts_before) text += "the mount table changed\n";
    ::close(devnull);
    return text;
  });
  return child.skipped ? "skipped" : child.report;
}

TEST(TraceCleanup, SigintSigtermAndSighupRemoveTheInstance) {
  SKIP_UNLESS_TRACE();
  EXPECT_EQ(ended_by(SIGINT, 128 + SIGINT), "");
  EXPECT_EQ(ended_by(SIGTERM, 128 + SIGTERM), "");
  EXPECT_EQ(ended_by(SIGHUP, 128 + SIGHUP), "");
}

// An error after the trace (an output file that cannot be written) still leaves nothing behind.
TEST(TraceCleanup, AnErrorExitRemovesTheInstance) {
  SKIP_UNLESS_TRACE();
  auto child = in_namespaces(CLONE_NEWNET, [&] {
    const std::string before = tracing_state();
    ScenarioRun r = run_scenario("linger", 1, {"trace", "--seconds", "1", "-o", "/nonexistent/dir/out.json"});
    std::string text = r.problem;
    if (r.exit_code != 3) text += fmt::format("exit {}\n", r.exit_code);
    if (tracing_state() != before) text += "top-level tracing state changed\n";
    return text;
  });
  EXPECT_EQ(child.report, "");
}

// SIGKILL cannot be caught: the instance stays, and the next run removes it and says so.
TEST(TraceCleanup, TheRunAfterASigkillRemovesTheStaleInstance) {
  SKIP_UNLESS_TRACE();
  auto child = in_namespaces(CLONE_NEWNET, [&] {
    const int devnull = ::open("/dev/null", O_WRONLY);
    const pid_t killed = spawn({TCPTUNE_BINARY, "trace", "--seconds", "60"}, devnull, devnull);
    std::string text;
    if (!wait_for_ready(killed)) text += "no trace instance appeared\n";
    ::kill(killed, SIGKILL);
    wait_exit(killed);
    if (!has_instance(killed)) text += "the killed run's instance is already gone\n";
    const ShortTrace next = short_trace();
    const std::string& err = next.err;
    if (next.status != 0) text += "the next run failed\n";
    const std::string expected = fmt::format(
        "tcptune: removed the trace instance /sys/kernel/tracing/instances/{} left by a tcptune run that "
        "was killed\n", instance_of(killed));
    if (err != expected) text += "stderr: " + err;
    if (has_instance(killed) || has_instance(next.pid)) text += "an instance remained\n";
    ::close(devnull);
    return text;
  });
  EXPECT_EQ(child.report, "");
}

// tracefs is shared by every pid namespace that mounts it, and a pid means something only in its
// own: an instance named for another pid namespace is left alone even when no process here has
// its pid, while an old-style tcptune-<pid> of a dead process is removed as before.
TEST(TraceCleanup, InstancesOfOtherPidNamespacesAreLeftAlone) {
  SKIP_UNLESS_TRACE();
  auto child = in_namespaces(CLONE_NEWNET, [&] {
    const std::string other = "tcptune-1-4194300", legacy = "tcptune-4194301";
    const auto tracefs = [](const std::string& verb, const std::string& name) {
      return shell(fmt::format("unshare -m --propagation private sh -c 'mount -t tracefs nodev /sys/kernel/tracing && "
                               "{} /sys/kernel/tracing/instances/{}' 2>&1", verb, name));
    };
    std::string text = tracefs("mkdir", other) + tracefs("mkdir", legacy);
    const ShortTrace run = short_trace();
    const std::string& err = run.err;
    if (run.status != 0) text += "the run failed\n";
    if (!has_named(other)) text += "the other pid namespace's instance was removed\n";
    if (has_named(legacy)) text += "the dead old-style instance remained\n";
    if (err.find("instances/" + legacy + " left by a tcptune run that was killed") == std::string::npos ||
        err.find(other) != std::string::npos)
      text += "stderr: " + err;
    tracefs("rmdir", other);
    tracefs("rmdir", legacy);
    return text;
  });
  EXPECT_EQ(child.report, "");
}

// The "done when": half the connections aborted with SO_LINGER {1, 0}, half closed with
// unread data; audit --trace names the port, the process and both causes with their shares.
TEST(TraceAudit, MixedAbortsGiveAWarningNamingPortProcessAndBothCauses) {
  SKIP_UNLESS_TRACE();
  auto child = in_namespaces(CLONE_NEWNET, [&] {
    const std::string before = tracing_state();
    ScenarioRun r = run_scenario("mixed", 10, {"audit", "--trace", "3", "--format", "json"});
    const json j = json::parse(r.out, nullptr, false);
    std::string text = r.problem;
    if (!j.is_object()) return text + "not JSON: " + r.out;
    for (const auto& f : j["findings"]) {
      if (f["id"] != "TT-RESET-TRACE-001") continue;
      std::string m = f["message"].get<std::string>();
      for (const auto& [from, to] : {std::pair{":" + r.port + " ", std::string(":PORT ")},
                                     std::pair{"pid " + r.helper_pid + ")", std::string("pid PID)")}}) {
        for (size_t at = m.find(from); at != std::string::npos; at = m.find(from)) m.replace(at, from.size(), to);
      }
      text += f["severity"].get<std::string>() + ": " + m + "\n";
    }
    if (tracing_state() != before) text += "top-level tracing state changed\n";
    return text;
  });
  EXPECT_EQ(child.report,
            "warning: 100% of the 10 resets sent from :PORT by resethelper (pid PID) are application aborts, by the "
            "kernel's own reasons: 50% TCP_ABORT_ON_CLOSE (5 resets: it closed with received data it had not read); "
            "50% TCP_STATE (5 resets: it aborted the connection, as close() with SO_LINGER {1, 0} does). Its peers see "
            "\"connection reset by peer\".\n");
}

// A namespace whose ip_local_port_range holds two ports, both taken by connections to one
// listener: every further connect() fails with EADDRNOTAVAIL before any packet. The syscall's
// exit runs in the caller's context, so the process is named exactly; the destination comes
// from the port-less SYN-SENT -> CLOSE transition of the same connect(), which is not counted
// as a failed connection; nothing is reset.
TEST(TraceNetns, ExhaustedPortsAreCountedByProcess) {
  SKIP_UNLESS_TRACE();
  auto child = in_namespaces(CLONE_NEWNET, [&] {
    const std::string before = tracing_state();
    ScenarioRun r = run_scenario("exhaust", 3, {"trace", "--seconds", "2", "--format", "json"});
    const json j = json::parse(r.out, nullptr, false);
    std::string text = r.problem;
    if (!j.is_object()) return text + "not JSON: " + r.out;
    for (const auto& f : j["connect_eaddrnotavail"]) {
      std::string remote = f["remote"].get<std::string>();
      if (remote == "127.0.0.1:" + r.port) remote = "127.0.0.1:PORT";
      text += fmt::format("{} {} to {} {}\n", f["command"].get<std::string>(),
                          std::to_string(f["pid"].get<int>()) == r.helper_pid ? "PID" : f["pid"].dump(), remote,
                          f["count"].get<uint64_t>());
    }
    // Trace events are host-wide: tests running at the same time in other namespaces may reset
    // connections of their own. Only this scenario's (its port, its helper) must show none.
    uint64_t resets = 0, failed = 0;
    for (const auto& g : j["groups"])
      if (std::to_string(g["port"].get<int>()) == r.port || std::to_string(g["pid"].get<int>()) == r.helper_pid)
        resets += g["count"].get<uint64_t>();
    for (const auto& f : j["failed_connects"])
      if (f["remote"] == "127.0.0.1:" + r.port || std::to_string(f["pid"].get<int>()) == r.helper_pid)
        failed += f["count"].get<uint64_t>();
    text += fmt::format("traced {} resets {} failed {}\n", j["connect_eaddrnotavail_traced"].dump(), resets, failed);
    if (tracing_state() != before) text += "top-level tracing state changed\n";
    if (r.exit_code != 0) text += fmt::format("exit {}\n", r.exit_code);
    return text;
  });
  EXPECT_EQ(child.report, "resethelper PID to 127.0.0.1:PORT 3\ntraced true resets 0 failed 0\n");
}

// The audit says "exhausted" (TT-RESET-TRACE-002) with the count and the process, and the
// census rule's "running out" (TT-PORTS-001) stays silent.
TEST(TraceAudit, ExhaustedPortsGiveAWarningNamingTheCountAndTheProcess) {
  SKIP_UNLESS_TRACE();
  auto child = in_namespaces(CLONE_NEWNET, [&] {
    ScenarioRun r = run_scenario("exhaust", 3, {"audit", "--trace", "2", "--format", "json"});
    const json j = json::parse(r.out, nullptr, false);
    std::string text = r.problem;
    if (!j.is_object()) return text + "not JSON: " + r.out;
    for (const auto& f : j["findings"]) {
      const std::string id = f["id"].get<std::string>();
      if (id.rfind("TT-PORTS-", 0) == 0) text += id + " fired\n";
      if (id != "TT-RESET-TRACE-002") continue;
      std::string m = f["message"].get<std::string>();
      for (const auto& [from, to] : {std::pair{"pid " + r.helper_pid + ")", std::string("pid PID)")},
                                     std::pair{"127.0.0.1:" + r.port + ")", std::string("127.0.0.1:PORT)")}}) {
        if (const size_t at = m.find(from); at != std::string::npos) m.replace(at, from.size(), to);
      }
      text += f["severity"].get<std::string>() + ": " + m + "\n";
    }
    return text;
  });
  EXPECT_EQ(child.report,
            "warning: Ephemeral ports exhausted: 3 connect() calls failed with EADDRNOTAVAIL during the trace (by "
            "resethelper (pid PID) to 127.0.0.1:PORT). net.ipv4.ip_local_port_range is 40000 40001 (2 ports); "
            "'tcptune sockets --by remote' shows which destinations hold them.\n");
}

}  // namespace

#endif  // TCPTUNE_RESETHELPER

// apply / rollback / generate for real, each scenario inside a fresh network namespace created
// by a forked child (unshare(CLONE_NEWNET)): only net.* keys are per namespace there, and the
// host's own sysctls are never touched. The child sends text back through a pipe (problems it
// found, or values it read); the parent asserts on that text.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <functional>
#include <map>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/profile_loader.h"
#include "core/sysctl_key.h"
#include "platform/apply.h"
#include "netns_child.h"
#include "run_binary.h"

namespace tcptune {
namespace {

using testing::run_tcptune;
using testing::TempDir;

using testing::ChildResult;
using testing::value_changes;
const auto ipv4_values = testing::namespace_tcp_values;

// Runs `body` in a forked child inside a new network namespace and returns the text it produced
// (plus a note if the child died).
ChildResult in_fresh_netns(const std::function<std::string()>& body) { return testing::in_namespaces(CLONE_NEWNET, body); }

const std::vector<std::string> kChatKeys = {
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_retries2", "net.ipv4.tcp_slow_start_after_idle"};

std::map<std::string, std::string> values_of(const std::vector<std::string>& keys) {
  platform::ProcSysctl proc("/");
  std::map<std::string, std::string> out;
  for (const auto& k : keys) out[k] = proc.read(k).value.text;
  return out;
}

#define SKIP_WITHOUT_NETNS(r) \
  if ((r).skipped) GTEST_SKIP() << "cannot create a network namespace (needs root or CAP_SYS_ADMIN)"

TEST(ApplyNetns, ApplyThenRollbackRestoresTheNamespaceExactly) {
  TempDir tmp;
  const std::string state = tmp.path() + "/state";
  auto r = in_fresh_netns([&]() -> std::string {
    const auto before = ipv4_values();
    auto applied = run_tcptune({"apply", "--profile", "chat-long", "--yes", "--state-dir", state});
    if (applied.exit_code != 0) return "apply failed: " + applied.err;
    const auto after = values_of(kChatKeys);
    const std::map<std::string, std::string> want = {
        {"net.ipv4.tcp_keepalive_time", "120"}, {"net.ipv4.tcp_keepalive_intvl", "30"},
        {"net.ipv4.tcp_keepalive_probes", "4"}, {"net.ipv4.tcp_retries2", "8"},
        {"net.ipv4.tcp_slow_start_after_idle", "0"}};
    if (after != want) return "after apply:\n" + value_changes(want, after);
    auto rolled = run_tcptune({"rollback", "--yes", "--state-dir", state});
    if (rolled.exit_code != 0) return "rollback failed: " + rolled.err;
    if (rolled.out.find("Restored 5 settings: net.ipv4.tcp_keepalive_time,") == std::string::npos) {
      return "rollback did not say what it restored:\n" + rolled.out;
    }
    return value_changes(before, ipv4_values());
  });
  SKIP_WITHOUT_NETNS(r);
  EXPECT_EQ(r.report, "");
}

TEST(ApplyNetns, DryRunAndMissingYesChangeNothing) {
  TempDir tmp;
  const std::string state = tmp.path() + "/state";
  auto r = in_fresh_netns([&]() -> std::string {
    const auto before = ipv4_values();
    auto dry = run_tcptune({"apply", "--profile", "reverse-proxy", "--dry-run", "--state-dir", state});
    if (dry.exit_code != 0 || dry.out.find("Dry run: nothing was changed.") == std::string::npos) {
      return "dry run: " + dry.out + dry.err;
    }
    auto refused = run_tcptune({"apply", "--profile", "reverse-proxy", "--state-dir", state});
    if (refused.exit_code != 2 ||
        refused.err != "tcptune: error: apply: refusing to change kernel settings without confirmation\n"
                       "hint: standard input is not a terminal: pass --yes to go ahead without asking\n") {
      return fmt::format("without --yes: exit {}: {}", refused.exit_code, refused.err);
    }
    if (::access(state.c_str(), F_OK) == 0) return "a state directory was created";
    return value_changes(before, ipv4_values());
  });
  SKIP_WITHOUT_NETNS(r);
  EXPECT_EQ(r.report, "");
}

// A store that writes to the real kernel but fails the k-th write, as a kernel refusal would.
class FailingProc final : public platform::SysctlStore {
 public:
  explicit FailingProc(int k) : k_(k) {}
  core::SysctlReading read(std::string_view key) override { return proc_.read(key); }
  core::Status write(std::string_view key, std::string_view text) override {
    if (++n_ == k_) return core::make_error(std::string(key), "injected failure", EIO);
    return proc_.write(key, text);
  }

 private:
  platform::ProcSysctl proc_{"/"};
  int k_;
  int n_ = 0;
};

core::Plan reverse_proxy_like_plan() {
  core::Plan p;
  p.profile = "fault";
  const std::vector<std::pair<std::string, std::string>> targets = {
      {"net.ipv4.tcp_fin_timeout", "30"}, {"net.ipv4.ip_local_port_range", "16384 65535"},
      {"net.ipv4.tcp_tw_reuse", "1"}, {"net.core.somaxconn", "1024"},
      {"net.ipv4.tcp_keepalive_time", "300"}};
  platform::ProcSysctl proc("/");
  for (const auto& [k, v] : targets) {
    p.items.push_back({{k, proc.read(k).value.text, v}, "test", "fault", true, {}, false, false, {}});
  }
  return p;
}

TEST(ApplyNetns, KthWriteFailsForEveryKLeavesNamespaceAsBefore) {
  TempDir tmp;
  auto r = in_fresh_netns([&]() -> std::string {
    std::string report;
    const auto before = ipv4_values();
    const auto core_before = values_of({"net.core.somaxconn"});
    const int n = static_cast<int>(reverse_proxy_like_plan().items.size());
    for (int k = 1; k <= n; ++k) {
      platform::ApplyOptions opts;
      opts.state_dir = fmt::format("{}/state{}", tmp.path(), k);
      FailingProc store(k);
      auto out = platform::apply_plan(reverse_proxy_like_plan(), store, opts);
      if (out.ok()) report += fmt::format("k={}: apply succeeded despite the failure\n", k);
      const std::string changed = value_changes(before, ipv4_values()) + value_changes(core_before, values_of({"net.core.somaxconn"}));
      if (!changed.empty()) report += fmt::format("k={}: left changed:\n{}", k, changed);
      auto j = platform::read_journal(opts.state_dir);
      if (!j || !*j || (*j)->state != platform::JournalState::kRestored) report += fmt::format("k={}: journal not 'restored'\n", k);
    }
    // And a refusal by the real kernel: net.core.rmem_max is read-only in a child netns (6.18).
    if (::access("/proc/sys/net/core/rmem_max", W_OK) != 0) {
      auto plan = reverse_proxy_like_plan();
      plan.items.push_back({{"net.core.rmem_max", "", "8388608"}, "test", "fault", true, {}, false, false, {}});
      platform::ApplyOptions opts;
      opts.state_dir = tmp.path() + "/state-ro";
      platform::ProcSysctl proc("/");
      auto out = platform::apply_plan(plan, proc, opts);
      if (out.ok()) report += "the kernel accepted a write to a read-only key\n";
      report += value_changes(before, ipv4_values());
    }
    return report;
  });
  SKIP_WITHOUT_NETNS(r);
  EXPECT_EQ(r.report, "");
}

TEST(ApplyNetns, GeneratedFileUnderSysctlPGivesTheSameValuesAsApply) {
  TempDir tmp;
  const std::string file = tmp.path() + "/90-tcptune-reverse-proxy.conf";
  const std::string state = tmp.path() + "/state";
  std::map<std::string, std::string> applied;
  const std::vector<std::string> keys = {"net.ipv4.tcp_timestamps", "net.core.somaxconn",
                                         "net.ipv4.tcp_syncookies", "net.ipv4.tcp_fin_timeout",
                                         "net.ipv4.ip_local_port_range", "net.ipv4.tcp_tw_reuse"};
  auto a = in_fresh_netns([&]() -> std::string {
    auto gen = run_tcptune({"generate", "--profile", "reverse-proxy", "-o", file});
    if (gen.exit_code != 0) return "generate failed: " + gen.err;
    auto r = run_tcptune({"apply", "--profile", "reverse-proxy", "--yes", "--state-dir", state});
    if (r.exit_code != 0) return "apply failed: " + r.err;
    std::string out;
    for (const auto& [k, v] : values_of(keys)) out += k + "=" + v + "\n";
    return out;
  });
  SKIP_WITHOUT_NETNS(a);
  auto b = in_fresh_netns([&]() -> std::string {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execlp("sysctl", "sysctl", "-q", "-p", file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return fmt::format("sysctl -p exited {}", status);
    std::string out;
    for (const auto& [k, v] : values_of(keys)) out += k + "=" + v + "\n";
    return out;
  });
  EXPECT_NE(a.report.find("net.ipv4.ip_local_port_range=16384 65535\n"), std::string::npos) << a.report;
  EXPECT_NE(a.report.find("net.ipv4.tcp_tw_reuse=1\n"), std::string::npos) << a.report;
  EXPECT_EQ(a.report, b.report);
}

// A capacity key the profile sets as a minimum (http-short: somaxconn at least 4096;
// http-client via reverse-proxy: ip_local_port_range containing 16384-65535): a namespace already
// above it keeps its value through apply, and the generated file, loaded with the real
// `sysctl -p` into a namespace set the same way, leaves it too; a smaller value is raised.
TEST(ApplyNetns, AtLeastSettingsNeverLowerALargerValue) {
  TempDir tmp;
  const std::string file = tmp.path() + "/90-tcptune-reverse-proxy.conf";
  const std::vector<std::string> keys = {"net.core.somaxconn", "net.ipv4.ip_local_port_range"};
  auto set_wide = []() -> std::string {
    platform::ProcSysctl proc("/");
    if (auto st = proc.write("net.core.somaxconn", "65535"); !st) return st.error().render();
    if (auto st = proc.write("net.ipv4.ip_local_port_range", "1024 65535"); !st) return st.error().render();
    return {};
  };
  auto a = in_fresh_netns([&]() -> std::string {
    if (auto e = set_wide(); !e.empty()) return e;
    auto rec = run_tcptune({"recommend", "--profile", "reverse-proxy"});
    if (rec.out.find("65535 (at least 4096: kept)") == std::string::npos) return "recommend: " + rec.out;
    auto gen = run_tcptune({"generate", "--profile", "reverse-proxy", "-o", file});
    if (gen.exit_code != 0) return "generate failed: " + gen.err;
    auto r = run_tcptune({"apply", "--profile", "reverse-proxy", "--yes", "--state-dir", tmp.path() + "/state"});
    if (r.exit_code != 0) return "apply failed: " + r.err;
    std::string out;
    for (const auto& [k, v] : values_of(keys)) out += k + "=" + v + "\n";
    return out;
  });
  SKIP_WITHOUT_NETNS(a);
  EXPECT_EQ(a.report, "net.core.somaxconn=65535\nnet.ipv4.ip_local_port_range=1024 65535\n");
  const std::string text = testing::read_text(file);
  EXPECT_EQ(text.find("\nnet.core.somaxconn ="), std::string::npos) << text;
  EXPECT_EQ(text.find("\nnet.ipv4.ip_local_port_range ="), std::string::npos) << text;
  EXPECT_NE(text.find("# Not set: net.core.somaxconn is 65535 on the host it was generated on, above the "
                      "profile's minimum 4096"),
            std::string::npos)
      << text;
  auto b = in_fresh_netns([&]() -> std::string {
    if (auto e = set_wide(); !e.empty()) return e;
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execlp("sysctl", "sysctl", "-q", "-p", file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return fmt::format("sysctl -p exited {}", status);
    std::string out;
    for (const auto& [k, v] : values_of(keys)) out += k + "=" + v + "\n";
    return out;
  });
  EXPECT_EQ(b.report, a.report);
  // A fresh namespace (somaxconn 4096 is the 6.x default; the range 32768 60999) is raised.
  auto c = in_fresh_netns([&]() -> std::string {
    platform::ProcSysctl proc("/");
    if (auto st = proc.write("net.core.somaxconn", "1024"); !st) return st.error().render();
    auto r = run_tcptune({"apply", "--profile", "reverse-proxy", "--yes", "--state-dir", tmp.path() + "/state2"});
    if (r.exit_code != 0) return "apply failed: " + r.err;
    std::string out;
    for (const auto& [k, v] : values_of(keys)) out += k + "=" + v + "\n";
    return out;
  });
  EXPECT_EQ(c.report, "net.core.somaxconn=4096\nnet.ipv4.ip_local_port_range=16384 65535\n");
}

// Runs `bin` as `nobody` (fork, drop ids, exec); returns exit code and stderr.
std::pair<int, std::string> run_as_nobody(const std::string& bin_path, const std::vector<std::string>& args,
                                          const std::string& dir) {
  const std::string err_path = dir + "/nobody.err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    FILE* err = std::freopen(err_path.c_str(), "w", stderr);
    FILE* out = std::freopen("/dev/null", "w", stdout);
    if (!err || !out || ::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0) {
      ::_exit(125);
    }
    std::vector<char*> argv;
    std::string bin = bin_path;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::read_text(err_path)};
}

TEST(ApplyNetns, ReadOnlyProcSysAndNonRootAreRefusedBeforeAnyChange) {
  TempDir tmp;
  ::chmod(tmp.path().c_str(), 0777);
  const std::string state = tmp.path() + "/state";
  // nobody runs a copy: the build may be under a directory only root can enter.
  TempDir install;
  const std::string nobody_bin = testing::install_for_any_user(install.path());
  auto r = in_fresh_netns([&]() -> std::string {
    std::string report;
    const auto before = ipv4_values();
    auto [code, err] = run_as_nobody(nobody_bin, {"apply", "--profile", "chat-long", "--yes", "--state-dir", state}, tmp.path());
    if (code != 3 || err != "tcptune: error: net.ipv4.tcp_keepalive_time: cannot be written: Permission denied\n"
                             "hint: run tcptune apply as root\n") {
      report += fmt::format("as nobody: exit {}: {}\n", code, err);
    }
    // A container's read-only /proc/sys: a read-only bind mount in a private mount namespace.
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("/proc/sys", "/proc/sys", nullptr, MS_BIND, nullptr) != 0 ||
        ::mount(nullptr, "/proc/sys", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      return report + "cannot make /proc/sys read-only: " + std::strerror(errno);
    }
    auto ro = run_tcptune({"apply", "--profile", "chat-long", "--yes", "--state-dir", state});
    if (ro.exit_code != 3 ||
        ro.err != "tcptune: error: /proc/sys: mounted read-only (a container?): no sysctl can be "
                  "changed: Read-only file system\nhint: apply from the host, or give the container a "
                  "writable /proc/sys\n") {
      report += fmt::format("read-only: exit {}: {}\n", ro.exit_code, ro.err);
    }
    if (::access(state.c_str(), F_OK) == 0) report += "a state directory was created\n";
    return report + value_changes(before, ipv4_values());
  });
  SKIP_WITHOUT_NETNS(r);
  EXPECT_EQ(r.report, "");
}

#ifdef TCPTUNE_SOCKHELPER
// sockhelper opens an exact socket population in the namespace and runs `recommend --auto`.
std::string auto_recommend_with(const std::vector<std::string>& population, const std::string& dir) {
  const std::string out_path = dir + "/auto.out";
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!std::freopen(out_path.c_str(), "w", stdout)) ::_exit(125);
    std::vector<std::string> args = {TCPTUNE_SOCKHELPER, "--v4", "8080"};
    args.insert(args.end(), population.begin(), population.end());
    for (const char* a : {"--", TCPTUNE_BINARY, "recommend", "--auto", "--interval", "1000"}) args.emplace_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return testing::read_text(out_path);
}

TEST(ApplyNetns, AutoRecommendReadsTheWorkload) {
  TempDir tmp;
  auto r = in_fresh_netns([&]() -> std::string {
    std::string report;
    // 700 long-lived connections on listener 8080 (both ends on loopback; 8081 is sockhelper's
    // deferred-accept listener), no opens during the 1 s sample: at least 700 s each.
    const std::string chat = auto_recommend_with({"--estab", "700"}, tmp.path());
    if (chat.find("inbound (local ports 8080, 8081): 700 ESTABLISHED, 0 TIME-WAIT") == std::string::npos ||
        chat.find("Profile 'chat-long' fits: 700 inbound connections stay open at least ~1") == std::string::npos) {
      report += "long-lived population:\n" + chat;
    }
    // 500 connections the client closed first (TIME-WAIT on the ephemeral side).
    const std::string client = auto_recommend_with({"--estab", "10", "--tw", "500"}, tmp.path());
    if (client.find("Profile 'http-client' fits: outbound connections are") == std::string::npos ||
        client.find("busiest destination 127.0.0.1:8080: 10 ESTABLISHED + 500 TIME-WAIT") == std::string::npos) {
      report += "short outbound population:\n" + client;
    }
    return report;
  });
  SKIP_WITHOUT_NETNS(r);
  EXPECT_EQ(r.report, "");
}
#endif

}  // namespace
}  // namespace tcptune

// Fault injection with real processes, files and kernels: an apply or rollback killed
// (SIGKILL) between any two sysctl writes, a full disk under the journal and under the sysctl.d
// file, and two applies at once. Each scenario runs in a forked child inside a fresh network
// namespace (and, for the full disks, a private mount namespace holding tiny tmpfs mounts), so
// the host's sysctls and mounts are never touched. The child reports problems as text; the parent
// asserts that the text is empty.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <map>
#include <sched.h>
#include <regex>
#include <set>
#include <sys/mount.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "platform/apply.h"
#include "platform/journal.h"
#include "netns_child.h"
#include "run_binary.h"

namespace tcptune {
namespace {

using testing::read_text;
using testing::run_tcptune;
using testing::TempDir;

using testing::ChildResult;
using testing::in_namespaces;
using testing::value_changes;
const auto tcp_values = testing::namespace_tcp_values;

#define SKIP_WITHOUT_NAMESPACES(r) \
  if ((r).skipped) GTEST_SKIP() << "cannot create network/mount namespaces (needs root or CAP_SYS_ADMIN)"

// Names in a directory, sorted ("." and ".." left out).
std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") out.insert(n);
    }
    ::closedir(d);
  }
  return out;
}

// Five keys a reverse proxy changes, each to a value a fresh namespace does not have.
core::Plan five_key_plan() {
  core::Plan p;
  p.profile = "fault";
  const std::vector<std::pair<std::string, std::string>> targets = {
      {"net.ipv4.tcp_fin_timeout", "30"}, {"net.ipv4.ip_local_port_range", "16384 65535"},
      {"net.ipv4.tcp_tw_reuse", "1"}, {"net.core.somaxconn", "1024"},
      {"net.ipv4.tcp_keepalive_time", "300"}};
  platform::ProcSysctl proc("/");
  for (const auto& [k, v] : targets) p.items.push_back({{k, proc.read(k).value.text, v}, "test", "fault", true, {}, false, false, {}});
  return p;
}

// The real kernel, and a SIGKILL of this process after `k` completed writes (k = 0: at the first
// write, before it): the process dies between two writes, as under an OOM kill or power loss.
class KillingProc final : public platform::SysctlStore {
 public:
  explicit KillingProc(int k) : k_(k) {}
  core::SysctlReading read(std::string_view key) override { return proc_.read(key); }
  core::Status write(std::string_view key, std::string_view text) override {
    if (k_ == 0) ::raise(SIGKILL);
    auto st = proc_.write(key, text);
    if (++n_ == k_) ::raise(SIGKILL);
    return st;
  }

 private:
  platform::ProcSysctl proc_{"/"};
  int k_;
  int n_ = 0;
};

// Forks a process that runs `body` and must die of SIGKILL; returns "" or what went wrong.
std::string killed_child(const std::function<void()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    body();
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return {};
  return fmt::format("the process was not killed (status {})", status);
}

// What the next run prints on finding the journal of a killed apply or rollback.
std::string interrupted_message(const std::string& state, const std::string& what) {
  auto j = platform::read_journal(state);
  if (!j || !*j) return "(no journal)";
  const std::string line = fmt::format("{}/journal.json: an interrupted {} of profile 'fault' (pid {}, {}) left this journal",
                                       state, what, (*j)->pid, (*j)->started);
  return fmt::format("tcptune: warning: {}\ntcptune: error: {}\nhint: run 'tcptune rollback' to restore the values "
                     "it recorded, then apply again\n", line, line);
}

TEST(FaultInjection, ApplyKilledBetweenAnyTwoWritesIsRefusedThenRolledBackExactly) {
  TempDir tmp;
  auto r = in_namespaces(CLONE_NEWNET, [&]() -> std::string {
    std::string report;
    const auto before = tcp_values();
    const int n = static_cast<int>(five_key_plan().items.size());
    for (int k = 0; k <= n; ++k) {
      const std::string state = fmt::format("{}/state{}", tmp.path(), k);
      const std::string where = fmt::format("killed after write {}: ", k);
      if (auto e = killed_child([&] {
            platform::ApplyOptions opts;
            opts.state_dir = state;
            KillingProc store(k);
            (void)platform::apply_plan(five_key_plan(), store, opts);
          }); !e.empty()) {
        report += where + e + "\n";
        continue;
      }
      const auto killed = tcp_values();
      int changed = 0;
      for (const auto& it : five_key_plan().items) changed += killed.at(it.key) != before.at(it.key) ? 1 : 0;
      if (changed != k) report += where + fmt::format("{} keys changed, not {}\n", changed, k);
      // The next apply refuses, naming the dead process, and changes nothing.
      const std::string want = interrupted_message(state, "apply");
      auto again = run_tcptune({"apply", "--profile", "chat-long", "--yes", "--state-dir", state});
      if (again.exit_code != 3 || again.err != want) {
        report += where + fmt::format("second apply exited {} with\n{}wanted\n{}", again.exit_code, again.err, want);
      }
      report += value_changes(killed, tcp_values());
      // rollback restores every value exactly.
      auto rolled = run_tcptune({"rollback", "--yes", "--state-dir", state});
      if (rolled.exit_code != 0) report += where + "rollback failed: " + rolled.err;
      if (const auto d = value_changes(before, tcp_values()); !d.empty()) report += where + "after rollback:\n" + d;
      auto j = platform::read_journal(state);
      if (!j || !*j || (*j)->state != platform::JournalState::kRolledBack) report += where + "journal not 'rolled-back'\n";
    }
    return report;
  });
  SKIP_WITHOUT_NAMESPACES(r);
  EXPECT_EQ(r.report, "");
}

TEST(FaultInjection, RollbackKilledBetweenAnyTwoWritesIsFinishedByTheNextRollback) {
  TempDir tmp;
  auto r = in_namespaces(CLONE_NEWNET, [&]() -> std::string {
    std::string report;
    const auto before = tcp_values();
    const int n = static_cast<int>(five_key_plan().items.size());
    for (int k = 0; k <= n; ++k) {
      const std::string state = fmt::format("{}/state{}", tmp.path(), k);
      const std::string where = fmt::format("rollback killed after write {}: ", k);
      platform::ApplyOptions opts;
      opts.state_dir = state;
      platform::ProcSysctl proc("/");
      if (auto a = platform::apply_plan(five_key_plan(), proc, opts); !a) {
        report += where + "apply failed: " + a.error().render();
        continue;
      }
      if (auto e = killed_child([&] {
            KillingProc store(k);
            (void)platform::rollback_last(store, opts);
          }); !e.empty()) {
        report += where + e + "\n";
        continue;
      }
      auto j = platform::read_journal(state);
      if (!j || !*j || (*j)->state != platform::JournalState::kRollingBack) report += where + "journal not 'rolling-back'\n";
      const std::string want = interrupted_message(state, "rollback");
      auto again = run_tcptune({"apply", "--profile", "chat-long", "--yes", "--state-dir", state});
      if (again.exit_code != 3 || again.err != want) {
        report += where + fmt::format("apply exited {} with\n{}wanted\n{}", again.exit_code, again.err, want);
      }
      auto rolled = run_tcptune({"rollback", "--yes", "--state-dir", state});
      if (rolled.exit_code != 0) report += where + "rollback failed: " + rolled.err;
      if (const auto d = value_changes(before, tcp_values()); !d.empty()) report += where + "after rollback:\n" + d;
    }
    return report;
  });
  SKIP_WITHOUT_NAMESPACES(r);
  EXPECT_EQ(r.report, "");
}

// Mounts a tmpfs of `kib` KiB on `dir` (in the child's private mount namespace).
std::string mount_tiny_tmpfs(const std::string& dir, int kib) {
  ::mkdir(dir.c_str(), 0700);
  const std::string opts = fmt::format("size={}k,mode=0700", kib);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) != 0) return fmt::format("mount {}: {}\n", dir, std::strerror(errno));
  return {};
}

// Fills the file system holding `dir` until a write fails with ENOSPC.
std::string fill(const std::string& dir) {
  const std::string path = dir + "/filler";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create the filler\n";
  const std::string block(4096, 'x');
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  const int e = errno;
  ::close(fd);
  return e == ENOSPC ? std::string() : fmt::format("filling {} ended with {}\n", dir, std::strerror(e));
}

TEST(FaultInjection, DiskFullUnderTheJournalChangesNothingAndLeavesNoTemporaryFile) {
  TempDir tmp;
  auto r = in_namespaces(CLONE_NEWNET | CLONE_NEWNS, [&]() -> std::string {
    const std::string fs = tmp.path() + "/var";
    if (auto e = mount_tiny_tmpfs(fs, 64); !e.empty()) return e;
    const std::string state = fs + "/state";
    auto first = run_tcptune({"apply", "--profile", "chat-long", "--yes", "--state-dir", state});
    if (first.exit_code != 0) return "first apply failed: " + first.err;
    const std::string journal = read_text(state + "/journal.json");
    if (auto e = fill(fs); !e.empty()) return e;
    const auto before = tcp_values();
    std::string report;
    auto full = run_tcptune({"apply", "--profile", "reverse-proxy", "--yes", "--state-dir", state});
    const std::string want = fmt::format("tcptune: error: {}/journal.json: cannot write: No space left on device\n", state);
    if (full.exit_code != 3 || full.err != want) report += fmt::format("apply exited {} with\n{}wanted\n{}", full.exit_code, full.err, want);
    report += value_changes(before, tcp_values());
    if (read_text(state + "/journal.json") != journal) report += "the previous journal changed\n";
    if (entries(state) != std::set<std::string>{"journal.json", "lock"}) {
      report += fmt::format("state directory holds {}\n", fmt::join(entries(state), " "));
    }
    // With room again, rollback still undoes the first apply.
    ::unlink((fs + "/filler").c_str());
    auto rolled = run_tcptune({"rollback", "--yes", "--state-dir", state});
    if (rolled.exit_code != 0) report += "rollback failed: " + rolled.err;
    return report;
  });
  SKIP_WITHOUT_NAMESPACES(r);
  EXPECT_EQ(r.report, "");
}

TEST(FaultInjection, DiskFullUnderTheSysctlDFileKeepsThePreviousFile) {
  TempDir tmp;
  auto r = in_namespaces(CLONE_NEWNET | CLONE_NEWNS, [&]() -> std::string {
    const std::string etc = tmp.path() + "/etc";
    if (auto e = mount_tiny_tmpfs(etc, 16); !e.empty()) return e;
    const std::string state = tmp.path() + "/state";
    const std::string conf = etc + "/90-tcptune.conf";
    auto first = run_tcptune({"generate", "--profile", "chat-long", "-o", conf});
    if (first.exit_code != 0) return "generate failed: " + first.err;
    const std::string previous = read_text(conf);
    if (auto e = fill(etc); !e.empty()) return e;
    std::string report;
    const std::string want = fmt::format("tcptune: error: {}: cannot write: No space left on device\n", conf);
    auto gen = run_tcptune({"generate", "--profile", "reverse-proxy", "-o", conf});
    if (gen.exit_code != 3 || gen.err != want || gen.out != "") {
      report += fmt::format("generate exited {} with\n{}{}wanted\n{}", gen.exit_code, gen.out, gen.err, want);
    }
    // apply --persist: the settings are applied and journaled first; the file write fails, so
    // the journal puts them back (all or nothing).
    const auto before = tcp_values();
    auto ap = run_tcptune({"apply", "--profile", "reverse-proxy", "--yes", "--state-dir", state, "--persist", conf});
    const std::string hint_re = "hint: the [0-9]+ values applied before it were restored \\(rollback\\); nothing was changed\n";
    if (ap.exit_code != 3 || ap.err.rfind(want, 0) != 0 ||
        !std::regex_match(ap.err.substr(std::min(want.size(), ap.err.size())), std::regex(hint_re))) {
      report += fmt::format("apply --persist exited {} with\n{}wanted\n{}{}", ap.exit_code, ap.err, want, hint_re);
    }
    report += value_changes(before, tcp_values());
    auto j = platform::read_journal(state);
    if (!j || !*j || (*j)->state != platform::JournalState::kRolledBack || (*j)->profile != "reverse-proxy") report += "journal not 'rolled-back'\n";
    if (read_text(conf) != previous) report += "the previous sysctl.d file changed\n";
    if (entries(etc) != std::set<std::string>{"90-tcptune.conf", "filler"}) {
      report += fmt::format("{} holds {}\n", etc, fmt::join(entries(etc), " "));
    }
    return report;
  });
  SKIP_WITHOUT_NAMESPACES(r);
  EXPECT_EQ(r.report, "");
}

// The real kernel; after write number `fill_after` the disk holding `dir` fills up.
class FillingProc final : public platform::SysctlStore {
 public:
  FillingProc(int fill_after, std::string dir) : fill_after_(fill_after), dir_(std::move(dir)) {}
  core::SysctlReading read(std::string_view key) override { return proc_.read(key); }
  core::Status write(std::string_view key, std::string_view text) override {
    auto st = proc_.write(key, text);
    if (++n_ == fill_after_) problem += fill(dir_);
    return st;
  }
  std::string problem;

 private:
  platform::ProcSysctl proc_{"/"};
  int fill_after_;
  std::string dir_;
  int n_ = 0;
};

TEST(FaultInjection, DiskFullAtTheJournalsFinalUpdateSaysWhatWasChanged) {
  TempDir tmp;
  auto r = in_namespaces(CLONE_NEWNET | CLONE_NEWNS, [&]() -> std::string {
    const std::string fs = tmp.path() + "/var";
    if (auto e = mount_tiny_tmpfs(fs, 64); !e.empty()) return e;
    platform::ApplyOptions opts;
    opts.state_dir = fs + "/state";
    const auto before = tcp_values();
    const core::Plan plan = five_key_plan();
    const int n = static_cast<int>(plan.items.size());
    std::vector<std::string> keys;
    for (const auto& it : plan.items) keys.push_back(it.key);
    std::string report;
    // Apply: every write lands, then the journal cannot say "applied".
    FillingProc store(n, fs);
    auto applied = platform::apply_plan(plan, store, opts);
    report += store.problem;
    const std::string want = fmt::format(
        "tcptune: error: {}/journal.json: cannot write: No space left on device\nhint: the changes were made ({}), "
        "but the journal still says 'pending': run 'tcptune rollback' to undo them", opts.state_dir, fmt::join(keys, ", "));
    if (applied || applied.error().render() != want) {
      report += fmt::format("apply gave\n{}\nwanted\n{}\n", applied ? "success" : applied.error().render(), want);
    }
    const auto after = tcp_values();
    for (const auto& it : plan.items) {
      if (after.at(it.key) == before.at(it.key)) report += fmt::format("{} was not changed\n", it.key);
    }
    auto j = platform::read_journal(opts.state_dir);
    if (!j || !*j || (*j)->state != platform::JournalState::kPending) report += "journal not 'pending'\n";
    if (entries(opts.state_dir) != std::set<std::string>{"journal.json", "lock"}) report += "a temporary file was left\n";
    ::unlink((fs + "/filler").c_str());
    // Rollback: every value restored, then the journal cannot say "rolled-back".
    FillingProc back(n, fs);
    auto rolled = platform::rollback_last(back, opts);
    report += back.problem;
    const std::string want_rb = fmt::format(
        "tcptune: error: {}/journal.json: cannot write: No space left on device\nhint: the values were restored ({}), "
        "but the journal still says 'rolling-back': run 'tcptune rollback' again to finish", opts.state_dir,
        fmt::join(keys, ", "));
    if (rolled || rolled.error().render() != want_rb) {
      report += fmt::format("rollback gave\n{}\nwanted\n{}\n", rolled ? "success" : rolled.error().render(), want_rb);
    }
    report += value_changes(before, tcp_values());
    ::unlink((fs + "/filler").c_str());
    auto again = run_tcptune({"rollback", "--yes", "--state-dir", opts.state_dir});
    if (again.exit_code != 0) report += "second rollback failed: " + again.err;
    report += value_changes(before, tcp_values());
    return report;
  });
  SKIP_WITHOUT_NAMESPACES(r);
  EXPECT_EQ(r.report, "");
}

// Starts the CLI under strace, which delays the return of each pwrite64 by `delay_us`: the
// apply writes its pid into the lock file with pwrite and then holds the lock that long.
pid_t start_slow_apply(const std::string& state, long delay_us) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    const std::string inject = fmt::format("inject=pwrite64:delay_exit={}", delay_us);
    // LeakSanitizer cannot run under ptrace and aborts the sanitizer build's binary at exit:
    // the leak check of this one traced run is off (every other run keeps it).
    if (const char* asan = std::getenv("ASAN_OPTIONS")) {
      ::setenv("ASAN_OPTIONS", fmt::format("{}:detect_leaks=0", asan).c_str(), 1);
    } else {
      ::setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
    }
    ::execlp("strace", "strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64", "-e", inject.c_str(),
             TCPTUNE_BINARY, "apply", "--profile", "chat-long", "--yes", "--state-dir", state.c_str(), nullptr);
    ::_exit(127);
  }
  return pid;
}

TEST(FaultInjection, SecondConcurrentApplyIsRefusedAndToldTheHoldersPid) {
  if (::system("strace -qq -o /dev/null true >/dev/null 2>&1") != 0) GTEST_SKIP() << "needs strace (ptrace)";
  TempDir tmp;
  auto r = in_namespaces(CLONE_NEWNET, [&]() -> std::string {
    const std::string state = tmp.path() + "/state";
    const pid_t slow = start_slow_apply(state, 8'000'000);
    std::string holder;
    for (int i = 0; i < 600 && holder.empty(); ++i) {  // up to 60 s for a loaded machine
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      holder = read_text(state + "/lock");
    }
    while (!holder.empty() && holder.back() == '\n') holder.pop_back();
    std::string report;
    if (holder.empty()) report += "the first apply never took the lock\n";
    const std::string comm = read_text(fmt::format("/proc/{}/comm", holder));
    if (comm != "tcptune\n") report += fmt::format("pid {} in the lock file is '{}', not tcptune\n", holder, comm);
    const auto before = tcp_values();
    auto second = run_tcptune({"apply", "--profile", "reverse-proxy", "--yes", "--state-dir", state});
    const std::string want = fmt::format("tcptune: error: {}/lock: another tcptune apply or rollback is running (pid {})\n"
                                         "hint: wait for it to finish; the lock is released when that process exits\n",
                                         state, holder);
    if (second.exit_code != 3 || second.err != want) {
      report += fmt::format("second apply exited {} with\n{}wanted\n{}", second.exit_code, second.err, want);
    }
    int status = 0;
    while (::waitpid(slow, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) report += fmt::format("first apply ended with status {}\n", status);
    // Only the first apply (chat-long) wrote: nothing of reverse-proxy landed.
    auto want_values = before;
    for (const auto& [k, v] : std::map<std::string, std::string>{
             {"net.ipv4.tcp_keepalive_time", "120"}, {"net.ipv4.tcp_keepalive_intvl", "30"},
             {"net.ipv4.tcp_keepalive_probes", "4"}, {"net.ipv4.tcp_retries2", "8"},
             {"net.ipv4.tcp_slow_start_after_idle", "0"}}) {
      want_values[k] = v;
    }
    report += value_changes(want_values, tcp_values());
    auto j = platform::read_journal(state);
    if (!j || !*j || (*j)->state != platform::JournalState::kApplied || (*j)->profile != "chat-long" || std::to_string((*j)->pid) != holder) {
      report += "the journal is not the first apply's\n";
    }
    return report;
  });
  SKIP_WITHOUT_NAMESPACES(r);
  EXPECT_EQ(r.report, "");
}

}  // namespace
}  // namespace tcptune

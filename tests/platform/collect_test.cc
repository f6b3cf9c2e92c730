#include "platform/collect.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/snapshot_json.h"

namespace tcptune::platform {
namespace {

namespace fs = std::filesystem;
using core::Snapshot;
using core::SysctlReading;
using core::SysctlValue;

class CollectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tcptune-collect-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }
  void put(const std::string& rel, const std::string& text) {
    const fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  Snapshot collect(std::vector<std::string> keys) {
    CollectOptions o;
    o.root = root_;
    o.keys = std::move(keys);
    o.census = false;
    return collect_snapshot(o);
  }
  std::string root_;
};

TEST_F(CollectTest, ReadsTypedValuesAndMarksAbsentKeys) {
  put("proc/sys/kernel/osrelease", "5.10.0-28-amd64\n");
  put("proc/sys/net/ipv4/tcp_fin_timeout", "30\n");
  put("proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
  put("proc/sys/net/ipv4/tcp_congestion_control", "cubic\n");
  put("proc/modules", "veth 40960 0 - Live 0x0\nnf_conntrack 176128 1 - Live 0x0\n");
  const Snapshot s = collect({"net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_rmem", "net.ipv4.tcp_congestion_control",
                              "net.ipv4.tcp_tw_recycle"});
  EXPECT_EQ(s.kernel_release, "5.10.0-28-amd64");
  EXPECT_EQ(s.root, root_);
  EXPECT_EQ(s.sysctls.at("net.ipv4.tcp_fin_timeout"), SysctlReading::of("30"));
  const auto& rmem = s.sysctls.at("net.ipv4.tcp_rmem");
  EXPECT_EQ(rmem.value.kind, SysctlValue::Kind::kTuple);
  EXPECT_EQ(rmem.value.numbers, (std::vector<int64_t>{4096, 131072, 6291456}));
  EXPECT_EQ(s.sysctls.at("net.ipv4.tcp_congestion_control").value.text, "cubic");
  EXPECT_EQ(s.sysctls.at("net.ipv4.tcp_tw_recycle").state, SysctlReading::State::kAbsent);
  EXPECT_TRUE(s.modules_known);
  EXPECT_EQ(s.modules, (std::vector<std::string>{"nf_conntrack", "veth"}));
  // A copied tree has no proc/self/ns/net link: that is a gap, never a guessed namespace.
  EXPECT_FALSE(s.netns.inode.has_value());
  ASSERT_EQ(s.gaps.size(), 1u);
  EXPECT_EQ(s.gaps[0].what, "network namespace");
}

TEST_F(CollectTest, MissingReleaseAndModulesAreGaps) {
  const Snapshot s = collect({});
  EXPECT_FALSE(s.kernel_release.has_value());
  EXPECT_FALSE(s.modules_known);
  std::vector<std::string> what;
  for (const auto& g : s.gaps) what.push_back(g.what);
  EXPECT_EQ(what, (std::vector<std::string>{"kernel release", "network namespace", "loaded kernel modules"}));
  EXPECT_EQ(s.gaps[0].reason, root_ + "/proc/sys/kernel/osrelease: No such file or directory");
}

TEST_F(CollectTest, ConfiguredKeysAndGlobsAreReadToo) {
  put("proc/sys/kernel/osrelease", "6.1.0\n");
  put("proc/sys/net/ipv4/conf/all/rp_filter", "2\n");
  put("proc/sys/net/ipv4/conf/lo/rp_filter", "0\n");
  put("proc/sys/net/ipv4/conf/lo/log_martians", "0\n");
  put("proc/sys/net/core/somaxconn", "4096\n");
  put("etc/sysctl.d/10-net.conf", "net.ipv4.conf.*.rp_filter = 1\nnet/core/somaxconn = 1024\n");
  const Snapshot s = collect({});
  EXPECT_EQ(s.sysctls.at("net.ipv4.conf.all.rp_filter"), SysctlReading::of("2"));
  EXPECT_EQ(s.sysctls.at("net.ipv4.conf.lo.rp_filter"), SysctlReading::of("0"));
  EXPECT_EQ(s.sysctls.count("net.ipv4.conf.lo.log_martians"), 0u);
  EXPECT_EQ(s.sysctls.at("net.core.somaxconn"), SysctlReading::of("4096"));
  ASSERT_EQ(s.config.assignments.size(), 2u);
  EXPECT_EQ(s.config.assignments[1].where.file, "/etc/sysctl.d/10-net.conf");
}

// The audit takes the evidence first and the rest after loading its rules: the two halves make
// exactly the snapshot one pass makes, gaps in the same order (census and counters from a copied
// tree: its proc/net/tcp, no proc/net/tcp6, no proc/net/netstat).
TEST_F(CollectTest, EvidenceTakenFirstMakesTheSameSnapshot) {
  put("proc/sys/kernel/osrelease", "6.1.0\n");
  put("proc/sys/net/ipv4/tcp_fin_timeout", "30\n");
  put("proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
  put("proc/net/tcp",
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n"
      "   1: 0100007F:1F90 0100007F:9C40 08 00000000:00000005 00:00000000 00000000     0        0 4243 1 0 20 4 30 10 -1\n");
  put("proc/net/snmp", "Tcp: RtoAlgorithm CurrEstab\nTcp: 1 1\n");
  CollectOptions o;
  o.root = root_;
  o.keys = {"net.ipv4.tcp_fin_timeout"};
  const Snapshot once = collect_snapshot(o);
  Snapshot halves = collect_snapshot(o, collect_evidence(o));
  // The counters were sampled at another moment; nothing else may differ.
  ASSERT_TRUE(halves.counters.has_value() && once.counters.has_value());
  halves.counters->current.monotonic_ms = once.counters->current.monotonic_ms;
  ASSERT_TRUE(once.census.has_value());
  EXPECT_EQ(once.census->states[core::TcpState::kCloseWait], 1u);
  EXPECT_EQ(once.census->states[core::TcpState::kListen], 1u);
  EXPECT_FALSE(once.gaps.empty());
  EXPECT_EQ(core::snapshot_to_json(halves).dump(1), core::snapshot_to_json(once).dump(1));
  EXPECT_TRUE(halves == once);
}

TEST_F(CollectTest, ExpandsGlobsPerPathComponent) {
  put("proc/sys/net/ipv4/conf/eth0.1/rp_filter", "1\n");
  put("proc/sys/net/ipv4/conf/all/rp_filter", "1\n");
  EXPECT_EQ(expand_sysctl_glob(root_, "net.ipv4.conf.*.rp_filter"),
            (std::vector<std::string>{"net.ipv4.conf.all.rp_filter", "net.ipv4.conf.eth0/1.rp_filter"}));
  EXPECT_TRUE(expand_sysctl_glob(root_, "net.ipv6.*").empty());
}

TEST_F(CollectTest, UnreadableKeyKeepsItsErrnoAndIsAGap) {
  put("proc/sys/net/ipv4/tcp_fin_timeout", "30\n");
  const std::string file = root_ + "/proc/sys/net/ipv4/tcp_fin_timeout";
  ASSERT_EQ(::chmod(file.c_str(), 0), 0);
  if (::geteuid() != 0) {
    const Snapshot s = collect({"net.ipv4.tcp_fin_timeout"});
    EXPECT_EQ(s.sysctls.at("net.ipv4.tcp_fin_timeout"), SysctlReading::unreadable(EACCES));
    return;
  }
  // Root reads through mode 0; check as an unprivileged user in a child process.
  ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
    const Snapshot s = collect({"net.ipv4.tcp_fin_timeout"});
    const bool ok = s.sysctls.at("net.ipv4.tcp_fin_timeout") == SysctlReading::unreadable(EACCES) &&
                    s.gaps.back().what == "sysctl net.ipv4.tcp_fin_timeout" &&
                    s.gaps.back().reason == "Permission denied";
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace tcptune::platform

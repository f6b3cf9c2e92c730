#include "core/snapshot_diff.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

Snapshot base() {
  Snapshot s;
  s.root = "/";
  s.kernel_release = "6.18.44";
  s.netns.inode = 4026531833;
  s.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::of("60");
  s.sysctls["net.core.somaxconn"] = SysctlReading::of("4096");
  s.sysctls["net.ipv4.ip_local_port_range"] = SysctlReading::of("32768 60999");
  ConfAssignment a;
  a.key = "net.ipv4.tcp_fin_timeout";
  a.value = "60";
  a.where = {"/etc/sysctl.d/90-tcp.conf", 3, 1};
  ConfFile f;
  f.path = a.where.file;
  s.config.files.push_back(f);
  s.config.assignments.push_back(a);
  s.config.layout.systemd_dirs = {"/etc/sysctl.d"};
  s.config.layout.procps_dirs = {"/etc/sysctl.d"};
  Census c;
  c.states[TcpState::kEstablished] = 5;
  c.states[TcpState::kTimeWait] = 2;
  s.census = c;
  Counters k;
  k.current.values["TcpExtTW"] = 10;
  k.current.sockstat = SockStat{3, 0, 2, 4, 1};
  s.counters = k;
  return s;
}

TEST(SnapshotDiff, IdenticalSnapshotsHaveNoDifferences) {
  const Snapshot a = base();
  const SnapshotDiff d = diff_snapshots(a, a);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(diff_to_json(d, "a", "b")["identical"], true);
}

TEST(SnapshotDiff, ChangedOneSidedAndRespelledValues) {
  const Snapshot a = base();
  Snapshot b = base();
  b.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::of("15");
  b.sysctls.erase("net.core.somaxconn");
  b.sysctls["net.ipv4.tcp_tw_reuse"] = SysctlReading::absent();
  b.sysctls["net.ipv4.ip_local_port_range"] = SysctlReading::of("32768\t60999");  // same to the kernel
  const SnapshotDiff d = diff_snapshots(a, b);
  ASSERT_EQ(d.sysctls.size(), 3u);
  EXPECT_EQ(d.sysctls[0], (DiffEntry{"net.core.somaxconn", "4096", std::nullopt}));
  EXPECT_EQ(d.sysctls[1], (DiffEntry{"net.ipv4.tcp_fin_timeout", "60", "15"}));
  EXPECT_EQ(d.sysctls[2], (DiffEntry{"net.ipv4.tcp_tw_reuse", std::nullopt, "absent"}));
  EXPECT_TRUE(d.header.empty());
  EXPECT_TRUE(d.census.empty());
}

TEST(SnapshotDiff, ConfigWinnersCensusAndCounters) {
  const Snapshot a = base();
  Snapshot b = base();
  b.config.assignments[0].value = "15";
  b.config.assignments[0].where.line = 4;
  b.census->states[TcpState::kTimeWait] = 7;
  b.counters->current.values["TcpExtTW"] = 12;
  b.counters->current.values["TcpExtTWKilled"] = 1;
  b.kernel_release = "6.19.0";
  const SnapshotDiff d = diff_snapshots(a, b);
  ASSERT_EQ(d.config.size(), 1u);
  EXPECT_EQ(d.config[0], (DiffEntry{"net.ipv4.tcp_fin_timeout", "60 (/etc/sysctl.d/90-tcp.conf:3)",
                                    "15 (/etc/sysctl.d/90-tcp.conf:4)"}));
  ASSERT_EQ(d.census.size(), 2u);
  EXPECT_EQ(d.census[0], (DiffEntry{"TIME-WAIT", "2", "7"}));
  EXPECT_EQ(d.census[1], (DiffEntry{"total", "7", "12"}));
  ASSERT_EQ(d.counters.size(), 2u);
  EXPECT_EQ(d.counters[0], (DiffEntry{"TcpExtTW", "10", "12"}));
  EXPECT_EQ(d.counters[1], (DiffEntry{"TcpExtTWKilled", std::nullopt, "1"}));
  ASSERT_EQ(d.header.size(), 1u);
  EXPECT_EQ(d.header[0], (DiffEntry{"kernel release", "6.18.44", "6.19.0"}));

  const auto j = diff_to_json(d, "A.json", "B.json");
  EXPECT_EQ(j["schema"], "tcptune.diff");
  EXPECT_EQ(j["identical"], false);
  EXPECT_EQ(j["sections"]["counters"][1]["a"], nullptr);
  EXPECT_EQ(j["sections"]["counters"][1]["b"], "1");
  EXPECT_EQ(j["sections"]["census"][0]["name"], "TIME-WAIT");
}

TEST(SnapshotDiff, CensusOnOneSideOnly) {
  const Snapshot a = base();
  Snapshot b = base();
  b.census.reset();
  const SnapshotDiff d = diff_snapshots(a, b);
  ASSERT_EQ(d.census.size(), 1u);
  EXPECT_EQ(d.census[0], (DiffEntry{"(census)", "taken", std::nullopt}));
}

}  // namespace
}  // namespace tcptune::core

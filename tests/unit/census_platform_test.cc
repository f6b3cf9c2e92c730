// Platform adapters of the census against temporary /proc trees (no live kernel needed).
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "platform/counters.h"
#include "platform/sock_diag.h"

namespace tcptune::platform {
namespace {

namespace fs = std::filesystem;

class TempTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tcptune-census-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "proc/net");
    fs::create_directories(root_ / "proc/sys/net/ipv4");
  }
  void TearDown() override { fs::remove_all(root_); }
  void put(const std::string& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }
  fs::path root_;
};

TEST_F(TempTree, CountersReadAllThreeFilesByName) {
  put("proc/net/sockstat", "sockets: used 5\nTCP: inuse 3 orphan 0 tw 4 alloc 6 mem 1\n");
  put("proc/net/netstat", "TcpExt: TW ListenOverflows\nTcpExt: 9 2\n");
  put("proc/net/snmp", "Tcp: CurrEstab OutRsts\nTcp: 3 7\n");
  auto c = read_counters(root_.string());
  ASSERT_TRUE(c.ok()) << c.error().render();
  ASSERT_TRUE(c->current.sockstat.has_value());
  EXPECT_EQ(c->current.sockstat->tw, 4);
  EXPECT_EQ(c->current.values.at("TcpExtListenOverflows"), 2);
  EXPECT_EQ(c->current.values.at("TcpOutRsts"), 7);
  EXPECT_TRUE(c->notes.empty());
  EXPECT_FALSE(c->earlier.has_value());
}

TEST_F(TempTree, MissingCounterFileIsANoteNotAFailure) {
  put("proc/net/sockstat", "TCP: inuse 3 orphan 0 tw 4 alloc 6 mem 1\n");
  auto c = read_counters(root_.string());
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->notes.size(), 2u);
  EXPECT_EQ(c->notes[0], "tcptune: error: " + (root_ / "proc/net/netstat").string() +
                             ": cannot open: No such file or directory");
  fs::remove(root_ / "proc/net/sockstat");
  auto none = read_counters(root_.string());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().render(), "tcptune: error: " + (root_ / "proc/net").string() +
                                       ": no counter file could be read\nhint: is /proc mounted inside this root?");
}

TEST_F(TempTree, ProcNetTcpFallbackCountsStatesPortsAndRemotes) {
  put("proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
  put("proc/net/tcp",
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11 1\n"
      "   1: 0100007F:9C40 0100007F:2382 06 00000000:00000000 03:00001770 00000000     0        0 0 3\n"
      "   2: 0100007F:9C41 0100007F:2382 01 00000000:00000000 00:00000000 00000000     0        0 12 1\n"
      "   3: 0100007F:2382 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 13 1\n");
  // No tcp6 file: IPv6 not counted, and the census says so.
  CensusOptions o;
  o.root = root_.string();
  o.by_remote = true;
  o.source = CensusSourceChoice::kProcNetTcp;
  auto c = take_census(o);
  ASSERT_TRUE(c.ok()) << c.error().render();
  EXPECT_EQ(c->source, core::CensusSource::kProcNetTcp);
  EXPECT_EQ(c->states[core::TcpState::kListen], 1u);
  EXPECT_EQ(c->states[core::TcpState::kEstablished], 2u);
  EXPECT_EQ(c->states[core::TcpState::kTimeWait], 1u);
  ASSERT_EQ(c->remotes->size(), 1u);
  EXPECT_EQ((*c->remotes)[0], (core::RemoteCounts{"127.0.0.1", 0x2382, 1, 1}));
  ASSERT_EQ(c->notes.size(), 1u);
  EXPECT_EQ(c->notes[0], (root_ / "proc/net/tcp6").string() + ": not readable (no IPv6?); IPv6 sockets not counted");
}

}  // namespace
}  // namespace tcptune::platform

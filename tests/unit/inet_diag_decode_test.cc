#include "core/inet_diag_decode.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/census_aggregate.h"

namespace tcptune::core {
namespace {

std::vector<uint8_t> fixture(const std::string& name) {
  std::ifstream in(std::string(TCPTUNE_SOURCE_DIR) + "/tests/fixtures/netlink/" + name, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

nlohmann::json expected() {
  std::ifstream in(std::string(TCPTUNE_SOURCE_DIR) + "/tests/fixtures/netlink/expected.json");
  return nlohmann::json::parse(in);
}

constexpr uint16_t kCompatType = 18;  // TCPDIAG_GETSOCK: what record.py asked with

struct Collect {
  std::vector<DiagSocket> seen;
  void on_socket(const DiagSocket& s) { seen.push_back(s); }
};

// Hands each decoded socket to an aggregator as a DiagSocket (what the /proc/net/tcp fallback does).
struct PerSocket {
  CensusAggregator& agg;
  void on_socket(const DiagSocket& s) { agg.on_socket(s); }
};

TEST(InetDiagDecode, RecordedDumpGivesTheRecordedPopulation) {
  const auto buf = fixture("tcp_dump.bin");
  const auto want = expected();
  ASSERT_FALSE(buf.empty());
  ASSERT_EQ(want["msg_type"].get<int>(), kCompatType);
  AggregateOptions o;
  o.by_port = true;
  CensusAggregator agg(o);
  auto step = agg.consume(buf, kCompatType);
  ASSERT_TRUE(step.ok()) << step.error().render();
  EXPECT_TRUE(step->done);
  EXPECT_FALSE(step->interrupted);
  EXPECT_EQ(step->sockets, want["total"].get<size_t>());
  const Census c = agg.finish(CensusSource::kSockDiag, "test");
  EXPECT_EQ(c.states.total(), want["total"].get<uint64_t>());
  EXPECT_EQ(c.ipv4, want["ipv4"].get<uint64_t>());
  EXPECT_EQ(c.ipv6, want["ipv6"].get<uint64_t>());
  for (const auto& [name, n] : want["states"].items())
    EXPECT_EQ(c.states[*parse_state(name)], n.get<uint64_t>()) << name;
  ASSERT_TRUE(c.ports.has_value());
  for (const auto& [port, n] : want["ports"].items()) {
    // A plain int for the lambda: clang before 16 cannot capture a structured binding.
    const int want_port = std::stoi(port);
    auto it = std::find_if(c.ports->begin(), c.ports->end(),
                           [&](const PortCounts& p) { return p.port == want_port; });
    ASSERT_NE(it, c.ports->end()) << port;
    EXPECT_EQ(it->states.total(), n.get<uint64_t>()) << port;
  }
}

// The netlink reader's path (CensusAggregator::consume: fields read in place) gives exactly the
// census of the same sockets handed over as DiagSockets (on_socket), with every view on.
TEST(InetDiagDecode, ConsumeMatchesThePerSocketPath) {
  const auto buf = fixture("tcp_dump.bin");
  AggregateOptions o;
  o.by_port = true;
  o.by_remote = true;
  o.ephemeral_range = PortRange{1024, 65535};
  o.collect_inodes = true;
  o.top_n = 1000;
  CensusAggregator generic(o), direct(o);
  PerSocket per_socket{generic};
  auto a = decode_inet_diag(buf, kCompatType, per_socket);
  auto b = direct.consume(buf, kCompatType);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->sockets, b->sockets);
  EXPECT_TRUE(b->done);
  const Census ca = generic.finish(CensusSource::kSockDiag, "t"), cb = direct.finish(CensusSource::kSockDiag, "t");
  EXPECT_EQ(ca, cb);
  EXPECT_GT(cb.ports->size(), 1u);
  EXPECT_FALSE(cb.listeners->empty());
  const auto kept = direct.owner_index()->list();
  EXPECT_EQ(generic.owner_index()->list(), kept);
  EXPECT_FALSE(kept.empty());
  EXPECT_EQ(generic.owner_index()->without_inode(), direct.owner_index()->without_inode());
  // A truncated datagram fails the same way on both paths.
  const std::vector<uint8_t> cut(buf.begin(), buf.begin() + 100);
  CensusAggregator g2(o), d2(o);
  PerSocket per_socket2{g2};
  auto ea = decode_inet_diag(cut, kCompatType, per_socket2);
  auto eb = d2.consume(cut, kCompatType);
  ASSERT_FALSE(ea.ok());
  ASSERT_FALSE(eb.ok());
  EXPECT_EQ(ea.error().render(), eb.error().render());
}

TEST(InetDiagDecode, TimeWaitMessagesCarryTheTimewaitTimer) {
  const auto buf = fixture("tcp_dump.bin");
  Collect col;
  ASSERT_TRUE(decode_inet_diag(buf, kCompatType, col).ok());
  size_t tw_timer = 0;
  for (const DiagSocket& s : col.seen) {
    if (s.timer == 3) ++tw_timer;
    if (s.state == 6) {
      EXPECT_EQ(s.inode, 0u);  // minisocks have no inode
    }
    if (s.state == 10) {
      EXPECT_NE(s.inode, 0u);
    }
  }
  EXPECT_EQ(tw_timer, expected()["time_wait_timer_sockets"].get<size_t>());
}

TEST(InetDiagDecode, TruncatedDumpIsAnError) {
  auto buf = fixture("tcp_dump.bin");
  ASSERT_GT(buf.size(), 200u);
  Collect col;
  buf.resize(100);  // inside the second message
  auto r = decode_inet_diag(buf, kCompatType, col);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: sock_diag: truncated netlink message");
  buf.resize(10);
  r = decode_inet_diag(buf, kCompatType, col);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: sock_diag: truncated netlink header");
}

TEST(InetDiagDecode, ShortPayloadIsAnError) {
  std::vector<uint8_t> msg(16 + 40, 0);
  const uint32_t len = static_cast<uint32_t>(msg.size());
  std::memcpy(msg.data(), &len, 4);
  std::memcpy(msg.data() + 4, &kCompatType, 2);
  Collect col;
  auto r = decode_inet_diag(msg, kCompatType, col);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: sock_diag: truncated inet_diag_msg");
  EXPECT_TRUE(col.seen.empty());
}

TEST(InetDiagDecode, RecordedNlmsgErrorKeepsErrno) {
  const auto buf = fixture("nlmsg_error.bin");
  Collect col;
  auto r = decode_inet_diag(buf, 20, col);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().err, EINVAL);
  EXPECT_EQ(r.error().render(), "tcptune: error: sock_diag: dump request failed: Invalid argument");
}

TEST(InetDiagDecode, NegativeDoneStatusIsAnError) {
  std::vector<uint8_t> msg(20, 0);
  const uint32_t len = 20;
  const uint16_t done = 3;
  const int32_t status = -ENOBUFS;
  std::memcpy(msg.data(), &len, 4);
  std::memcpy(msg.data() + 4, &done, 2);
  std::memcpy(msg.data() + 16, &status, 4);
  Collect col;
  auto r = decode_inet_diag(msg, kCompatType, col);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().err, ENOBUFS);
  EXPECT_EQ(r.error().render(), "tcptune: error: sock_diag: dump failed: No buffer space available");
}

// A corrupt reply's status outside -MAX_ERRNO..-1 is reported raw; negating INT32_MIN was
// undefined behaviour (found by fuzz_inet_diag in CI).
TEST(InetDiagDecode, OutOfRangeStatusIsReportedRawNotNegated) {
  struct Case {
    uint16_t type;
    int32_t status;
    const char* text;
  };
  const Case cases[] = {
      {3, INT32_MIN, "tcptune: error: sock_diag: dump failed (malformed status -2147483648)"},
      {3, -4096, "tcptune: error: sock_diag: dump failed (malformed status -4096)"},
      {2, INT32_MIN, "tcptune: error: sock_diag: dump request failed (malformed status -2147483648)"},
      {2, 7, "tcptune: error: sock_diag: dump request failed (malformed status 7)"},
      {2, -4095, "tcptune: error: sock_diag: dump request failed: Unknown error 4095"},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> msg(20, 0);
    const uint32_t len = 20;
    std::memcpy(msg.data(), &len, 4);
    std::memcpy(msg.data() + 4, &c.type, 2);
    std::memcpy(msg.data() + 16, &c.status, 4);
    Collect col;
    auto r = decode_inet_diag(msg, kCompatType, col);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().render(), c.text);
    EXPECT_EQ(r.error().err, c.status == -4095 ? 4095 : 0);
  }
}

TEST(InetDiagDecode, InterruptedDumpIsFlaggedAndStillCounted) {
  auto buf = fixture("tcp_dump.bin");
  uint16_t flags = 0;
  std::memcpy(&flags, buf.data() + 6, 2);
  flags |= 0x10;  // NLM_F_DUMP_INTR
  std::memcpy(buf.data() + 6, &flags, 2);
  Collect col;
  auto r = decode_inet_diag(buf, kCompatType, col);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->interrupted);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(col.seen.size(), expected()["total"].get<size_t>());
}

TEST(InetDiagDecode, UnknownStateIsCountedAsUnknown) {
  auto buf = fixture("tcp_dump.bin");
  const uint8_t original = buf[16 + 1];
  buf[16 + 1] = 42;  // idiag_state of the first message
  CensusAggregator agg(AggregateOptions{});
  ASSERT_TRUE(agg.consume(buf, kCompatType).ok());
  const Census c = agg.finish(CensusSource::kSockDiag, "test");
  EXPECT_EQ(c.states[TcpState::kUnknown], 1u);
  EXPECT_EQ(c.states.total(), expected()["total"].get<uint64_t>());
  const std::string name(state_name(static_cast<TcpState>(original)));
  EXPECT_EQ(c.states[static_cast<TcpState>(original)] + 1, expected()["states"][name].get<uint64_t>());
}

TEST(InetDiagDecode, UnexpectedMessageTypeIsAnError) {
  const auto buf = fixture("tcp_dump.bin");
  Collect col;
  auto r = decode_inet_diag(buf, 20, col);  // the dump carries type 18, not 20
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: sock_diag: unexpected netlink message type 18");
}

}  // namespace
}  // namespace tcptune::core

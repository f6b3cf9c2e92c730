#include "core/census_aggregate.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

DiagSocket sock(uint8_t state, uint16_t sport, uint16_t dport, uint8_t last_dst_octet = 1,
                uint8_t family = 2, uint8_t timer = 0, uint32_t inode = 0) {
  DiagSocket s;
  s.family = family;
  s.state = state;
  s.timer = timer;
  s.sport = sport;
  s.dport = dport;
  s.src = {127, 0, 0, 1};
  s.dst = {10, 0, 0, last_dst_octet};
  s.inode = inode;
  return s;
}

TEST(CensusAggregate, TopPortsAreSortedAndCut) {
  AggregateOptions o;
  o.by_port = true;
  o.top_n = 2;
  CensusAggregator agg(o);
  for (int i = 0; i < 3; ++i) agg.on_socket(sock(1, 80, 40000));
  for (int i = 0; i < 5; ++i) agg.on_socket(sock(8, 9090, 40001));
  agg.on_socket(sock(10, 22, 0));
  agg.on_socket(sock(10, 9090, 0));
  const Census c = agg.finish(CensusSource::kSockDiag, "m");
  EXPECT_EQ(c.distinct_ports, 3u);
  ASSERT_EQ(c.ports->size(), 2u);
  EXPECT_EQ((*c.ports)[0].port, 9090);
  EXPECT_EQ((*c.ports)[0].states[TcpState::kCloseWait], 5u);
  EXPECT_EQ((*c.ports)[0].states[TcpState::kListen], 1u);
  EXPECT_EQ((*c.ports)[1].port, 80);
  EXPECT_EQ(c.states.total(), 10u);
}

TEST(CensusAggregate, RemotesCountOnlyEphemeralEstablishedAndTimeWait) {
  AggregateOptions o;
  o.by_remote = true;
  o.ephemeral_range = PortRange{32768, 60999};
  CensusAggregator agg(o);
  agg.on_socket(sock(1, 40000, 443, 7));
  agg.on_socket(sock(6, 40001, 443, 7));
  agg.on_socket(sock(6, 40002, 443, 7));
  agg.on_socket(sock(1, 40003, 80, 8));
  agg.on_socket(sock(1, 443, 40000, 9));   // inbound: local port outside the range
  agg.on_socket(sock(8, 40004, 443, 7));   // CLOSE-WAIT: not part of this view
  const Census c = agg.finish(CensusSource::kSockDiag, "m");
  ASSERT_TRUE(c.remotes.has_value());
  EXPECT_EQ(c.distinct_remotes, 2u);
  ASSERT_EQ(c.remotes->size(), 2u);
  EXPECT_EQ((*c.remotes)[0], (RemoteCounts{"10.0.0.7", 443, 1, 2}));
  EXPECT_EQ((*c.remotes)[1], (RemoteCounts{"10.0.0.8", 80, 1, 0}));
  EXPECT_FALSE(c.remotes_capped);
}

TEST(CensusAggregate, RemoteTableIsCapped) {
  AggregateOptions o;
  o.by_remote = true;
  o.ephemeral_range = PortRange{32768, 60999};
  o.max_remotes = 2;
  CensusAggregator agg(o);
  for (uint8_t d = 1; d <= 4; ++d) agg.on_socket(sock(1, 40000, 443, d));
  const Census c = agg.finish(CensusSource::kSockDiag, "m");
  EXPECT_EQ(c.distinct_remotes, 2u);
  EXPECT_TRUE(c.remotes_capped);
  EXPECT_EQ(c.states[TcpState::kEstablished], 4u);  // totals stay exact
}

TEST(CensusAggregate, FiltersApplyButMinisocksAreAlwaysSeen) {
  AggregateOptions o;
  o.state_mask = 1u << 8;  // CLOSE-WAIT only
  CensusAggregator agg(o);
  agg.on_socket(sock(5, 40000, 80, 1, 2, 3));  // FIN-WAIT-2 minisock
  agg.on_socket(sock(5, 40001, 80, 1, 2, 0));  // full FIN-WAIT-2
  agg.on_socket(sock(8, 80, 40001));
  agg.on_socket(sock(99, 80, 1));
  EXPECT_EQ(agg.fin_wait2_minisocks(), 1u);
  Census c = agg.finish(CensusSource::kSockDiag, "m");
  EXPECT_EQ(c.states.total(), 1u);
  EXPECT_EQ(c.states[TcpState::kCloseWait], 1u);
  EXPECT_EQ(c.state_filter, 1u << 8);

  AggregateOptions p;
  p.port = 80;
  CensusAggregator by_port(p);
  by_port.on_socket(sock(1, 80, 1));
  by_port.on_socket(sock(1, 81, 1));
  EXPECT_EQ(by_port.finish(CensusSource::kSockDiag, "m").states.total(), 1u);
}

TEST(CensusAggregate, OwnersAreAttributedByInode) {
  AggregateOptions o;
  o.collect_inodes = true;
  CensusAggregator agg(o);
  agg.on_socket(sock(8, 80, 1, 1, 2, 0, 100));
  agg.on_socket(sock(8, 80, 2, 1, 2, 0, 101));
  agg.on_socket(sock(1, 80, 3, 1, 2, 0, 200));
  agg.on_socket(sock(6, 80, 4, 1, 2, 3, 0));    // minisock: no owner
  agg.on_socket(sock(1, 80, 5, 1, 2, 0, 999));  // fd already closed
  std::unordered_map<uint32_t, InodeOwner> owners = {
      {100, {42, "leaky"}}, {101, {42, "leaky"}}, {200, {7, "nginx"}}};
  uint64_t without = 0;
  auto procs = attribute_owners(agg.inodes(), owners, &without);
  ASSERT_EQ(procs.size(), 2u);
  EXPECT_EQ(procs[0].pid, 42);
  EXPECT_EQ(procs[0].command, "leaky");
  EXPECT_EQ(procs[0].states[TcpState::kCloseWait], 2u);
  EXPECT_EQ(procs[1].pid, 7);
  EXPECT_EQ(without, 2u);
}

TEST(CensusAggregate, FormatsAddresses) {
  std::array<uint8_t, 16> a{};
  a[15] = 1;
  EXPECT_EQ(format_address(10, a), "::1");
  a = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(format_address(10, a), "2001:db8::1:0:0:1");
  a = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(format_address(10, a), "::ffff:192.0.2.1");
  a = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(format_address(10, a), "fe80::");
  a = {192, 0, 2, 33};
  EXPECT_EQ(format_address(2, a), "192.0.2.33");
}

TEST(CensusStates, ParsesTheFormsPeopleType) {
  EXPECT_EQ(parse_state("time-wait"), TcpState::kTimeWait);
  EXPECT_EQ(parse_state("TIME_WAIT"), TcpState::kTimeWait);
  EXPECT_EQ(parse_state("tw"), TcpState::kTimeWait);
  EXPECT_EQ(parse_state("ESTAB"), TcpState::kEstablished);
  EXPECT_EQ(parse_state("listening"), TcpState::kListen);
  EXPECT_EQ(parse_state("Close-Wait"), TcpState::kCloseWait);
  EXPECT_EQ(parse_state("fin-wait-2"), TcpState::kFinWait2);
  EXPECT_EQ(parse_state("syn-recv"), TcpState::kSynRecv);
  EXPECT_FALSE(parse_state("bogus").has_value());
  for (size_t i = 1; i < kStateSlots; ++i)
    EXPECT_EQ(parse_state(state_name(static_cast<TcpState>(i))), static_cast<TcpState>(i));
}

}  // namespace
}  // namespace tcptune::core

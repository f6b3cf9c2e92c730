#include "core/census_aggregate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// Per-port counters are bytes that carry into a map when they wrap: counts past 255, 256 and
// 65536 in one column stay exact, for states and for the keepalive columns, and ties rank the
// lower port first.
TEST(CensusAggregate, PortCountsStayExactPastOneByte) {
  AggregateOptions o;
  o.by_port = true;
  o.top_n = 3;
  CensusAggregator agg(o);
  for (int i = 0; i < 70000; ++i) agg.on_socket(sock(1, 443, 40000, 1, 2, 2));  // keepalive armed
  for (int i = 0; i < 256; ++i) agg.on_socket(sock(6, 80, 40001));
  for (int i = 0; i < 256; ++i) agg.on_socket(sock(6, 81, 40001));
  for (int i = 0; i < 255; ++i) agg.on_socket(sock(1, 65535, 40001));  // no timer
  agg.on_socket(sock(8, 0, 40001));
  const Census c = agg.finish(CensusSource::kSockDiag, "m");
  EXPECT_EQ(c.distinct_ports, 5u);
  ASSERT_EQ(c.ports->size(), 3u);
  EXPECT_EQ((*c.ports)[0].port, 443);
  EXPECT_EQ((*c.ports)[0].states[TcpState::kEstablished], 70000u);
  EXPECT_EQ((*c.ports)[0].keepalive, 70000u);
  EXPECT_EQ((*c.ports)[0].no_timer, 0u);
  EXPECT_EQ((*c.ports)[1].port, 80);
  EXPECT_EQ((*c.ports)[1].states[TcpState::kTimeWait], 256u);
  EXPECT_EQ((*c.ports)[2].port, 81);
  EXPECT_EQ(c.states.total(), 70000u + 256 + 256 + 255 + 1);
  o.top_n = 10;
  CensusAggregator all(o);
  for (int i = 0; i < 255; ++i) all.on_socket(sock(1, 65535, 40001));
  all.on_socket(sock(8, 0, 40001));
  const Census d = all.finish(CensusSource::kSockDiag, "m");
  ASSERT_EQ(d.ports->size(), 2u);
  EXPECT_EQ((*d.ports)[0].port, 65535);
  EXPECT_EQ((*d.ports)[0].no_timer, 255u);
  EXPECT_EQ((*d.ports)[1].port, 0);
  EXPECT_EQ((*d.ports)[1].states[TcpState::kCloseWait], 1u);
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
  const auto owned = agg.take_owner_index();
  SocketOwnerIndex& index = *owned;
  index.seal(64, agg.owner_ports(64));
  EXPECT_EQ(index.held_sockets(), 4u);
  EXPECT_EQ(index.without_inode(), 1u);
  EXPECT_TRUE(index.claim(42, 100));
  EXPECT_TRUE(index.claim(42, 101));
  EXPECT_FALSE(index.claim(42, 555));  // not a dumped TCP socket (a UDP or unix socket)
  EXPECT_TRUE(index.claim(7, 200));
  EXPECT_FALSE(index.claim(8, 200));  // shared across fork(): the first holder keeps it
  index.name(42, "leaky");
  index.name(7, "nginx");
  Census c;
  index.finish(&c);
  ASSERT_EQ(c.processes->size(), 2u);
  const auto& procs = *c.processes;
  EXPECT_EQ(procs[0].pid, 42);
  EXPECT_EQ(procs[0].command, "leaky");
  EXPECT_EQ(procs[0].states[TcpState::kCloseWait], 2u);
  EXPECT_EQ(procs[1].pid, 7);
  EXPECT_EQ(procs[1].states[TcpState::kEstablished], 1u);
  EXPECT_EQ(c.sockets_without_owner, 2u);
  EXPECT_EQ(*c.close_wait_owners, (std::vector<PortOwner>{{80, 42, "leaky", 2}}));
  EXPECT_EQ(*c.established_owners, (std::vector<PortOwner>{{80, 7, "nginx", 1}}));
  EXPECT_EQ(c.owners_port_limit, 0u);
}

// Inodes far apart land in different groups (by their high 16 bits) and are still found; the
// owner lists keep the ports with the most sockets in the state, and say that they are capped.
TEST(CensusAggregate, OwnerListsKeepTheBusiestPorts) {
  AggregateOptions o;
  o.collect_inodes = true;
  CensusAggregator agg(o);
  uint32_t inode = 0x10000;
  // ESTABLISHED: port 9000 x3, 9001 x2, 9002 x1; inodes spread over three high halves.
  for (const int port : {9000, 9000, 9000, 9001, 9001, 9002}) {
    agg.on_socket(sock(1, static_cast<uint16_t>(port), 1, 1, 2, 0, inode));
    inode += 0x10001;
  }
  const auto owned = agg.take_owner_index();
  SocketOwnerIndex& index = *owned;
  index.seal(2, agg.owner_ports(2));
  for (const auto& k : index.list()) EXPECT_TRUE(index.claim(k.port == 9002 ? 2 : 1, k.inode)) << k.inode;
  index.name(1, "app");
  index.name(2, "other");
  Census c;
  index.finish(&c);
  EXPECT_EQ(*c.established_owners, (std::vector<PortOwner>{{9000, 1, "app", 3}, {9001, 1, "app", 2}}));
  EXPECT_EQ(c.owners_port_limit, 2u);
  ASSERT_EQ(c.processes->size(), 2u);  // every process counted in full
  EXPECT_EQ(c.processes->at(0).states[TcpState::kEstablished], 5u);
  EXPECT_EQ(c.processes->at(1).states[TcpState::kEstablished], 1u);
  EXPECT_EQ(c.sockets_without_owner, 0u);
}

// The owners named are those of the ports the port view ranks busiest: its counts include the
// sockets without an inode (accepted by the kernel, not yet by the application), so port 9000
// (3 such CLOSE-WAIT sockets and 1 held) outranks port 9001 (2 held). Without by_port there is
// still no port view: the per-port tables are kept for this ranking only.
TEST(CensusAggregate, OwnerListsNameThePortViewsBusiestPorts) {
  for (const bool by_port : {true, false}) {
    AggregateOptions o;
    o.collect_inodes = true;
    o.by_port = by_port;
    o.top_n = 1;
    CensusAggregator agg(o);
    for (int i = 0; i < 3; ++i) agg.on_socket(sock(8, 9000, 1, 1, 2, 0, 0));
    agg.on_socket(sock(8, 9000, 1, 1, 2, 0, 500));
    agg.on_socket(sock(8, 9001, 1, 1, 2, 0, 501));
    agg.on_socket(sock(8, 9001, 1, 1, 2, 0, 502));
    const Census view = agg.finish(CensusSource::kSockDiag, "test");
    const auto owned = agg.take_owner_index();
    owned->seal(1, agg.owner_ports(1));
    for (uint32_t inode : {500u, 501u, 502u}) EXPECT_TRUE(owned->claim(7, inode));
    owned->name(7, "app");
    Census c;
    owned->finish(&c);
    EXPECT_EQ(*c.close_wait_owners, (std::vector<PortOwner>{{9000, 7, "app", 1}})) << by_port;
    EXPECT_EQ(c.owners_port_limit, 1u);
    EXPECT_EQ(c.processes->at(0).states[TcpState::kCloseWait], 3u);
    if (by_port) {
      ASSERT_EQ(view.ports->size(), 1u);
      EXPECT_EQ(view.ports->front().port, 9000);
    } else {
      EXPECT_FALSE(view.ports.has_value());
    }
  }
}

// A socket dumped twice (it moved between hash buckets during the walk) is two entries of one
// inode: both are counted, as in the state totals, and both go to the holder.
TEST(CensusAggregate, OwnerOfADuplicateEntryTakesBoth) {
  AggregateOptions o;
  o.collect_inodes = true;
  CensusAggregator agg(o);
  agg.on_socket(sock(1, 80, 1, 1, 2, 0, 77));
  agg.on_socket(sock(1, 80, 1, 1, 2, 0, 77));
  const auto owned = agg.take_owner_index();
  SocketOwnerIndex& index = *owned;
  index.seal(64, agg.owner_ports(64));
  EXPECT_TRUE(index.claim(5, 77));
  EXPECT_TRUE(index.claim(5, 77));
  EXPECT_FALSE(index.claim(5, 77));
}

// A process view joined in passes (each a dump of the same sockets into the same index, keeping
// the inodes of its slice, then a walk) ends exactly as one pass: processes, owner lists and the
// sockets without an owner (minisocks counted once, fds of other slices not claimed twice).
TEST(CensusAggregate, OwnersJoinedInPassesEqualOnePass) {
  std::vector<DiagSocket> socks;
  for (uint32_t i = 0; i < 200; ++i) {
    const uint8_t state = i % 5 == 0 ? 8 : 1;  // CLOSE-WAIT or ESTABLISHED
    socks.push_back(sock(state, static_cast<uint16_t>(9000 + i % 7), 1, 1, 2, 0, 0x30000 + i * 37));
  }
  for (int i = 0; i < 9; ++i) socks.push_back(sock(6, 80, 2, 1, 2, 3, 0));  // TIME-WAIT: no inode
  // The walk: pid 10 + inode % 4 holds each socket; pid 99 holds a non-TCP socket.
  auto walk = [](SocketOwnerIndex& index) {
    for (uint32_t i = 0; i < 200; ++i) {
      const uint32_t inode = 0x30000 + i * 37;
      index.claim(static_cast<int32_t>(10 + inode % 4), inode);
    }
    index.claim(99, 5);
    for (int32_t pid = 10; pid < 14; ++pid) index.name(pid, "app" + std::to_string(pid));
  };
  auto run = [&](uint32_t parts) {
    AggregateOptions o;
    o.collect_inodes = true;
    o.by_port = true;
    CensusAggregator first(o);
    first.owner_index()->set_partitions(parts);
    for (const auto& s : socks) first.on_socket(s);
    const OwnerPorts named = first.owner_ports(3);
    auto index = first.take_owner_index();
    for (uint32_t part = 0; part < parts; ++part) {
      if (part > 0) {
        index->next_partition();
        CensusAggregator again{AggregateOptions{}};
        again.adopt_owner_index(std::move(index));
        for (const auto& s : socks) again.on_socket(s);
        index = again.take_owner_index();
      }
      EXPECT_EQ(index->partition(), part);
      index->seal(3, named);
      walk(*index);
    }
    Census c;
    index->finish(&c);
    return c;
  };
  const Census one = run(1);
  ASSERT_EQ(one.processes->size(), 4u);
  EXPECT_EQ(one.sockets_without_owner, 9u);
  EXPECT_EQ(one.owners_port_limit, 3u);
  for (const uint32_t parts : {2u, 3u, 7u}) {
    const Census passes = run(parts);
    EXPECT_EQ(*passes.processes, *one.processes) << parts;
    EXPECT_EQ(*passes.close_wait_owners, *one.close_wait_owners) << parts;
    EXPECT_EQ(*passes.established_owners, *one.established_owners) << parts;
    EXPECT_EQ(passes.sockets_without_owner, one.sockets_without_owner) << parts;
    EXPECT_EQ(passes.owners_port_limit, one.owners_port_limit) << parts;
  }
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

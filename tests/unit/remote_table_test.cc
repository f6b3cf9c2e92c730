#include "core/remote_table.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace tcptune::core {
namespace {

RemoteKey key(uint32_t n, uint16_t port, uint8_t family = 2) {
  RemoteKey k;
  k.addr[0] = 10;
  k.addr[1] = static_cast<uint8_t>(n >> 16);
  k.addr[2] = static_cast<uint8_t>(n >> 8);
  k.addr[3] = static_cast<uint8_t>(n);
  k.port = port;
  k.family = family;
  return k;
}

// Past the first growths (64 slots at first, at most half full) every remote keeps its own count,
// and for_each visits each exactly once with it.
TEST(RemoteTable, KeepsEveryRemotesCountThroughGrowth) {
  RemoteTable t;
  std::map<std::tuple<uint32_t, uint16_t>, uint32_t> want;
  for (uint32_t round = 0; round < 3; ++round) {
    for (uint32_t n = 0; n < 5000; ++n) {
      if (n % 7 < round) continue;  // remotes with different counts
      const auto port = static_cast<uint16_t>(443 + n % 3);
      RemoteTally* tally = t.find_or_add(key(n, port), 65536);
      ASSERT_NE(tally, nullptr);
      ++tally->established;
      ++want[{n, port}];
    }
  }
  EXPECT_EQ(t.size(), want.size());
  size_t seen = 0;
  t.for_each([&](const RemoteKey& k, const RemoteTally& v) {
    const uint32_t n = uint32_t{k.addr[1]} << 16 | uint32_t{k.addr[2]} << 8 | k.addr[3];
    EXPECT_EQ(v.established, want.at({n, k.port})) << n;
    ++seen;
  });
  EXPECT_EQ(seen, want.size());
}

// The same address and port in another family, or another port, is another remote; a key of
// all zeroes is a remote like any other.
TEST(RemoteTable, KeysDifferInEveryField) {
  RemoteTable t;
  ++t.find_or_add(key(1, 80), 10)->time_wait;
  ++t.find_or_add(key(1, 80, 10), 10)->time_wait;
  ++t.find_or_add(key(1, 81), 10)->time_wait;
  ++t.find_or_add(RemoteKey{}, 10)->syn_sent;
  ++t.find_or_add(key(1, 80), 10)->time_wait;
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(t.find_or_add(key(1, 80), 10)->time_wait, 2u);
  EXPECT_EQ(t.find_or_add(RemoteKey{}, 10)->syn_sent, 1u);
}

// At the cap a new remote gets no tally; the ones already tracked still count.
TEST(RemoteTable, StopsAddingAtTheCap) {
  RemoteTable t;
  for (uint32_t n = 0; n < 100; ++n) ASSERT_NE(t.find_or_add(key(n, 53), 100), nullptr);
  EXPECT_EQ(t.find_or_add(key(100, 53), 100), nullptr);
  ASSERT_NE(t.find_or_add(key(99, 53), 100), nullptr);
  EXPECT_EQ(t.size(), 100u);
}

}  // namespace
}  // namespace tcptune::core

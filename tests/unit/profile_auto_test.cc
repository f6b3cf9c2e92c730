#include "core/recommend_auto.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

// A server: one listening port (443) with the given inbound mix, plus outbound connections.
WorkloadObservation host(uint64_t in_est, uint64_t in_tw, uint64_t out_est, uint64_t out_tw) {
  WorkloadObservation o;
  o.established = in_est + out_est;
  o.time_wait = in_tw + out_tw;
  o.listening = 1;
  o.ports.push_back({443, true, in_est, in_tw, 0});
  o.ephemeral_ports = 28232;
  return o;
}

TEST(ProfileAuto, ShortInboundIsHttpShort) {
  // 100 ESTABLISHED, 600 TIME-WAIT: 10 closes/s (TIME-WAIT lasts 60 s) -> ~10 s per connection.
  const AutoChoice c = recommend_auto(host(100, 600, 0, 0));
  ASSERT_EQ(c.profile, "http-short");
  EXPECT_EQ(c.why, (std::vector<std::string>{"inbound connections on listening ports live ~10 s"}));
  EXPECT_EQ(c.evidence, (std::vector<std::string>{
                            "700 connections: 100 ESTABLISHED, 600 TIME-WAIT, 0 CLOSE-WAIT, 0 other; 1 listening sockets",
                            "inbound (local ports 443): 100 ESTABLISHED, 600 TIME-WAIT",
                            "outbound (other local ports): 0 ESTABLISHED, 0 TIME-WAIT = 0% of connections",
                            "estimated inbound connection lifetime: ~10 s (100 ESTABLISHED x 60 s / 600 TIME-WAIT "
                            "(TIME-WAIT lasts 60 s))"}));
}

TEST(ProfileAuto, ManyShortOutboundIsHttpClient) {
  WorkloadObservation o = host(0, 0, 50, 5000);
  o.ports.clear();
  o.listening = 0;
  o.remotes.push_back({"203.0.113.7:443", 40, 4000});
  const AutoChoice c = recommend_auto(o);
  ASSERT_EQ(c.profile, "http-client");
  EXPECT_EQ(c.why, (std::vector<std::string>{
                       "outbound connections are 100% of all (TIME-WAIT 5000, ESTABLISHED 50), and one destination "
                       "holds a large share of the ephemeral ports"}));
  EXPECT_NE(std::find(c.evidence.begin(), c.evidence.end(),
                      "busiest destination 203.0.113.7:443: 40 ESTABLISHED + 4000 TIME-WAIT of 28232 ephemeral ports (14.3%)"),
            c.evidence.end());
}

TEST(ProfileAuto, BothSidesShortIsReverseProxy) {
  EXPECT_EQ(recommend_auto(host(100, 600, 100, 900)).profile, "reverse-proxy");
}

TEST(ProfileAuto, LongInboundIsChatLongOnlyWithEvidenceOfLifetime) {
  // 5000 ESTABLISHED, 50 TIME-WAIT: ~100 min per connection.
  const AutoChoice c = recommend_auto(host(5000, 50, 0, 0));
  ASSERT_EQ(c.profile, "chat-long");
  EXPECT_EQ(c.why, (std::vector<std::string>{"5000 inbound connections stay open ~100 min"}));
  // Without TIME-WAIT and without rates the lifetime is unknown: nothing fits, and it says why.
  const AutoChoice unknown = recommend_auto(host(5000, 0, 0, 0));
  EXPECT_FALSE(unknown.profile.has_value());
  EXPECT_NE(std::find(unknown.caveats.begin(), unknown.caveats.end(),
                      "inbound lifetime cannot be estimated: no TIME-WAIT on the listening ports (the peers may be "
                      "closing first) and no counter rates"),
            unknown.caveats.end());
  // Open rates decide it: 2 accepts/s for 5000 connections -> ~42 min.
  WorkloadObservation rated = host(5000, 0, 0, 0);
  rated.passive_per_s = 2.0;
  rated.active_per_s = 0.0;
  rated.rate_interval_s = 1.0;
  EXPECT_EQ(recommend_auto(rated).profile, "chat-long");
  // No accept in the sample only bounds the lifetime from below: 5000 x 1 s is enough, 300 x 1 s
  // (5 min) is not.
  rated.passive_per_s = 0.0;
  const AutoChoice bound = recommend_auto(rated);
  ASSERT_EQ(bound.profile, "chat-long");
  EXPECT_EQ(bound.why, (std::vector<std::string>{"5000 inbound connections stay open at least ~83 min"}));
  EXPECT_FALSE(recommend_auto([] {
                 WorkloadObservation few = host(300, 0, 0, 0);
                 few.passive_per_s = 0.0;
                 few.rate_interval_s = 1.0;
                 return few;
               }())
                   .profile.has_value());
}

TEST(ProfileAuto, NothingFits) {
  const AutoChoice few = recommend_auto(host(3, 2, 1, 0));
  EXPECT_FALSE(few.profile.has_value());
  EXPECT_EQ(few.why, (std::vector<std::string>{
                         "nothing fits: 6 connections are too few to tell a workload (at least 20 needed)"}));
  const AutoChoice mixed = recommend_auto(host(5000, 50, 200, 3000));
  EXPECT_FALSE(mixed.profile.has_value());
  EXPECT_EQ(mixed.why[0].rfind("nothing fits: long-lived inbound connections and short outbound ones", 0), 0u);
}

TEST(ProfileAuto, CloseWaitIsNamedAsAnApplicationProblem) {
  WorkloadObservation o = host(100, 600, 0, 0);
  o.close_wait = 37;
  const AutoChoice c = recommend_auto(o);
  EXPECT_NE(std::find(c.caveats.begin(), c.caveats.end(),
                      "37 CLOSE-WAIT: the application has not called close() on them; no sysctl fixes that "
                      "(keepalive does not reap CLOSE-WAIT)"),
            c.caveats.end());
}

}  // namespace
}  // namespace tcptune::core

namespace tcptune::core {
namespace {

TEST(ProfileAuto, ObserveReducesCensusAndCounters) {
  Census c;
  c.states[TcpState::kEstablished] = 30;
  c.states[TcpState::kTimeWait] = 5;
  c.states[TcpState::kCloseWait] = 2;
  c.states[TcpState::kFinWait2] = 1;
  c.states[TcpState::kListen] = 1;
  PortCounts p443;
  p443.port = 443;
  p443.states[TcpState::kListen] = 1;
  p443.states[TcpState::kEstablished] = 20;
  p443.states[TcpState::kCloseWait] = 2;
  c.ports = std::vector<PortCounts>{p443};
  c.distinct_ports = 12;
  c.remotes = std::vector<RemoteCounts>{{"2001:db8::1", 443, 10, 5}};
  c.ephemeral_range = PortRange{32768, 60999};
  Counters k;
  k.current.monotonic_ms = 3000;
  k.current.values = {{"TcpActiveOpens", 110}, {"TcpPassiveOpens", 42}};
  k.earlier = CounterSample{};
  k.earlier->monotonic_ms = 1000;
  k.earlier->values = {{"TcpActiveOpens", 100}, {"TcpPassiveOpens", 42}};
  const WorkloadObservation o = observe(c, k);
  EXPECT_EQ(o.established, 30u);
  EXPECT_EQ(o.time_wait, 5u);
  EXPECT_EQ(o.close_wait, 2u);
  EXPECT_EQ(o.other, 1u);
  EXPECT_EQ(o.listening, 1u);
  EXPECT_EQ(o.ports, (std::vector<PortObservation>{{443, true, 20, 0, 2}}));
  EXPECT_TRUE(o.ports_partial);
  EXPECT_EQ(o.remotes, (std::vector<RemoteObservation>{{"[2001:db8::1]:443", 10, 5}}));
  EXPECT_EQ(o.ephemeral_ports, 28232u);
  EXPECT_EQ(o.active_opens, 110);
  EXPECT_EQ(o.passive_opens, 42);
  EXPECT_DOUBLE_EQ(*o.active_per_s, 5.0);
  EXPECT_DOUBLE_EQ(*o.passive_per_s, 0.0);
  EXPECT_DOUBLE_EQ(o.rate_interval_s, 2.0);
}

}  // namespace
}  // namespace tcptune::core

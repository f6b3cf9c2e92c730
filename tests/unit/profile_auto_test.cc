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
  EXPECT_EQ(recommend_auto(rated).profile, "chat-long");
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

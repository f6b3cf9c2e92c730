#include "core/census_json.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

Census full_census() {
  Census c;
  c.source = CensusSource::kProcNetTcp;
  c.method = "/proc/net/tcp and /proc/net/tcp6";
  c.states[TcpState::kEstablished] = 12;
  c.states[TcpState::kTimeWait] = 30;
  c.states[TcpState::kUnknown] = 1;
  c.ipv4 = 40;
  c.ipv6 = 3;
  c.time_wait_derived = true;
  c.state_filter = (1u << 1) | (1u << 6);
  c.port_filter = 9090;
  PortCounts p;
  p.port = 9090;
  p.states[TcpState::kEstablished] = 5;
  c.ports = std::vector<PortCounts>{p};
  c.distinct_ports = 4;
  c.remotes = std::vector<RemoteCounts>{{"::1", 443, 2, 9}};
  c.distinct_remotes = 1;
  c.remotes_capped = true;
  c.ephemeral_range = PortRange{32768, 60999};
  ProcessSockets ps;
  ps.pid = 77;
  ps.command = "leaky";
  ps.states[TcpState::kCloseWait] = 3;
  c.processes = std::vector<ProcessSockets>{ps};
  c.sockets_without_owner = 8;
  c.notes = {"a note"};
  return c;
}

TEST(CensusJson, RoundTripIsLossless) {
  const Census c = full_census();
  const nlohmann::json j = census_to_json(c);
  EXPECT_EQ(j["states"]["TIME-WAIT"], 30);
  EXPECT_EQ(j["total"], 43);
  EXPECT_EQ(j["source"], "proc_net_tcp");
  EXPECT_EQ(j["ephemeral_range"]["size"], 28232);
  auto back = census_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.error().render();
  EXPECT_EQ(*back, c);
  const Census empty;
  auto e = census_from_json(census_to_json(empty));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, empty);
}

TEST(CensusJson, BadInputIsAnErrorValue) {
  auto r = census_from_json(nlohmann::json::array());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: snapshot: 'census' is not an object");
  nlohmann::json j = census_to_json(full_census());
  j["states"]["NOPE"] = 1;
  r = census_from_json(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: snapshot: 'census': unknown state 'NOPE'");
  j = census_to_json(full_census());
  j["source"] = "carrier pigeon";
  r = census_from_json(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: snapshot: 'census': unknown source 'carrier pigeon'");
}

TEST(CountersJson, RoundTripAndRates) {
  Counters c;
  c.earlier = CounterSample{1000, SockStat{1, 2, 3, 4, 5}, {{"TcpExtListenOverflows", 10}, {"TcpOutRsts", 4}}};
  c.current = CounterSample{3000, SockStat{2, 2, 9, 4, 6}, {{"TcpExtListenOverflows", 30}, {"TcpOutRsts", 4},
                                                            {"TcpExtNew", 1}}};
  c.notes = {"proc/net/snmp: cannot open"};
  const auto rates = counter_rates(c);
  EXPECT_DOUBLE_EQ(rates.at("TcpExtListenOverflows"), 10.0);
  EXPECT_DOUBLE_EQ(rates.at("TcpOutRsts"), 0.0);
  EXPECT_FALSE(rates.contains("TcpExtNew"));
  const nlohmann::json j = counters_to_json(c);
  EXPECT_DOUBLE_EQ(j["rates"]["TcpExtListenOverflows"].get<double>(), 10.0);
  auto back = counters_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.error().render();
  EXPECT_EQ(*back, c);
  Counters single;
  single.current.values["TcpOutRsts"] = 1;
  EXPECT_TRUE(counter_rates(single).empty());
  auto s = counters_from_json(counters_to_json(single));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, single);
}

}  // namespace
}  // namespace tcptune::core

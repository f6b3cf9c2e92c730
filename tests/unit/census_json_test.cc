#include "core/census_json.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

constexpr const char* kHint =
    "\nhint: the snapshot is damaged or from an incompatible version; take it again with 'tcptune snapshot'";

// The census or counters member of a snapshot file "snap.json", read on its own.
template <typename T, typename F>
Result<T> read_as(F read, const nlohmann::json& j, const char* at) {
  JsonReader r{"snap.json"};
  T out = read(r, j, at);
  if (r.failed()) return r.error();
  return out;
}
Result<Census> census_from(const nlohmann::json& j) { return read_as<Census>(census_from_json, j, "/census"); }
Result<Counters> counters_from(const nlohmann::json& j) { return read_as<Counters>(counters_from_json, j, "/counters"); }

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
  c.close_wait_owners = std::vector<PortOwner>{{9090, 77, "leaky", 3}};
  c.established_owners = std::vector<PortOwner>{};
  c.owners_port_limit = 64;
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
  EXPECT_EQ(j["owners_port_limit"], 64);
  auto back = census_from(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.error().render();
  EXPECT_EQ(*back, c);
  const Census empty;
  auto e = census_from(census_to_json(empty));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, empty);
}

TEST(CensusJson, BadInputNamesThePointer) {
  auto r = census_from(nlohmann::json::array());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), std::string("tcptune: error: snap.json: /census: expected an object, found an array") + kHint);
  nlohmann::json j = census_to_json(full_census());
  j["states"]["NOPE"] = 1;
  r = census_from(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), std::string("tcptune: error: snap.json: /census/states/NOPE: unknown state 'NOPE'") + kHint);
  j = census_to_json(full_census());
  j["source"] = "carrier pigeon";
  r = census_from(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), std::string("tcptune: error: snap.json: /census/source: unknown source 'carrier pigeon' "
                                            "(expected sock_diag or proc_net_tcp)") + kHint);
  j = census_to_json(full_census());
  j["ports"][0]["port"] = 70000;
  r = census_from(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), std::string("tcptune: error: snap.json: /census/ports/0/port: integer 70000 out of range 0..65535") + kHint);
  j = census_to_json(full_census());
  j["processes"][0]["states"]["CLOSE-WAIT"] = -3;
  r = census_from(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), std::string("tcptune: error: snap.json: /census/processes/0/states/CLOSE-WAIT: "
                                            "expected a non-negative integer, found -3") + kHint);
}

TEST(CensusJson, SnapshotsWithoutFinWait2OrphanedStillLoad) {
  Census c = full_census();
  c.fin_wait2_orphaned = 0;
  nlohmann::json j = census_to_json(c);
  j.erase("fin_wait2_orphaned");
  auto back = census_from(j);
  ASSERT_TRUE(back.ok()) << back.error().render();
  EXPECT_EQ(*back, c);
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
  auto back = counters_from(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.error().render();
  EXPECT_EQ(*back, c);
  Counters single;
  single.current.values["TcpOutRsts"] = 1;
  EXPECT_TRUE(counter_rates(single).empty());
  auto s = counters_from(counters_to_json(single));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, single);
}

TEST(CountersJson, BadSampleNamesThePointer) {
  Counters c;
  c.current = CounterSample{3000, SockStat{2, 2, 9, 4, 6}, {{"TcpOutRsts", 4}}};
  c.earlier = c.current;
  nlohmann::json j = counters_to_json(c);
  j["earlier"]["values"]["TcpOutRsts"] = "4";
  auto r = counters_from(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(),
            std::string("tcptune: error: snap.json: /counters/earlier/values/TcpOutRsts: expected an integer, found a string") + kHint);
  j = counters_to_json(c);
  j["current"]["sockstat"].erase("tw");
  r = counters_from(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), std::string("tcptune: error: snap.json: /counters/current/sockstat: missing member 'tw'") + kHint);
}

}  // namespace
}  // namespace tcptune::core

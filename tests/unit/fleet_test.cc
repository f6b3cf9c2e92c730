// core/fleet: majority per key per group, naming the hosts that differ, findings by host, and
// the findings that go with a difference.
#include "core/fleet.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

FleetHost host(std::string group, std::string name, std::string fin_timeout, std::map<std::string, Severity> findings = {}) {
  return {std::move(group), std::move(name), {{"net.ipv4.tcp_fin_timeout", std::move(fin_timeout)}, {"net.core.somaxconn", "4096"}},
          std::move(findings)};
}

TEST(Fleet, NamesTheHostsThatDifferFromTheirGroupsMajority) {
  FleetTally t;
  for (int i = 0; i < 10; ++i) t.add(host("web", "web-" + std::to_string(i), i == 3 || i == 7 ? "30" : "60"));
  for (int i = 0; i < 4; ++i) t.add(host("db", "db-" + std::to_string(i), "30"));  // another group's majority
  const FleetReport r = t.report();
  EXPECT_EQ(r.hosts, 14u);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].name, "db");
  EXPECT_TRUE(r.groups[0].deviations.empty());
  const FleetGroup& web = r.groups[1];
  EXPECT_EQ(web.hosts, 10u);
  ASSERT_EQ(web.deviations.size(), 1u);
  const KeyDeviation& d = web.deviations[0];
  EXPECT_EQ(d.key, "net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(d.value, "30");
  EXPECT_EQ(d.majority, "60");
  EXPECT_EQ(d.majority_hosts, 8u);
  EXPECT_FALSE(d.tied);
  EXPECT_EQ(d.hosts.names, (std::vector<std::string>{"web-3", "web-7"}));
}

TEST(Fleet, TiesAreMarkedAndGoToTheSmallestValue) {
  FleetTally t;
  t.add(host("g", "a", "60"));
  t.add(host("g", "b", "30"));
  const auto r = t.report();
  ASSERT_EQ(r.groups[0].deviations.size(), 1u);
  EXPECT_EQ(r.groups[0].deviations[0].majority, "30");
  EXPECT_EQ(r.groups[0].deviations[0].value, "60");
  EXPECT_TRUE(r.groups[0].deviations[0].tied);
}

TEST(Fleet, FindingsByHostAndTheDifferencesTheyGoWith) {
  FleetTally t;
  t.add(host("g", "h1", "60", {{"TT-A", Severity::kInfo}}));
  t.add(host("g", "h2", "60"));
  t.add(host("g", "h3", "60"));
  t.add(host("g", "h4", "30", {{"TT-B", Severity::kCritical}, {"TT-A", Severity::kInfo}}));
  const auto r = t.report();
  const FleetGroup& g = r.groups[0];
  ASSERT_EQ(g.findings.size(), 2u);
  EXPECT_EQ(g.findings[0].id, "TT-B");  // most severe first
  EXPECT_EQ(g.findings[0].hosts.names, (std::vector<std::string>{"h4"}));
  EXPECT_EQ(g.findings[1].id, "TT-A");
  EXPECT_EQ(g.findings[1].hosts.count, 2u);
  // TT-A: 1 of 1 with 30 against 1 of 3 with 60; TT-B: 1 of 1 against 0 of 3.
  ASSERT_EQ(g.correlations.size(), 2u);
  EXPECT_EQ(g.correlations[0].finding, "TT-A");
  EXPECT_EQ(g.correlations[0].majority_with, 1u);
  EXPECT_EQ(g.correlations[1].finding, "TT-B");
  EXPECT_EQ(g.correlations[1].key, "net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(g.correlations[1].value, "30");
  EXPECT_EQ(g.correlations[1].with, 1u);
  EXPECT_EQ(g.correlations[1].value_hosts, 1u);
  EXPECT_EQ(g.correlations[1].majority_hosts, 3u);
  EXPECT_EQ(g.correlations[1].majority_with, 0u);
}

TEST(Fleet, HostNamesKeptAreBoundedAndTheRestCounted) {
  FleetTally t;
  for (int i = 0; i < 100; ++i) t.add(host("g", "a" + std::to_string(i), "60"));
  for (int i = 0; i < 30; ++i) t.add(host("g", "b" + std::to_string(i), "30"));
  const FleetReport r = t.report();  // a reference into the temporary would dangle
  const auto& d = r.groups[0].deviations[0];
  EXPECT_EQ(d.hosts.count, 30u);
  EXPECT_EQ(d.hosts.names.size(), kFleetNamedHosts);
}

TEST(Fleet, ValueTextAndHostPatterns) {
  EXPECT_EQ(fleet_value_text(SysctlReading::of("32768\t60999\n")), "32768 60999");
  EXPECT_EQ(fleet_value_text(SysctlReading::absent()), "(absent)");
  EXPECT_EQ(fleet_value_text(SysctlReading::unreadable(13)), "(unreadable: errno 13)");
  EXPECT_EQ(host_pattern("web-017.fra1"), "web-#.fra#");
  EXPECT_EQ(host_pattern("db"), "db");
  Snapshot s;
  s.sysctls["kernel.hostname"] = SysctlReading::of("web-1\n");
  s.sysctls["net.core.somaxconn"] = SysctlReading::of("4096\n");
  EXPECT_EQ(fleet_values(s), (std::map<std::string, std::string>{{"net.core.somaxconn", "4096"}}));
}

}  // namespace
}  // namespace tcptune::core

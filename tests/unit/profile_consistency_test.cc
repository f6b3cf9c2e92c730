// The shipped advice must not contradict itself: a host that runs exactly what a shipped profile
// sets, busy as the profile's workload is (tens of thousands of TIME-WAIT, many orphaned
// FIN-WAIT-2, thousands of connections), gets no warning or critical finding about a key that
// profile sets. (Info findings may still explain the key.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/evaluate.h"
#include "core/expr_registry.h"
#include "core/plan.h"
#include "core/profile_loader.h"
#include "core/profile_resolve.h"
#include "core/rule_loader.h"
#include "expr_test_util.h"
#include "profile_test_support.h"

namespace tcptune::core {
namespace {

std::vector<std::string> shipped_profile_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(TCPTUNE_SOURCE_DIR) / "profiles")) {
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

ResolvedProfile shipped_profile(const std::string& name) {
  std::vector<ProfileSource> sources;
  for (const auto& n : shipped_profile_names()) {
    const std::string path = "profiles/" + n + ".toml";
    sources.push_back({path, test::read_source_file(path)});
  }
  auto set = load_profiles(sources, test::shipped_catalogue());
  EXPECT_TRUE(set.ok()) << set.error().render();
  auto r = resolve_profile(*set, name);
  EXPECT_TRUE(r.ok()) << r.error().render();
  return r.ok() ? *r : ResolvedProfile{};
}

// A busy server and client at once: 25,000 TIME-WAIT and 3,000 ESTABLISHED on :443, 2,000
// orphaned FIN-WAIT-2, 500 connections to one upstream, counters of a long uptime.
void busy(Snapshot& s) {
  s.sysctls["net.ipv4.tcp_ehash_entries"] = SysctlReading::of("262144");
  s.sysctls["net.ipv4.tcp_slow_start_after_idle"] = SysctlReading::of("1");
  Census c;
  c.ephemeral_range = PortRange{32768, 60999};
  c.ports = std::vector<PortCounts>{};
  c.listeners = std::vector<ListenerCounts>{ListenerCounts{443, 1, 3, 4096}};
  c.remotes = std::vector<RemoteCounts>{RemoteCounts{"10.0.0.7", 8080, 400, 100}};
  PortCounts p443{443, {}};
  p443.states[TcpState::kListen] = 1;
  p443.states[TcpState::kEstablished] = 3000;
  p443.states[TcpState::kTimeWait] = 25000;
  p443.states[TcpState::kCloseWait] = 5;
  c.ports->push_back(p443);
  c.states[TcpState::kListen] = 1;
  c.states[TcpState::kEstablished] = 3400;
  c.states[TcpState::kTimeWait] = 25100;
  c.states[TcpState::kCloseWait] = 5;
  c.states[TcpState::kFinWait2] = 2000;
  c.fin_wait2_orphaned = 2000;
  s.census = std::move(c);
  Counters k;
  k.current.monotonic_ms = 86400000;
  k.current.sockstat = SockStat{3500, 300, 27100, 31000, 9000};
  for (const auto& n : counter_names()) k.current.values[n] = 0;
  k.current.values["TcpExtTW"] = 90000000;
  k.current.values["TcpCurrEstab"] = 3400;
  s.counters = std::move(k);
}

class ShippedProfileOnItsHost : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedProfileOnItsHost, GetsNoWarningAboutAKeyItSets) {
  const Catalogue& cat = test::shipped_catalogue();
  auto rules = load_rule_set(testing::shipped_rule_sources(), cat);
  ASSERT_TRUE(rules.ok()) << rules.error().render();
  Snapshot snap = testing::default_618_snapshot();
  busy(snap);
  auto plan = make_plan(shipped_profile(GetParam()), cat, snap);
  ASSERT_TRUE(plan.ok()) << plan.error().render();
  EvalSettings settings;
  settings.thresholds = default_thresholds(*rules);
  settings.profile = GetParam();
  for (const auto& item : plan->items) {
    snap.sysctls[item.key] = SysctlReading::of(item.after);
    settings.profile_values[item.key] = item.after;
  }
  ASSERT_FALSE(settings.profile_values.empty());
  const Report rep = evaluate(rules->rules, snap, ResolvedConfig{}, cat, settings);
  for (const auto& f : rep.findings) {
    if (f.severity == Severity::kInfo) continue;
    for (const auto& ev : f.evidence) {
      EXPECT_FALSE(ev.label == "key" && settings.profile_values.count(ev.value))
          << f.id << (f.item.empty() ? "" : "/" + f.item) << " (" << severity_name(f.severity) << ") judges "
          << ev.value << ", which profile " << GetParam() << " sets: " << f.message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, ShippedProfileOnItsHost, ::testing::ValuesIn(shipped_profile_names()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace tcptune::core

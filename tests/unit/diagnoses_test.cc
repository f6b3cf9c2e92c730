// The connection-lifecycle diagnoses (rules/*.toml) on hand-built snapshots with a census and
// counters: each diagnosis positive and negative, and a healthy mixed population that must give
// no finding at all.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/evaluate.h"
#include "core/expr_registry.h"
#include "core/rule_loader.h"
#include "expr_test_util.h"

namespace tcptune::core {
namespace {

using testing::assign;
using testing::configure;
using testing::setting;

using testing::shipped_rule_sources;

class Diagnoses : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_rule_set(shipped_rule_sources(), cat_);
    ASSERT_TRUE(r.ok()) << r.error().render();
    rules_ = std::move(r->rules);
    settings_.thresholds = default_thresholds(*r);
    healthy_population();
  }

  // A healthy mixed population: ssh and a web server with some traffic, a database client.
  void healthy_population() {
    Census c;
    c.ephemeral_range = PortRange{32768, 60999};
    c.ports.emplace();
    c.listeners.emplace();
    c.remotes.emplace();
    c.timers_counted = true;
    snap_.census = std::move(c);
    listener(22, 0, 128);
    listener(80, 1, 511);
    port(22, TcpState::kEstablished, 2);
    port(80, TcpState::kEstablished, 40);
    port(80, TcpState::kTimeWait, 30);
    port(80, TcpState::kCloseWait, 2);
    census().states[TcpState::kFinWait2] = 3;
    census().fin_wait2_orphaned = 3;
    remote("10.0.0.5", 5432, 8, 5);
    Counters k;
    k.current.monotonic_ms = 100000;
    k.current.sockstat = SockStat{60, 0, 38, 70, 12};
    for (const auto& n : counter_names()) k.current.values[n] = 0;
    k.current.values["TcpExtTW"] = 1200;
    k.current.values["TcpCurrEstab"] = 50;
    snap_.counters = std::move(k);
  }

  Census& census() { return *snap_.census; }
  Counters& counters() { return *snap_.counters; }

  // Sets the count of a state on a local port (the port view and the totals).
  void port(uint16_t p, TcpState st, uint64_t n) {
    auto& ports = *census().ports;
    auto it = std::find_if(ports.begin(), ports.end(), [&](const PortCounts& pc) { return pc.port == p; });
    if (it == ports.end()) it = ports.insert(ports.end(), PortCounts{p, {}});
    census().states[st] += n - it->states[st];
    it->states[st] = n;
  }
  void listener(uint16_t p, uint64_t queued, uint64_t backlog) {
    census().listeners->push_back(ListenerCounts{p, 1, queued, backlog});
    port(p, TcpState::kListen, 1);
  }
  void remote(const std::string& addr, uint16_t p, uint64_t estab, uint64_t tw) {
    census().remotes->push_back(RemoteCounts{addr, p, estab, tw});
    census().states[TcpState::kEstablished] += estab;
    census().states[TcpState::kTimeWait] += tw;
  }
  // ESTABLISHED sockets on a port with the keepalive timer armed and with no timer.
  void keepalive(uint16_t p, uint64_t armed, uint64_t none) {
    for (auto& pc : *census().ports) {
      if (pc.port == p) pc.keepalive = armed, pc.no_timer = none;
    }
  }
  void counter(const std::string& name, int64_t v) { counters().current.values[name] = v; }
  // A second, earlier sample `seconds` before, where `name` was lower by `delta`.
  void increase(const std::string& name, int64_t delta, uint64_t seconds = 10) {
    if (!counters().earlier) {
      counters().earlier = counters().current;
      counters().earlier->monotonic_ms = counters().current.monotonic_ms - seconds * 1000;
    }
    counters().earlier->values[name] = counters().current.values[name] - delta;
  }
  void sysctl(const std::string& key, const std::string& v) { snap_.sysctls[key] = SysctlReading::of(v); }
  void threshold(const std::string& name, int64_t v) { settings_.thresholds[name] = ThresholdValue{v, "--set"}; }

  Report run() { return evaluate(rules_, snap_, config_, cat_, settings_); }
  std::vector<std::string> fired() {
    std::vector<std::string> out;
    for (const auto& f : run().findings) out.push_back(f.id + (f.item.empty() ? "" : "/" + f.item));
    return out;
  }
  bool fires(const std::string& id) {
    const auto f = fired();
    return std::any_of(f.begin(), f.end(), [&](const std::string& s) { return s == id || s.rfind(id + "/", 0) == 0; });
  }
  Finding finding(const std::string& id) {
    for (const auto& f : run().findings) {
      if (f.id == id) return f;
    }
    ADD_FAILURE() << id << " did not fire";
    return {};
  }
  static bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
  static bool has_evidence(const Finding& f, const std::string& label, const std::string& value) {
    return std::find(f.evidence.begin(), f.evidence.end(), Evidence{label, value}) != f.evidence.end();
  }

  Catalogue cat_ = testing::test_catalogue();
  Snapshot snap_ = testing::default_618_snapshot();
  ResolvedConfig config_;
  std::vector<Rule> rules_;
  EvalSettings settings_;
};

TEST_F(Diagnoses, HealthyMixedPopulationGivesNoFindingAndNoGap) {
  const Report rep = run();
  EXPECT_TRUE(rep.findings.empty()) << rep.findings[0].id;
  EXPECT_TRUE(rep.gaps.empty());
  // Counters sampled twice with ordinary background activity: still nothing.
  increase("TcpExtTCPAbortOnData", 1);
  increase("TcpExtTCPAbortOnClose", 1);
  increase("TcpExtTW", 40);
  const Report again = run();
  EXPECT_TRUE(again.findings.empty()) << again.findings[0].id;
  EXPECT_TRUE(again.gaps.empty());
}

TEST_F(Diagnoses, WithoutCensusAndCountersNothingFiresAndNoGapPerRule) {
  snap_.census.reset();
  snap_.counters.reset();
  const Report rep = run();
  EXPECT_TRUE(rep.findings.empty());
  EXPECT_TRUE(rep.gaps.empty());
}

TEST_F(Diagnoses, TimeWaitNearTheBucketLimit) {
  counters().current.sockstat->tw = 110000;
  census().states[TcpState::kTimeWait] = 109997;
  const Finding f = finding("TT-TW-001");
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_TRUE(has(f.message, "110000 timewait sockets")) << f.message;
  EXPECT_TRUE(has(f.message, "= 131072: 83% of the cap")) << f.message;
  EXPECT_TRUE(has(f.recommendation, "net.ipv4.tcp_max_tw_buckets = 262144")) << f.recommendation;
  EXPECT_TRUE(has(f.avoid, "does not shorten TIME-WAIT"));
  EXPECT_TRUE(has_evidence(f, "sockstat", "tw 110000"));
  EXPECT_TRUE(has_evidence(f, "threshold", "tw_buckets_pct = 80 (default, rules/tw_buckets.toml:6)"));
  counters().current.sockstat->tw = 50000;
  EXPECT_FALSE(fires("TT-TW-001"));
}

TEST_F(Diagnoses, TimeWaitOverflowNowAndSinceBoot) {
  counter("TcpExtTCPTimeWaitOverflow", 25);
  EXPECT_TRUE(fires("TT-TW-003"));  // since boot, no --interval
  EXPECT_FALSE(fires("TT-TW-002"));
  EXPECT_TRUE(has(finding("TT-TW-003").message, "TcpExtTCPTimeWaitOverflow is 25"));
  increase("TcpExtTCPTimeWaitOverflow", 5);
  const Finding f = finding("TT-TW-002");
  EXPECT_TRUE(has(f.message, "rose by 5 in the last 10.0 s")) << f.message;
  EXPECT_TRUE(has_evidence(f, "counter increase", "TcpExtTCPTimeWaitOverflow +5 in 10.0 s"));
  EXPECT_FALSE(fires("TT-TW-003"));
  counter("TcpExtTCPTimeWaitOverflow", 0);
  increase("TcpExtTCPTimeWaitOverflow", 0);
  EXPECT_FALSE(fires("TT-TW-002"));
  EXPECT_FALSE(fires("TT-TW-003"));
}

TEST_F(Diagnoses, TimeWaitBucketsSetVeryLow) {
  sysctl("net.ipv4.tcp_max_tw_buckets", "5000");
  EXPECT_FALSE(fires("TT-TW-004"));  // not configured, far from the cap, no overflow: could be a small default
  configure(config_, setting(assign("net.ipv4.tcp_max_tw_buckets", "5000", "/etc/sysctl.d/99-tune.conf", 3)));
  const Finding f = finding("TT-TW-004");
  EXPECT_TRUE(has(f.message, "net.ipv4.tcp_max_tw_buckets is 5000 and this host closes connections actively"));
  EXPECT_TRUE(has_evidence(f, "configured", "5000 at /etc/sysctl.d/99-tune.conf:3"));
  // A host that never closes actively is not hurt by the cap.
  counters().current.sockstat->tw = 0;
  counter("TcpExtTW", 0);
  EXPECT_FALSE(fires("TT-TW-004"));
}

// "Very low" is relative to the host's own default, half its established-hash size: on a 1 GiB
// host (8192 buckets, default 4096) a configured 5000 is above the default, 1000 is far below.
TEST_F(Diagnoses, TimeWaitBucketsJudgedAgainstTheHostsOwnDefault) {
  configure(config_, setting(assign("net.ipv4.tcp_max_tw_buckets", "5000", "/etc/sysctl.d/99-tune.conf", 3)));
  sysctl("net.ipv4.tcp_max_tw_buckets", "5000");
  sysctl("net.ipv4.tcp_ehash_entries", "8192");
  EXPECT_FALSE(fires("TT-TW-004"));
  sysctl("net.ipv4.tcp_max_tw_buckets", "1000");
  Finding f = finding("TT-TW-004");
  EXPECT_TRUE(has(f.message, "The kernel's own default here is 4096")) << f.message;
  EXPECT_TRUE(has(f.recommendation, "net.ipv4.tcp_max_tw_buckets = 4096")) << f.recommendation;
  EXPECT_TRUE(has_evidence(f, "kernel default", "net.ipv4.tcp_max_tw_buckets = |tcp_ehash_entries| / 2 = 4096"));
  // A namespace sharing the host's table shows its size negated.
  sysctl("net.ipv4.tcp_ehash_entries", "-8192");
  EXPECT_TRUE(has(finding("TT-TW-004").message, "default here is 4096"));
  // Before 6.1 there is no tcp_ehash_entries: tcp_max_orphans (ehash / 2 from tcp_init()) stands in.
  snap_.sysctls.erase("net.ipv4.tcp_ehash_entries");
  sysctl("net.ipv4.tcp_max_orphans", "4096");
  f = finding("TT-TW-004");
  EXPECT_TRUE(has_evidence(f, "kernel default", "net.ipv4.tcp_max_tw_buckets = ehash / 2 = tcp_max_orphans = 4096"));
  // ... unless a file changed tcp_max_orphans: then the default is unknown, and nothing is claimed.
  configure(config_, setting(assign("net.ipv4.tcp_max_orphans", "65536", "/etc/sysctl.d/99-tune.conf", 4)));
  EXPECT_FALSE(fires("TT-TW-004"));
}

TEST_F(Diagnoses, EphemeralPortsTowardsOneRemote) {
  remote("10.0.0.9", 443, 4000, 12000);
  const Finding f = finding("TT-PORTS-001");
  EXPECT_EQ(f.item, "10.0.0.9:443");
  EXPECT_TRUE(has(f.message, "4000 ESTABLISHED + 12000 TIME-WAIT connections from ephemeral ports to 10.0.0.9:443 "
                             "hold 56% of the 28232 ports"))
      << f.message;
  EXPECT_TRUE(has(f.recommendation, "net.ipv4.tcp_tw_reuse = 1"));
  EXPECT_TRUE(has(f.mechanism, "about 470 per second"));
  // A narrow range makes a small population a problem; a wide one does not.
  census().remotes->back() = RemoteCounts{"10.0.0.9", 443, 4000, 6000};
  EXPECT_FALSE(fires("TT-PORTS-001"));
  census().ephemeral_range = PortRange{50000, 60999};
  EXPECT_TRUE(fires("TT-PORTS-001/10.0.0.9:443"));
  census().remotes->back() = RemoteCounts{"2001:db8::1", 443, 9000, 0};
  EXPECT_TRUE(fires("TT-PORTS-001/[2001:db8::1]:443"));
}

TEST_F(Diagnoses, TwReuseWithoutTimestamps) {
  sysctl("net.ipv4.tcp_tw_reuse", "1");
  sysctl("net.ipv4.tcp_timestamps", "0");
  EXPECT_TRUE(fires("TT-TWREUSE-001"));
  EXPECT_TRUE(fires("TT-TS-001"));
  EXPECT_TRUE(has(finding("TT-TWREUSE-001").recommendation, "net.ipv4.tcp_timestamps = 1"));
  sysctl("net.ipv4.tcp_timestamps", "1");
  EXPECT_FALSE(fires("TT-TWREUSE-001"));
  EXPECT_FALSE(fires("TT-TS-001"));
}

TEST_F(Diagnoses, TwReuseOnAServerCannotHelpIncomingTimeWait) {
  port(80, TcpState::kTimeWait, 500);
  EXPECT_FALSE(fires("TT-TWREUSE-002"));  // default 2
  sysctl("net.ipv4.tcp_tw_reuse", "1");
  const Finding f = finding("TT-TWREUSE-002");
  EXPECT_EQ(f.severity, Severity::kInfo);
  EXPECT_EQ(f.item, "80");
  EXPECT_TRUE(has(f.message, "500 TIME-WAIT sockets are on listening port :80"));
  port(80, TcpState::kTimeWait, 30);
  port(40000, TcpState::kTimeWait, 500);  // not a listening port
  EXPECT_FALSE(fires("TT-TWREUSE-002"));
}

TEST_F(Diagnoses, CloseWaitOnAPortNamesTheOwner) {
  port(9090, TcpState::kCloseWait, 87);
  Finding f = finding("TT-CLOSEWAIT-001");
  EXPECT_EQ(f.item, "9090");
  EXPECT_TRUE(has(f.message, "87 CLOSE-WAIT on :9090, owner not collected (run 'tcptune audit --processes'"))
      << f.message;
  census().close_wait_owners = std::vector<PortOwner>{{9090, 4121, "java", 87}};
  f = finding("TT-CLOSEWAIT-001");
  EXPECT_TRUE(has(f.message, "87 CLOSE-WAIT on :9090, owned by java (pid 4121).")) << f.message;
  EXPECT_TRUE(has(f.avoid, "No sysctl removes CLOSE-WAIT: the keepalive sysctls only matter for sockets that enable SO_KEEPALIVE"));
  EXPECT_TRUE(has_evidence(f, "census", "CLOSE-WAIT on :9090: 87"));
  EXPECT_TRUE(has_evidence(f, "owner", "CLOSE-WAIT on :9090 held by java (pid 4121)"));
  port(9090, TcpState::kCloseWait, 20);
  EXPECT_FALSE(fires("TT-CLOSEWAIT-001"));
}

TEST_F(Diagnoses, ThresholdsOverrideWithoutEditingRules) {
  port(9090, TcpState::kCloseWait, 87);
  threshold("close_wait_per_port", 100);
  EXPECT_FALSE(fires("TT-CLOSEWAIT-001"));
  threshold("close_wait_per_port", 10);
  port(9090, TcpState::kCloseWait, 11);
  EXPECT_TRUE(fires("TT-CLOSEWAIT-001/9090"));
  EXPECT_TRUE(has_evidence(finding("TT-CLOSEWAIT-001"), "threshold", "close_wait_per_port = 10 (--set)"));
}

TEST_F(Diagnoses, CloseWaitSpreadOverManyPorts) {
  census().states[TcpState::kCloseWait] = 300;
  census().processes = std::vector<ProcessSockets>{};
  ProcessSockets ps;
  ps.pid = 77;
  ps.command = "python3";
  ps.states[TcpState::kCloseWait] = 298;
  census().processes->push_back(ps);
  const Finding f = finding("TT-CLOSEWAIT-002");
  EXPECT_TRUE(has(f.message, "300 CLOSE-WAIT sockets in total")) << f.message;
  EXPECT_TRUE(has(f.message, "owned by python3 (pid 77)")) << f.message;
  EXPECT_FALSE(fires("TT-CLOSEWAIT-001"));
  port(9090, TcpState::kCloseWait, 250);  // concentrated: the per-port diagnosis instead
  EXPECT_TRUE(fires("TT-CLOSEWAIT-001/9090"));
  EXPECT_FALSE(fires("TT-CLOSEWAIT-002"));
}

TEST_F(Diagnoses, FinWait2HeldOpenVersusOrphaned) {
  census().states[TcpState::kFinWait2] = 100;
  census().fin_wait2_orphaned = 10;
  Finding f = finding("TT-FINWAIT2-001");
  EXPECT_TRUE(has(f.message, "90 FIN-WAIT-2 sockets were half-closed with shutdown()")) << f.message;
  EXPECT_TRUE(has(f.avoid, "Lowering tcp_fin_timeout does nothing for these"));
  EXPECT_FALSE(fires("TT-FINWAIT2-002"));
  census().fin_wait2_orphaned = 100;  // all orphaned: bounded by tcp_fin_timeout, few
  EXPECT_FALSE(fires("TT-FINWAIT2-001"));
  EXPECT_FALSE(fires("TT-FINWAIT2-002"));
  census().states[TcpState::kFinWait2] = 1500;
  census().fin_wait2_orphaned = 1500;
  f = finding("TT-FINWAIT2-002");
  EXPECT_EQ(f.severity, Severity::kInfo);
  EXPECT_TRUE(has(f.message, "expire after tcp_fin_timeout = 60 s")) << f.message;
  EXPECT_FALSE(fires("TT-FINWAIT2-001"));
}

TEST_F(Diagnoses, FinTimeoutLoweredAgainstTimeWait) {
  sysctl("net.ipv4.tcp_fin_timeout", "15");
  EXPECT_FALSE(fires("TT-FINTIMEOUT-001"));  // no TIME-WAIT trouble: nothing to correct
  census().states[TcpState::kTimeWait] = 30000;
  const Finding f = finding("TT-FINTIMEOUT-001");
  EXPECT_TRUE(has(f.message, "net.ipv4.tcp_fin_timeout is 15 (default 60) on a host whose trouble is TIME-WAIT"));
  EXPECT_TRUE(has(f.message, "does not shorten TIME-WAIT: it lasts 60 s regardless"));
  EXPECT_TRUE(has(f.recommendation, "net.ipv4.tcp_tw_reuse = 1"));
  sysctl("net.ipv4.tcp_fin_timeout", "60");
  EXPECT_FALSE(fires("TT-FINTIMEOUT-001"));
  // Port exhaustion is TIME-WAIT trouble too.
  sysctl("net.ipv4.tcp_fin_timeout", "10");
  census().states[TcpState::kTimeWait] = 100;
  census().remotes->front() = RemoteCounts{"10.0.0.5", 5432, 1000, 15000};
  EXPECT_TRUE(fires("TT-FINTIMEOUT-001"));
}

TEST_F(Diagnoses, KeepaliveForLongLivedConnections) {
  EXPECT_FALSE(fires("TT-KEEPALIVE-001"));
  settings_.profile = "chat-long";
  const Finding f = finding("TT-KEEPALIVE-001");
  EXPECT_TRUE(has(f.message, "net.ipv4.tcp_keepalive_time is 7200 s")) << f.message;
  EXPECT_TRUE(has(f.mechanism, "only to sockets that enable SO_KEEPALIVE"));
  EXPECT_TRUE(has(f.mechanism, "a change reaches existing connections at their next pending expiry"));
  EXPECT_TRUE(has(f.recommendation, "net.ipv4.tcp_keepalive_time = 120"));
  EXPECT_TRUE(has_evidence(f, "profile", "chat-long"));
  sysctl("net.ipv4.tcp_keepalive_time", "120");
  EXPECT_FALSE(fires("TT-KEEPALIVE-001"));
}

TEST_F(Diagnoses, ManyConnectionsOnAListeningPortWithoutProfile) {
  listener(5222, 0, 4096);
  port(5222, TcpState::kEstablished, 5000);
  keepalive(5222, 4000, 900);
  const Finding f = finding("TT-KEEPALIVE-002");
  EXPECT_TRUE(has(f.message, "5000 ESTABLISHED connections on listening port :5222, 4000 of them with the keepalive"))
      << f.message;
  EXPECT_FALSE(fires("TT-KEEPALIVE-004"));
  EXPECT_EQ(f.severity, Severity::kInfo);
  EXPECT_EQ(f.item, "5222");
  settings_.profile = "chat-long";  // then TT-KEEPALIVE-001 says it
  EXPECT_FALSE(fires("TT-KEEPALIVE-002"));
  EXPECT_TRUE(fires("TT-KEEPALIVE-001"));
  settings_.profile = "";
  port(5222, TcpState::kEstablished, 50);
  EXPECT_FALSE(fires("TT-KEEPALIVE-002"));
}

// Few sockets with SO_KEEPALIVE: the sysctls cannot reach the port; the application is told, and
// the host-wide advice (TT-KEEPALIVE-002) is not given.
TEST_F(Diagnoses, KeepaliveOutOfReachOfMostSocketsOfAPort) {
  listener(5222, 0, 4096);
  port(5222, TcpState::kEstablished, 5000);
  keepalive(5222, 100, 4800);
  const Finding f = finding("TT-KEEPALIVE-004");
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_TRUE(has(f.message, "only 100 have the keepalive timer armed and 4800 have no timer at all")) << f.message;
  EXPECT_TRUE(has(f.message, "owner not collected")) << f.message;
  EXPECT_FALSE(fires("TT-KEEPALIVE-002"));
  keepalive(5222, 500, 4400);  // 10 %: the sysctls reach enough of them
  EXPECT_FALSE(fires("TT-KEEPALIVE-004"));
  EXPECT_TRUE(fires("TT-KEEPALIVE-002"));
  census().timers_counted = false;  // an older snapshot: a gap, not a guess
  EXPECT_FALSE(fires("TT-KEEPALIVE-004"));
  EXPECT_FALSE(run().gaps.empty());
}

// Resets judged against the connections opened: a large share is a warning naming both causes,
// replacing the per-counter notes; without --interval the since-boot share is noted.
TEST_F(Diagnoses, ResetsAsAShareOfNewConnections) {
  counter("TcpExtTCPAbortOnClose", 1000);
  counter("TcpActiveOpens", 2000);
  counter("TcpPassiveOpens", 2000);  // 1000 resets for 4000 connections: 25 %
  const Finding boot = finding("TT-RESET-006");
  EXPECT_EQ(boot.severity, Severity::kInfo);
  EXPECT_TRUE(has(boot.message, "reset 1000 connections")) << boot.message;
  increase("TcpExtTCPAbortOnClose", 30);
  increase("TcpActiveOpens", 100);
  increase("TcpPassiveOpens", 0);
  const Finding f = finding("TT-RESET-005");
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_TRUE(has(f.message, "In 10.0 s this host reset 30 connections while 100 new ones were opened")) << f.message;
  EXPECT_FALSE(fires("TT-RESET-002"));
  EXPECT_FALSE(fires("TT-RESET-006"));
  increase("TcpActiveOpens", 1000);  // 3 %: a note per cause instead
  EXPECT_FALSE(fires("TT-RESET-005"));
  EXPECT_TRUE(fires("TT-RESET-002"));
}

TEST_F(Diagnoses, AggressiveKeepalive) {
  sysctl("net.ipv4.tcp_keepalive_time", "30");
  EXPECT_FALSE(fires("TT-KEEPALIVE-003"));  // a short idle time alone drops nothing
  sysctl("net.ipv4.tcp_keepalive_time", "600");
  sysctl("net.ipv4.tcp_keepalive_intvl", "3");
  sysctl("net.ipv4.tcp_keepalive_probes", "2");
  const Finding f = finding("TT-KEEPALIVE-003");
  EXPECT_TRUE(has(f.message, "down for about 6 s is aborted")) << f.message;
  sysctl("net.ipv4.tcp_keepalive_probes", "0");
  EXPECT_TRUE(has(finding("TT-KEEPALIVE-003").message, "without a single probe"));
  sysctl("net.ipv4.tcp_keepalive_probes", "2");
  sysctl("net.ipv4.tcp_keepalive_intvl", "15");  // 30 s: the smallest window not reported
  EXPECT_FALSE(fires("TT-KEEPALIVE-003"));
}

TEST_F(Diagnoses, DeadPeerDetectionForChat) {
  EXPECT_FALSE(fires("TT-RETRIES-001"));
  settings_.profile = "chat-long";
  const Finding f = finding("TT-RETRIES-001");
  EXPECT_TRUE(has(f.message, "for about 924 s before the connection fails with ETIMEDOUT (924.6 s for the default 15)"))
      << f.message;
  EXPECT_TRUE(has(f.recommendation, "TCP_USER_TIMEOUT"));
  sysctl("net.ipv4.tcp_retries2", "8");
  EXPECT_FALSE(fires("TT-RETRIES-001"));
}

TEST_F(Diagnoses, ListenOverflowsNowAndSinceBoot) {
  counter("TcpExtListenOverflows", 6);
  counter("TcpExtListenDrops", 6);
  EXPECT_TRUE(fires("TT-LISTEN-003"));
  EXPECT_FALSE(fires("TT-LISTEN-001"));
  increase("TcpExtListenOverflows", 6);
  increase("TcpExtListenDrops", 6);
  const Finding f = finding("TT-LISTEN-001");
  EXPECT_TRUE(has(f.message, "TcpExtListenOverflows rose by 6 and TcpExtListenDrops by 6 in 10.0 s")) << f.message;
  EXPECT_TRUE(has(f.message, "Fullest listeners: :80 1 queued of 511, :22 0 queued of 128")) << f.message;
  EXPECT_TRUE(has(f.message, "net.core.somaxconn = 4096, net.ipv4.tcp_max_syn_backlog = 2048"));
  EXPECT_FALSE(fires("TT-LISTEN-003"));
  increase("TcpExtListenOverflows", 0);
  EXPECT_FALSE(fires("TT-LISTEN-001"));
}

TEST_F(Diagnoses, AcceptQueueFullNow) {
  listener(9090, 2, 1);
  const Finding f = finding("TT-LISTEN-002");
  EXPECT_EQ(f.item, "9090");
  EXPECT_TRUE(has(f.message, ":9090 has 2 established connections waiting in its accept queue for a limit of 1"))
      << f.message;
  census().listeners->back().queued = 0;
  EXPECT_FALSE(fires("TT-LISTEN-002"));
  // /proc/net/tcp shows the queue but not its limit: a gap, not a guess.
  census().listeners->back().queued = 2;
  census().listeners->back().backlog = 0;
  census().source = CensusSource::kProcNetTcp;
  const Report rep = run();
  EXPECT_TRUE(std::none_of(rep.findings.begin(), rep.findings.end(), [](const Finding& x) { return x.id == "TT-LISTEN-002"; }));
  EXPECT_NE(std::find(rep.gaps.begin(), rep.gaps.end(),
                      Gap{"rule TT-LISTEN-002 (9090)", "backlog of the listener on port 9090: proc/net/tcp does not show it"}),
            rep.gaps.end());
}

TEST_F(Diagnoses, SynCookiesOffUnderPressure) {
  sysctl("net.ipv4.tcp_syncookies", "0");
  EXPECT_FALSE(fires("TT-LISTEN-004"));
  counter("TcpExtTCPReqQFullDrop", 12);
  const Finding f = finding("TT-LISTEN-004");
  EXPECT_TRUE(has(f.message, "TcpExtTCPReqQFullDrop = 12")) << f.message;
  EXPECT_TRUE(has(f.recommendation, "net.ipv4.tcp_syncookies = 1"));
  sysctl("net.ipv4.tcp_syncookies", "1");
  EXPECT_FALSE(fires("TT-LISTEN-004"));
}

TEST_F(Diagnoses, ResetsExplainedByCause) {
  const std::vector<std::pair<std::string, std::string>> causes = {
      {"TcpExtTCPAbortOnData", "TT-RESET-001"},
      {"TcpExtTCPAbortOnClose", "TT-RESET-002"},
      {"TcpExtTCPAbortOnLinger", "TT-RESET-003"},
      {"TcpExtTCPAbortOnTimeout", "TT-RESET-004"}};
  for (const auto& [name, id] : causes) {
    counter(name, 1000);
    increase(name, 1);  // 6 per minute: below the default 10
    EXPECT_FALSE(fires(id)) << id;
    increase(name, 30);  // 180 per minute
    const Finding f = finding(id);
    EXPECT_TRUE(has(f.message, name + " rose by 30 in 10.0 s")) << f.message;
    EXPECT_EQ(f.severity, Severity::kInfo);
    counters().earlier.reset();
    EXPECT_FALSE(fires(id)) << id << " needs --interval";
  }
  counter("TcpExtTCPAbortOnClose", 100);
  increase("TcpExtTCPAbortOnClose", 30);
  EXPECT_TRUE(has(finding("TT-RESET-002").message, "called close() while received data was still unread"));
  counter("TcpExtTCPAbortOnData", 100);
  increase("TcpExtTCPAbortOnData", 30);
  EXPECT_TRUE(has(finding("TT-RESET-001").message, "closed with SO_LINGER {on, 0}"));
}

TEST_F(Diagnoses, OrphansAgainstTheirLimit) {
  counters().current.sockstat->orphan = 70000;
  const Finding f = finding("TT-ORPHAN-001");
  EXPECT_TRUE(has(f.message, "70000 orphaned sockets")) << f.message;
  EXPECT_TRUE(has(f.recommendation, "net.ipv4.tcp_max_orphans = 262144"));
  counters().current.sockstat->orphan = 100;
  EXPECT_FALSE(fires("TT-ORPHAN-001"));
  // In a child network namespace the key does not exist: silently not applicable.
  counters().current.sockstat->orphan = 70000;
  snap_.sysctls["net.ipv4.tcp_max_orphans"] = SysctlReading::absent();
  const Report rep = run();
  EXPECT_TRUE(rep.findings.empty());
  EXPECT_TRUE(rep.gaps.empty());
}

TEST_F(Diagnoses, AbortOnMemoryNowAndSinceBoot) {
  counter("TcpExtTCPAbortOnMemory", 3);
  EXPECT_TRUE(fires("TT-ORPHAN-003"));
  EXPECT_FALSE(fires("TT-ORPHAN-002"));
  increase("TcpExtTCPAbortOnMemory", 2);
  EXPECT_TRUE(fires("TT-ORPHAN-002"));
  EXPECT_FALSE(fires("TT-ORPHAN-003"));
  counter("TcpExtTCPAbortOnMemory", 0);
  increase("TcpExtTCPAbortOnMemory", 0);
  EXPECT_FALSE(fires("TT-ORPHAN-002"));
  EXPECT_FALSE(fires("TT-ORPHAN-003"));
}

TEST_F(Diagnoses, EveryDiagnosisHasMechanismAvoidAndReferences) {
  for (const auto& r : rules_) {
    if (r.id.rfind("TT-CONF", 0) == 0 || r.id.rfind("TT-RECYCLE", 0) == 0) continue;
    EXPECT_FALSE(r.text.mechanism.empty()) << r.id;
    EXPECT_FALSE(r.text.avoid.empty()) << r.id;
    EXPECT_FALSE(r.references.empty()) << r.id;
  }
}

}  // namespace
}  // namespace tcptune::core

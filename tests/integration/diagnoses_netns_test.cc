// The built tcptune audit against real sockets in a fresh network namespace: each socket-based
// diagnosis fires on a population built to show it, and a mixed but healthy population gives no
// warning. Needs root (unshare -n); skips with a reason otherwise.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#ifdef TCPTUNE_SOCKHELPER

namespace {

using nlohmann::json;

struct AuditRun {
  int helper_pid = 0;
  int exit_code = -1;
  json report;
};

std::string skip_reason() {
  if (::geteuid() != 0) return "needs root to create a network namespace (unshare -n)";
  if (std::system("unshare -n true >/dev/null 2>&1") != 0) return "cannot create a network namespace here";
  return {};
}

#define SKIP_UNLESS_NETNS()                \
  do {                                     \
    const std::string why = skip_reason(); \
    if (!why.empty()) GTEST_SKIP() << why; \
  } while (0)

// In a fresh namespace: run `setup` (sysctl writes, as shell), open the helper's population and
// audit it. The host's configuration files are visible but its sockets are not.
AuditRun audit_in_netns(const std::string& setup, const std::string& helper_args, const std::string& audit_args) {
  const std::string inner = fmt::format("{}{} {} -- {} audit --format json --fail-on warning {}",
                                        setup.empty() ? "" : setup + " && ", TCPTUNE_SOCKHELPER, helper_args,
                                        TCPTUNE_BINARY, audit_args);
  const std::string cmd = fmt::format("TCPTUNE_DATADIR={} unshare -n sh -c '{}'", TCPTUNE_SOURCE_DIR, inner);
  AuditRun r;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return r;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const int status = ::pclose(f);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const size_t l1 = text.find('\n');
  const size_t l2 = l1 == std::string::npos ? l1 : text.find('\n', l1 + 1);
  if (l2 == std::string::npos) return r;
  r.helper_pid = std::stoi(text.substr(0, l1));
  r.report = json::parse(text.substr(l2 + 1), nullptr, false);
  return r;
}

std::vector<std::string> fired(const json& report) {
  std::vector<std::string> out;
  for (const json& f : report["findings"]) {
    const std::string item = f["item"];
    out.push_back(f["id"].get<std::string>() + (item.empty() ? "" : "/" + item));
  }
  return out;
}

const json* finding(const json& report, const std::string& id) {
  for (const json& f : report["findings"]) {
    if (f["id"] == id) return &f;
  }
  return nullptr;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string sysctl_w(const std::string& key_path, const std::string& value) {
  return fmt::format("echo \"{}\" > /proc/sys/{}", value, key_path);
}

TEST(DiagnosesNetns, HealthyMixedPopulationGivesNoWarning) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns("", "--v4 9090 --v6 9190 --ports 2 --estab 40 --tw 20 --cw 2 --fw2-orphan 2 --synrecv 2",
                                    "--interval 0.3 --processes");
  ASSERT_FALSE(r.report.is_discarded());
  EXPECT_EQ(r.exit_code, 0) << r.report["findings"].dump(2);
  EXPECT_EQ(r.report["summary"]["warning"], 0) << r.report["findings"].dump(2);
  EXPECT_EQ(r.report["summary"]["critical"], 0);
  for (const std::string& id : fired(r.report)) {
    EXPECT_EQ(id.rfind("TT-CONF", 0), 0u) << "only host configuration findings may appear: " << id;
  }
  // The census the rules saw is the helper's population.
  EXPECT_EQ(r.report["census"]["states"]["ESTABLISHED"], 2 * (2 * 40 + 2));
  EXPECT_EQ(r.report["census"]["fin_wait2_orphaned"], 2 * 2);
}

TEST(DiagnosesNetns, CloseWaitOnAPortNamesTheProcessAndHalfClosedFinWait2) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns("", "--v4 9090 --v6 0 --cw 60", "--processes");
  ASSERT_FALSE(r.report.is_discarded());
  EXPECT_EQ(r.exit_code, 1);
  const auto ids = fired(r.report);
  EXPECT_TRUE(contains(ids, "TT-CLOSEWAIT-001/9090")) << r.report["findings"].dump(2);
  const json* cw = finding(r.report, "TT-CLOSEWAIT-001");
  ASSERT_NE(cw, nullptr);
  EXPECT_NE(cw->at("message").get<std::string>().find(
                fmt::format("60 CLOSE-WAIT on :9090, owned by sockhelper (pid {}).", r.helper_pid)),
            std::string::npos)
      << cw->at("message");
  EXPECT_NE(cw->at("avoid").get<std::string>().find("No sysctl removes CLOSE-WAIT"), std::string::npos);
  // The client side shut down with shutdown(SHUT_WR) and keeps its descriptors: no timeout applies.
  EXPECT_TRUE(contains(ids, "TT-FINWAIT2-001"));
  const json* fw = finding(r.report, "TT-FINWAIT2-001");
  ASSERT_NE(fw, nullptr);
  EXPECT_NE(fw->at("message").get<std::string>().find("60 FIN-WAIT-2 sockets were half-closed"), std::string::npos)
      << fw->at("message");
  EXPECT_FALSE(contains(ids, "TT-FINWAIT2-002"));
}

TEST(DiagnosesNetns, OrphanedFinWait2IsToldApartFromHeldOnes) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns("", "--v4 9090 --v6 0 --fw2-orphan 20", "--set threshold.fin_wait2_orphaned=10");
  ASSERT_FALSE(r.report.is_discarded());
  const auto ids = fired(r.report);
  EXPECT_TRUE(contains(ids, "TT-FINWAIT2-002")) << r.report["findings"].dump(2);
  EXPECT_FALSE(contains(ids, "TT-FINWAIT2-001"));
  EXPECT_FALSE(contains(ids, "TT-CLOSEWAIT-001/9090"));  // 20 < 50
  EXPECT_EQ(r.report["census"]["fin_wait2_orphaned"], 20);
}

TEST(DiagnosesNetns, TimeWaitAtALowBucketCapWithLoweredFinTimeout) {
  SKIP_UNLESS_NETNS();
  const std::string setup = sysctl_w("net/ipv4/tcp_max_tw_buckets", "40") + " && " +
                            sysctl_w("net/ipv4/tcp_fin_timeout", "10");
  const AuditRun r = audit_in_netns(setup, "--v4 9090 --v6 0 --tw 50", "");
  ASSERT_FALSE(r.report.is_discarded());
  const auto ids = fired(r.report);
  // 50 active closes against a cap of 40: 40 TIME-WAIT, 10 silent overflows.
  EXPECT_TRUE(contains(ids, "TT-TW-001")) << r.report["findings"].dump(2);
  EXPECT_TRUE(contains(ids, "TT-TW-003"));
  EXPECT_TRUE(contains(ids, "TT-TW-004"));
  EXPECT_TRUE(contains(ids, "TT-FINTIMEOUT-001"));
  const json* f = finding(r.report, "TT-TW-003");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->at("message").get<std::string>().find("TcpExtTCPTimeWaitOverflow is 10"), std::string::npos)
      << f->at("message");
}

TEST(DiagnosesNetns, EphemeralPortsTowardsOneDestination) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns(sysctl_w("net/ipv4/ip_local_port_range", "40000 40099"),
                                    "--v4 9090 --v6 0 --estab 10 --tw 50", "");
  ASSERT_FALSE(r.report.is_discarded());
  EXPECT_TRUE(contains(fired(r.report), "TT-PORTS-001/127.0.0.1:9090")) << r.report["findings"].dump(2);
  const json* f = finding(r.report, "TT-PORTS-001");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->at("message").get<std::string>().find(
                "10 ESTABLISHED + 50 TIME-WAIT connections from ephemeral ports to 127.0.0.1:9090 hold 60% of the 100 ports"),
            std::string::npos)
      << f->at("message");
}

TEST(DiagnosesNetns, FullAcceptQueueAndOverflows) {
  SKIP_UNLESS_NETNS();
  // Listener on 9092 (base + 1 port + 1) with backlog 1, never accepting; 5 clients.
  const AuditRun r = audit_in_netns("", "--v4 9090 --v6 0 --queue 5", "--interval 1.5");
  ASSERT_FALSE(r.report.is_discarded());
  const auto ids = fired(r.report);
  EXPECT_TRUE(contains(ids, "TT-LISTEN-002/9092")) << r.report["findings"].dump(2);
  const json* f = finding(r.report, "TT-LISTEN-002");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->at("message").get<std::string>().find(":9092 has 2 established connections waiting in its accept "
                                                      "queue for a limit of 1"),
            std::string::npos)
      << f->at("message");
  // The stuck clients retransmit their SYNs during the interval: overflows are happening now.
  EXPECT_TRUE(contains(ids, "TT-LISTEN-001"));
}

}  // namespace

#endif  // TCPTUNE_SOCKHELPER

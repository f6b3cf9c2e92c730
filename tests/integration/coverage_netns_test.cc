// Whether the sysctls reach the sockets at all, judged by the built tcptune audit on real sockets
// in a fresh network namespace: ESTABLISHED sockets with and without SO_KEEPALIVE (the keepalive
// timer sock_diag reports), and connect() calls an upstream leaves unanswered (SYN-SENT towards a
// remote routed into an ifb device: NOARP, and it drops every packet tc did not redirect to it,
// so the SYNs vanish without an answer). Needs root (unshare -n); skips with a reason otherwise.
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

// In a fresh namespace: run `setup` (shell), open the helper's population and run tcptune
// `command` (JSON output) while it holds it.
AuditRun run_in_netns(const std::string& setup, const std::string& helper_args, const std::string& command) {
  const std::string inner = fmt::format("{}{} {} -- {} {}", setup.empty() ? "" : setup + " && ", TCPTUNE_SOCKHELPER,
                                        helper_args, TCPTUNE_BINARY, command);
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

AuditRun audit_in_netns(const std::string& setup, const std::string& helper_args, const std::string& audit_args) {
  return run_in_netns(setup, helper_args, "audit --format json " + audit_args);
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

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const json* port_row(const json& report, int port) {
  for (const json& p : report["census"]["ports"]) {
    if (p["port"] == port) return &p;
  }
  return nullptr;
}

// 30 connections to :9090, the server enabling SO_KEEPALIVE on 2 of its accepted sockets: the
// keepalive sysctls reach 2 of the port's 30 ESTABLISHED sockets. The application is named, and
// the host-wide advice (TT-KEEPALIVE-002: lower tcp_keepalive_time) stays silent.
TEST(CoverageNetns, KeepaliveOnFewSocketsOfAPortNamesTheApplication) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns("", "--v4 9090 --v6 0 --estab 30 --keepalive 2",
                                    "--processes --set threshold.long_lived_per_port=20");
  ASSERT_FALSE(r.report.is_discarded());
  const json* row = port_row(r.report, 9090);
  ASSERT_NE(row, nullptr) << r.report["census"].dump(2);
  EXPECT_EQ((*row)["states"]["ESTABLISHED"], 30);
  EXPECT_EQ((*row)["established_keepalive"], 2);
  EXPECT_EQ((*row)["established_no_timer"], 28);
  // Host-wide: 30 clients (no SO_KEEPALIVE) + 30 accepted sockets, 2 of them with it.
  EXPECT_EQ(r.report["census"]["states"]["ESTABLISHED"], 60);
  EXPECT_EQ(r.report["census"]["keepalive"]["established_keepalive"], 2);
  EXPECT_EQ(r.report["census"]["keepalive"]["established_no_timer"], 58);

  const auto ids = fired(r.report);
  EXPECT_TRUE(contains(ids, "TT-KEEPALIVE-004/9090")) << r.report["findings"].dump(2);
  EXPECT_FALSE(contains(ids, "TT-KEEPALIVE-002/9090"));
  const json* f = finding(r.report, "TT-KEEPALIVE-004");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->at("severity"), "warning");
  const std::string msg = f->at("message");
  EXPECT_TRUE(has(msg, fmt::format("30 ESTABLISHED connections on listening port :9090, owned by sockhelper (pid {}): "
                                   "only 2 have the keepalive timer armed and 28 have no timer at all",
                                   r.helper_pid)))
      << msg;
  EXPECT_TRUE(has(f->at("avoid").get<std::string>(), "Do not lower net.ipv4.tcp_keepalive_time"));
}

// Every accepted socket has SO_KEEPALIVE: the coverage warning stays silent and the host-wide
// value is what matters (TT-KEEPALIVE-002, info, with the count).
TEST(CoverageNetns, KeepaliveOnEverySocketLeavesTheHostWideAdvice) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns("", "--v4 9090 --v6 0 --estab 30 --keepalive 30",
                                    "--processes --set threshold.long_lived_per_port=20");
  ASSERT_FALSE(r.report.is_discarded());
  const json* row = port_row(r.report, 9090);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ((*row)["established_keepalive"], 30);
  EXPECT_EQ((*row)["established_no_timer"], 0);
  const auto ids = fired(r.report);
  EXPECT_FALSE(contains(ids, "TT-KEEPALIVE-004/9090")) << r.report["findings"].dump(2);
  EXPECT_TRUE(contains(ids, "TT-KEEPALIVE-002/9090")) << r.report["findings"].dump(2);
  const json* f = finding(r.report, "TT-KEEPALIVE-002");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(has(f->at("message"), "30 ESTABLISHED connections on listening port :9090, 30 of them with the "
                                    "keepalive timer armed"))
      << f->at("message");
}

// A profile changing the keepalive keys says how many of the ESTABLISHED sockets the change
// reaches: 10 connections, 3 accepted sockets with SO_KEEPALIVE, 17 sockets without.
TEST(CoverageNetns, KeepaliveChangeInAPlanSaysHowManySocketsItReaches) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = run_in_netns("", "--v4 9090 --v6 0 --estab 10 --keepalive 3",
                                  "recommend --profile chat-long --format json");
  ASSERT_FALSE(r.report.is_discarded());
  const std::string note = "this change reaches 3 of the 20 ESTABLISHED sockets now (those with SO_KEEPALIVE); 17 "
                           "have no keepalive timer and no tcp_keepalive_* value reaches them";
  int keepalive_items = 0;
  for (const json& it : r.report["items"]) {
    const std::string key = it["key"];
    const bool noted = std::find(it["notes"].begin(), it["notes"].end(), json(note)) != it["notes"].end();
    if (key.rfind("net.ipv4.tcp_keepalive_", 0) == 0) {
      ++keepalive_items;
      EXPECT_TRUE(noted) << it.dump(2);
    } else {
      EXPECT_FALSE(noted) << key;
    }
  }
  EXPECT_EQ(keepalive_items, 3) << r.report.dump(2);
}

// somaxconn = 1 in the namespace: the listener sockhelper leaves unaccepted (:9092, listen(fd, 1))
// has 2 connections queued for a backlog of 1, its somaxconn cap: TT-LISTEN-005 says to raise
// somaxconn and restart, and TT-LISTEN-002 (a backlog the application chose) stays silent.
TEST(CoverageNetns, FullAcceptQueueAtTheSomaxconnCap) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns("echo 1 > /proc/sys/net/core/somaxconn", "--v4 9090 --v6 0 --queue 4", "");
  ASSERT_FALSE(r.report.is_discarded());
  const json* l = nullptr;
  for (const json& x : r.report["census"]["listeners"]) {
    if (x["port"] == 9092) l = &x;
  }
  ASSERT_NE(l, nullptr) << r.report["census"].dump(2);
  EXPECT_EQ((*l)["queued"], 2);
  EXPECT_EQ((*l)["backlog"], 1);
  const auto ids = fired(r.report);
  EXPECT_TRUE(contains(ids, "TT-LISTEN-005/9092")) << r.report["findings"].dump(2);
  EXPECT_FALSE(contains(ids, "TT-LISTEN-002/9092"));
  const json* f = finding(r.report, "TT-LISTEN-005");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(has(f->at("message"), ":9092 has 2 established connections waiting in its accept queue for a limit of 1 "
                                    "over 1 listening socket(s): each one's backlog equals net.core.somaxconn = 1"))
      << f->at("message");
  EXPECT_TRUE(has(f->at("recommendation"), "net.core.somaxconn = 4"));
  EXPECT_TRUE(has(f->at("mechanism"), "until the application calls listen() on it again"));
}

const std::string kDropRoute =
    "ip link add d0 type ifb && ip addr add 10.9.0.1/24 dev d0 && ip link set d0 up";

// 25 non-blocking connects to 10.9.0.2:443, routed into the ifb device: no answer ever comes and
// the sockets stay in SYN-SENT. The remote, the process and the connect() hang are named.
TEST(CoverageNetns, SynSentTowardsASilentRemoteIsNamed) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns(kDropRoute, "--v4 9090 --v6 0 --syn-sent 25", "--processes");
  ASSERT_FALSE(r.report.is_discarded());
  EXPECT_EQ(r.report["census"]["states"]["SYN-SENT"], 25) << r.report["census"].dump(2);
  const json* remote = nullptr;
  for (const json& x : r.report["census"]["remotes"]) {
    if (x["address"] == "10.9.0.2" && x["port"] == 443) remote = &x;
  }
  ASSERT_NE(remote, nullptr) << r.report["census"].dump(2);
  EXPECT_EQ((*remote)["syn_sent"], 25);
  EXPECT_EQ((*remote)["established"], 0);
  const auto ids = fired(r.report);
  EXPECT_TRUE(contains(ids, "TT-SYNSENT-001/10.9.0.2:443")) << r.report["findings"].dump(2);
  const json* f = finding(r.report, "TT-SYNSENT-001");
  ASSERT_NE(f, nullptr);
  const std::string msg = f->at("message");
  EXPECT_TRUE(has(msg, fmt::format("25 connections towards 10.9.0.2:443 are in SYN-SENT (0 ESTABLISHED to it); "
                                   "processes with SYN-SENT sockets: held by sockhelper (pid {}).",
                                   r.helper_pid)))
      << msg;
  EXPECT_TRUE(has(msg, "each such connect() hangs for about ")) << msg;
  EXPECT_TRUE(has(f->at("avoid").get<std::string>(), "Do not raise tcp_syn_retries"));
}

// A few connects in flight towards the same silent remote stay below the threshold: silent.
TEST(CoverageNetns, FewSynSentStaySilent) {
  SKIP_UNLESS_NETNS();
  const AuditRun r = audit_in_netns(kDropRoute, "--v4 9090 --v6 0 --estab 5 --syn-sent 5", "");
  ASSERT_FALSE(r.report.is_discarded());
  EXPECT_EQ(r.report["census"]["states"]["SYN-SENT"], 5);
  const auto ids = fired(r.report);
  EXPECT_FALSE(contains(ids, "TT-SYNSENT-001/10.9.0.2:443")) << r.report["findings"].dump(2);
  EXPECT_EQ(r.report["summary"]["warning"], 0) << r.report["findings"].dump(2);
}

}  // namespace

#endif  // TCPTUNE_SOCKHELPER

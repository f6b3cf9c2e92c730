// The built tcptune against real sockets in a fresh network namespace: exact counts per state,
// per port, per remote and per process. Needs root (unshare -n); skips with a reason otherwise.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#ifdef TCPTUNE_SOCKHELPER

namespace {

using nlohmann::json;

// The population sockhelper opens per family (see tests/helpers/sockhelper.cc).
struct Population {
  long estab = 3, tw = 4, cw = 2, fw2_orphan = 1, synrecv = 2;
  int v4 = 9090, v6 = 9190;  // main listener; the TCP_DEFER_ACCEPT listener is port + 1
  int families() const { return (v4 ? 1 : 0) + (v6 ? 1 : 0); }
  // Expected totals, by construction.
  long listen() const { return 2L * families(); }
  long established() const { return (2 * estab + synrecv) * families(); }
  long time_wait() const { return tw * families(); }
  long close_wait() const { return (cw + fw2_orphan) * families(); }
  long fin_wait2() const { return (cw + fw2_orphan) * families(); }
  long syn_recv() const { return synrecv * families(); }
};

struct HelperRun {
  int helper_pid = 0;
  json out;
  int status = -1;
};

std::string skip_reason() {
  if (::geteuid() != 0) return "needs root to create a network namespace (unshare -n)";
  if (std::system("unshare -n true >/dev/null 2>&1") != 0) return "cannot create a network namespace here";
  return {};
}

HelperRun run_in_netns(const Population& p, const std::string& tcptune_args) {
  const std::string cmd = fmt::format(
      "unshare -n {} --v4 {} --v6 {} --estab {} --tw {} --cw {} --fw2-orphan {} --synrecv {} -- {} sockets "
      "--format json {}",
      TCPTUNE_SOCKHELPER, p.v4, p.v6, p.estab, p.tw, p.cw, p.fw2_orphan, p.synrecv, TCPTUNE_BINARY, tcptune_args);
  HelperRun r;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return r;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  r.status = ::pclose(f);
  const size_t l1 = text.find('\n');
  const size_t l2 = l1 == std::string::npos ? l1 : text.find('\n', l1 + 1);
  if (l2 == std::string::npos) return r;
  r.helper_pid = std::stoi(text.substr(0, l1));
  r.out = json::parse(text.substr(l2 + 1), nullptr, false);
  return r;
}

#define SKIP_UNLESS_NETNS()                          \
  do {                                               \
    const std::string why = skip_reason();           \
    if (!why.empty()) GTEST_SKIP() << why;           \
  } while (0)

void expect_totals(const json& st, const Population& p) {
  EXPECT_EQ(st["LISTEN"], p.listen());
  EXPECT_EQ(st["ESTABLISHED"], p.established());
  EXPECT_EQ(st["TIME-WAIT"], p.time_wait());
  EXPECT_EQ(st["CLOSE-WAIT"], p.close_wait());
  EXPECT_EQ(st["FIN-WAIT-2"], p.fin_wait2());
  EXPECT_EQ(st["SYN-RECV"], p.syn_recv());
  for (const char* none : {"SYN-SENT", "FIN-WAIT-1", "CLOSE", "LAST-ACK", "CLOSING", "unknown"})
    EXPECT_EQ(st[none], 0) << none;
}

TEST(CensusNetns, StateTotalsAreExactWithDerivedTimeWait) {
  SKIP_UNLESS_NETNS();
  const Population p;
  const HelperRun r = run_in_netns(p, "");
  ASSERT_EQ(r.status, 0);
  ASSERT_FALSE(r.out.is_discarded());
  const json& c = r.out["census"];
  EXPECT_EQ(c["source"], "sock_diag");
  EXPECT_TRUE(c["time_wait_derived"].get<bool>()) << c["notes"].dump();
  expect_totals(c["states"], p);
  EXPECT_EQ(c["total"], p.listen() + p.established() + p.time_wait() + p.close_wait() + p.fin_wait2() + p.syn_recv());
  EXPECT_TRUE(c["notes"].empty()) << c["notes"].dump();  // a static population: no counter moved
}

// ESTABLISHED derived from Tcp CurrEstab (kernels >= 6.10; core/census_derive.h): exact on the
// static population, alone and with a state filter that leaves CLOSE-WAIT out of the output.
TEST(CensusNetns, DerivedEstablishedIsExact) {
  SKIP_UNLESS_NETNS();
  const Population p;
  HelperRun r = run_in_netns(p, "");
  ASSERT_EQ(r.status, 0);
  const std::string method = r.out["census"]["method"];
  if (method.find("ESTABLISHED = Tcp CurrEstab - CLOSE-WAIT") == std::string::npos)
    GTEST_SKIP() << "ESTABLISHED not derived on this kernel: " << method;
  EXPECT_EQ(r.out["census"]["states"]["ESTABLISHED"], p.established());
  r = run_in_netns(p, "--state established");
  ASSERT_EQ(r.status, 0);
  const json& c = r.out["census"];
  EXPECT_NE(std::string(c["method"]).find("ESTABLISHED = Tcp CurrEstab"), std::string::npos) << c["method"];
  EXPECT_EQ(c["states"]["ESTABLISHED"], p.established());
  EXPECT_EQ(c["states"]["CLOSE-WAIT"], 0);
  EXPECT_EQ(c["total"], p.established());
}

// When connections open and close while the census runs, CurrEstab moves between the reads
// before and after the dump, and the census says so instead of presenting exact counts. A bash
// loop connects to the helper's listener and closes again (each connection moves CurrEstab) while
// `tcptune sockets` runs until one census caught the movement (at most 200 tries; the loop waits
// for the note itself, not for the method text, which names Tcp CurrEstab on every run).
TEST(CensusNetns, MovingPopulationIsStated) {
  SKIP_UNLESS_NETNS();
  const Population p{.estab = 2000, .tw = 0, .cw = 0, .fw2_orphan = 0, .synrecv = 0, .v4 = 9090, .v6 = 0};
  const std::string script = fmt::format(
      "(while :; do exec 3<>/dev/tcp/127.0.0.1/{0}; exec 3>&-; done) 2>/dev/null & churn=$!; "
      "for i in $(seq 200); do out=$({1} sockets --format json); "
      "case $out in *\"sockets changed during the census (Tcp CurrEstab\"*) break;; esac; done; kill $churn; echo \"$out\"",
      p.v4, TCPTUNE_BINARY);
  const std::string cmd = fmt::format("unshare -n {} --v4 {} --estab {} -- bash -c '{}'", TCPTUNE_SOCKHELPER, p.v4,
                                      p.estab, script);
  FILE* f = ::popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  ASSERT_EQ(::pclose(f), 0) << text;
  const size_t l2 = text.find('\n', text.find('\n') + 1);
  ASSERT_NE(l2, std::string::npos) << text;
  const json out = json::parse(text.substr(l2 + 1), nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << text;
  const json& c = out["census"];
  const std::string method = c["method"];
  if (method.find("ESTABLISHED = Tcp CurrEstab") == std::string::npos)
    GTEST_SKIP() << "ESTABLISHED not derived on this kernel: " << method;
  bool stated = false;
  for (const json& note : c["notes"])
    stated = stated || (std::string(note).find("sockets changed during the census (Tcp CurrEstab ") == 0 &&
                        std::string(note).find("counts are approximate") != std::string::npos);
  // The census takes about a millisecond here, so a connection must open or close inside that
  // window; a slow build (sanitizers) may not see it in 200 tries. That is no evidence either way:
  // the note's logic itself is covered deterministically by census_derive_test.
  if (!stated) GTEST_SKIP() << "no census of 200 overlapped a change of Tcp CurrEstab on this machine";
  EXPECT_TRUE(stated);
}

TEST(CensusNetns, FullDumpCountsByPortExactly) {
  SKIP_UNLESS_NETNS();
  const Population p;
  const HelperRun r = run_in_netns(p, "--by port --top 4");
  ASSERT_EQ(r.status, 0);
  const json& c = r.out["census"];
  EXPECT_FALSE(c["time_wait_derived"].get<bool>());
  expect_totals(c["states"], p);
  ASSERT_EQ(c["ports"].size(), 4u);
  for (int base : {p.v4, p.v6}) {
    json main, defer;
    for (const json& row : c["ports"]) {
      if (row["port"] == base) main = row;
      if (row["port"] == base + 1) defer = row;
    }
    ASSERT_TRUE(main.is_object() && defer.is_object()) << c["ports"].dump();
    EXPECT_EQ(main["states"]["LISTEN"], 1);
    EXPECT_EQ(main["states"]["ESTABLISHED"], p.estab);
    EXPECT_EQ(main["states"]["CLOSE-WAIT"], p.cw + p.fw2_orphan);
    EXPECT_EQ(main["total"], 1 + p.estab + p.cw + p.fw2_orphan);
    EXPECT_EQ(defer["states"]["LISTEN"], 1);
    EXPECT_EQ(defer["states"]["SYN-RECV"], p.synrecv);
    EXPECT_EQ(defer["total"], 1 + p.synrecv);
  }
}

TEST(CensusNetns, RemotesCountOutboundEstablishedAndTimeWait) {
  SKIP_UNLESS_NETNS();
  const Population p;
  const HelperRun r = run_in_netns(p, "--by remote");
  ASSERT_EQ(r.status, 0);
  const json& c = r.out["census"];
  EXPECT_EQ(c["ephemeral_range"]["size"], 28232);  // a fresh namespace has the default range
  EXPECT_EQ(c["distinct_remotes"], 4);
  auto find = [&](const std::string& addr, int port) {
    for (const json& row : c["remotes"])
      if (row["address"] == addr && row["port"] == port) return row;
    return json();
  };
  for (const auto& [addr, base] : {std::pair<std::string, int>{"127.0.0.1", p.v4}, {"::1", p.v6}}) {
    const json main = find(addr, base), defer = find(addr, base + 1);
    ASSERT_TRUE(main.is_object() && defer.is_object()) << c["remotes"].dump();
    EXPECT_EQ(main["established"], p.estab);
    EXPECT_EQ(main["time_wait"], p.tw);
    EXPECT_EQ(defer["established"], p.synrecv);
    EXPECT_EQ(defer["time_wait"], 0);
  }
}

TEST(CensusNetns, ProcessViewNamesTheHelper) {
  SKIP_UNLESS_NETNS();
  const Population p;
  const HelperRun r = run_in_netns(p, "--by process --state close-wait --state ESTABLISHED");
  ASSERT_EQ(r.status, 0);
  const json& c = r.out["census"];
  ASSERT_EQ(c["processes"].size(), 1u) << c.dump();
  const json& proc = c["processes"][0];
  EXPECT_EQ(proc["pid"], r.helper_pid);
  EXPECT_EQ(proc["command"], "sockhelper");
  EXPECT_EQ(proc["states"]["CLOSE-WAIT"], p.close_wait());
  EXPECT_EQ(proc["states"]["ESTABLISHED"], p.established());
  EXPECT_EQ(c["sockets_without_owner"], 0);
  EXPECT_EQ(c["total"], p.close_wait() + p.established());
}

// The process view of a population held by one sockhelper: every socket with an inode is the
// helper's, in its state; no process holds TIME-WAIT or orphaned FIN-WAIT-2 minisocks, nor
// request sockets.
void expect_one_holder(const HelperRun& r, const Population& p) {
  const json& c = r.out["census"];
  expect_totals(c["states"], p);
  const long unowned = p.time_wait() + p.fw2_orphan * p.families() + p.syn_recv();
  EXPECT_EQ(c["sockets_without_owner"], unowned);
  ASSERT_EQ(c["processes"].size(), 1u) << c["processes"].dump();
  EXPECT_EQ(c["processes"][0]["pid"], r.helper_pid);
  EXPECT_EQ(c["processes"][0]["total"], c["total"].get<long>() - unowned);
  EXPECT_EQ(c["processes"][0]["states"]["ESTABLISHED"], p.established());
  EXPECT_EQ(c["processes"][0]["states"]["CLOSE-WAIT"], p.close_wait());
}

// A population of about 9,500 sockets spans some 35 dump datagrams and puts per-port and
// per-remote counts well past one byte (the byte rows of core/census_aggregate.h carry into a
// map): every view stays exact.
TEST(CensusNetns, ManyDatagramsAreCountedExactlyInEveryView) {
  SKIP_UNLESS_NETNS();
  const Population p{.estab = 1500, .tw = 1500, .cw = 100, .fw2_orphan = 50, .synrecv = 20};
  HelperRun r = run_in_netns(p, "--by port --top 4");
  ASSERT_EQ(r.status, 0);
  expect_totals(r.out["census"]["states"], p);
  for (const json& row : r.out["census"]["ports"]) {
    if (row["port"] != p.v4 && row["port"] != p.v6) continue;
    EXPECT_EQ(row["states"]["ESTABLISHED"], p.estab);
    EXPECT_EQ(row["states"]["CLOSE-WAIT"], p.cw + p.fw2_orphan);
  }
  r = run_in_netns(p, "--by remote");
  ASSERT_EQ(r.status, 0);
  expect_totals(r.out["census"]["states"], p);
  for (const json& row : r.out["census"]["remotes"]) {
    if (row["port"] != p.v4 && row["port"] != p.v6) continue;
    EXPECT_EQ(row["established"], p.estab);
    EXPECT_EQ(row["time_wait"], p.tw);
  }
  r = run_in_netns(p, "--by process");
  ASSERT_EQ(r.status, 0);
  expect_one_holder(r, p);
}

// Past CensusOptions::owner_pass_sockets sockets in use the process view is joined in passes (a
// dump and a walk each) to keep its memory bounded; here forced on about 9,500 sockets: the
// same exact view, and a note that says how it was taken.
TEST(CensusNetns, ProcessViewInPassesIsExact) {
  SKIP_UNLESS_NETNS();
  const Population p{.estab = 1500, .tw = 1500, .cw = 100, .fw2_orphan = 50, .synrecv = 20};
  const HelperRun r = run_in_netns(p, "--by process --owner-pass-sockets 1000");
  ASSERT_EQ(r.status, 0);
  expect_one_holder(r, p);
  const json& notes = r.out["census"]["notes"];
  bool said = false;
  for (const json& n : notes) said = said || n.get<std::string>().find("process view joined in") != std::string::npos;
  EXPECT_TRUE(said) << notes.dump();
}

TEST(CensusNetns, FiltersByStateAndPort) {
  SKIP_UNLESS_NETNS();
  const Population p;
  HelperRun r = run_in_netns(p, "--state tw --state FIN_WAIT2");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out["census"]["total"], p.time_wait() + p.fin_wait2());
  EXPECT_EQ(r.out["census"]["states"]["TIME-WAIT"], p.time_wait());
  r = run_in_netns(p, fmt::format("--port {}", p.v4 + 1));
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out["census"]["total"], 1 + p.synrecv);
  EXPECT_EQ(r.out["census"]["states"]["SYN-RECV"], p.synrecv);
}

TEST(CensusNetns, ProcNetTcpFallbackAgrees) {
  SKIP_UNLESS_NETNS();
  const Population p;
  const HelperRun r = run_in_netns(p, "--source proc --by port");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out["census"]["source"], "proc_net_tcp");
  expect_totals(r.out["census"]["states"], p);
}

TEST(CensusNetns, CountersShowSockstatAndRates) {
  SKIP_UNLESS_NETNS();
  const Population p;
  const HelperRun r = run_in_netns(p, "--interval 0.2");
  ASSERT_EQ(r.status, 0);
  const json& k = r.out["counters"];
  ASSERT_TRUE(k.contains("earlier") && k.contains("rates")) << k.dump();
  // sockstat tw counts TIME-WAIT and the orphaned FIN-WAIT-2 minisocks (net/ipv4/tcp_minisocks.c tcp_time_wait()).
  EXPECT_EQ(k["current"]["sockstat"]["tw"], p.time_wait() + p.fw2_orphan * p.families());
  EXPECT_TRUE(k["current"]["values"].contains("TcpExtListenOverflows"));
  EXPECT_TRUE(k["current"]["values"].contains("TcpCurrEstab"));
  EXPECT_GE(k["current"]["monotonic_ms"].get<uint64_t>() - k["earlier"]["monotonic_ms"].get<uint64_t>(), 200u);
}

TEST(CensusNetns, UnknownStateIsAUsageError) {
  // Needs no namespace: the argument is rejected before any socket is read.
  const int status = std::system(fmt::format("{} sockets --state nope >/dev/null 2>&1", TCPTUNE_BINARY).c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace

#endif  // TCPTUNE_SOCKHELPER

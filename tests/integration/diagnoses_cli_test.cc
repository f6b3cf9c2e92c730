// The built binary: thresholds (--set, tcptune.toml, --list-thresholds), --profile, and
// `tcptune explain FINDING-ID`, on the 6.18 fixture tree (defaults, no sockets).
#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_binary.h"

namespace tcptune::testing {
namespace {

const std::string kSrc = TCPTUNE_SOURCE_DIR;
const std::string kNew = kSrc + "/tests/fixtures/trees/linux-6.18";
const std::vector<std::string> kEnv = {"TCPTUNE_DATADIR=" + kSrc, "NO_COLOR=1"};

RunResult tt(const std::vector<std::string>& args) { return run_tcptune(args, kEnv); }

std::vector<std::string> ids(const std::string& out) {
  const auto j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << out;
  std::vector<std::string> v;
  if (j.is_discarded()) return v;
  for (const auto& f : j["findings"]) v.push_back(f["id"]);
  return v;
}

// The ids other than TT-PROFILE-001 (one finding per key the declared profile sets and the host
// lacks: tested on its own below).
std::vector<std::string> advice_ids(const std::string& out) {
  auto v = ids(out);
  std::erase(v, "TT-PROFILE-001");
  return v;
}

TEST(DiagnosesCli, ProfileChatLongTurnsOnTheKeepaliveAndRetriesAdvice) {
  auto r = tt({"--root", kNew, "audit", "--format", "json", "--fail-on", "warning"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(ids(r.out).empty());
  r = tt({"--root", kNew, "audit", "--format", "json", "--fail-on", "warning", "--profile", "chat-long"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(advice_ids(r.out), (std::vector<std::string>{"TT-KEEPALIVE-001", "TT-RETRIES-001"}));
  const auto j = nlohmann::json::parse(r.out);
  const auto& f = j["findings"][0];
  EXPECT_NE(f["mechanism"].get<std::string>().find("only to sockets that enable SO_KEEPALIVE"), std::string::npos);
  EXPECT_NE(f["avoid"].get<std::string>().find("sockets that set their own TCP_KEEPIDLE"), std::string::npos);
  EXPECT_NE(f["recommendation"].get<std::string>().find("\n  net.ipv4.tcp_keepalive_time = 120\n"), std::string::npos);
}

TEST(DiagnosesCli, ConfigFileAndSetOverrideThresholdsAndProfile) {
  TempDir d;
  const std::string conf = d.path() + "/tcptune.toml";
  write_text(conf, "[threshold]\nkeepalive_idle_max = 9000\n\n[audit]\nprofile = \"chat-long\"\n");
  // The file raises the limit above 7200: only the retries advice remains.
  auto r = tt({"--root", kNew, "audit", "--format", "json", "--config", conf});
  EXPECT_EQ(advice_ids(r.out), std::vector<std::string>{"TT-RETRIES-001"}) << r.err;
  // --set wins over the file.
  r = tt({"--root", kNew, "audit", "--format", "json", "--config", conf, "--set", "threshold.keepalive_idle_max=300"});
  EXPECT_EQ(advice_ids(r.out), (std::vector<std::string>{"TT-KEEPALIVE-001", "TT-RETRIES-001"}));
  const auto j = nlohmann::json::parse(r.out);
  bool saw = false;
  for (const auto& e : j["findings"][0]["evidence"]) saw = saw || e["value"] == "keepalive_idle_max = 300 (--set)";
  EXPECT_TRUE(saw) << j["findings"][0]["evidence"].dump();
}

// A declared profile judges the host before any traffic: one TT-PROFILE-001 item per key the
// profile sets and the host does not hold, none once the host holds them, and an at_least value
// (somaxconn) met by a larger one.
TEST(DiagnosesCli, DeclaredProfileJudgesTheHostKeyByKey) {
  auto items = [](const std::string& out) {
    std::vector<std::string> v;
    const auto j = nlohmann::json::parse(out);
    for (const auto& f : j["findings"]) {
      if (f["id"] == "TT-PROFILE-001") v.push_back(f["item"]);
    }
    return v;
  };
  auto r = tt({"--root", kNew, "audit", "--format", "json", "--profile", "chat-long"});
  EXPECT_EQ(items(r.out), (std::vector<std::string>{"net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
                                                    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_retries2",
                                                    "net.ipv4.tcp_slow_start_after_idle"}))
      << r.out;
  const auto j = nlohmann::json::parse(r.out);
  for (const auto& f : j["findings"]) {
    if (f["item"] == "net.ipv4.tcp_retries2") {
      EXPECT_EQ(f["severity"], "warning");
      EXPECT_EQ(f["message"], "net.ipv4.tcp_retries2 is 15 on this host; the declared profile chat-long sets 8.");
    }
  }
  // No profile, or kernel-defaults on a default tree: nothing to judge.
  r = tt({"--root", kNew, "audit", "--format", "json"});
  EXPECT_TRUE(items(r.out).empty());
  r = tt({"--root", kNew, "audit", "--format", "json", "--profile", "kernel-defaults"});
  EXPECT_TRUE(items(r.out).empty()) << r.out;

  // A copy of the tree tuned as reverse-proxy, with somaxconn above http-short's minimum and a
  // port range wider than http-client's: the profile is met.
  TempDir d;
  const std::string root = d.path() + "/root";
  ASSERT_EQ(std::system(("cp -a " + kNew + " " + root).c_str()), 0);
  const std::string sys = root + "/proc/sys/net/";
  write_text(sys + "core/somaxconn", "65535\n");
  write_text(sys + "ipv4/ip_local_port_range", "1024\t65535\n");
  write_text(sys + "ipv4/tcp_fin_timeout", "30\n");
  write_text(sys + "ipv4/tcp_tw_reuse", "1\n");
  r = tt({"--root", root, "audit", "--format", "json", "--profile", "reverse-proxy"});
  EXPECT_TRUE(items(r.out).empty()) << r.out;
  write_text(sys + "core/somaxconn", "1024\n");
  r = tt({"--root", root, "audit", "--format", "json", "--profile", "reverse-proxy"});
  EXPECT_EQ(items(r.out), std::vector<std::string>{"net.core.somaxconn"}) << r.out;
}

// The namespace's conntrack entry count against nf_conntrack_max (a copied tree: filling a real
// table takes ~200k flows): 80% warns with both numbers, less is silent, no count is silent.
TEST(DiagnosesCli, ConntrackTableNearItsLimit) {
  TempDir d;
  const std::string root = d.path() + "/root";
  ASSERT_EQ(std::system(("cp -a " + kNew + " " + root).c_str()), 0);
  const std::string nf = root + "/proc/sys/net/netfilter/";
  auto conntrack = [&] {
    std::vector<std::string> v;
    const auto j = nlohmann::json::parse(tt({"--root", root, "audit", "--format", "json"}).out);
    for (const auto& f : j["findings"]) {
      if (f["id"] == "TT-CONNTRACK-001") v.push_back(f["message"]);
    }
    return v;
  };
  EXPECT_TRUE(conntrack().empty());  // the fixture: 0 entries
  write_text(nf + "nf_conntrack_max", "1000\n");
  write_text(nf + "nf_conntrack_count", "800\n");
  EXPECT_EQ(conntrack(), std::vector<std::string>{"This network namespace tracks 800 connections and "
                                                  "net.netfilter.nf_conntrack_max is 1000: 80% full."});
  write_text(nf + "nf_conntrack_count", "799\n");
  EXPECT_TRUE(conntrack().empty());
  std::remove((nf + "nf_conntrack_count").c_str());  // no count read: nothing to judge, no gap
  EXPECT_TRUE(conntrack().empty());
}

// Command-line settings errors are usage errors (2); errors in tcptune.toml, a file to fix, are
// runtime errors (3), located in the file (docs/exit-codes.md).
TEST(DiagnosesCli, ThresholdAndProfileErrorsExitByWhereTheyCameFrom) {
  auto r = tt({"--root", kNew, "audit", "--set", "threshold.close_wait_per_prot=5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "tcptune: error: --set threshold.close_wait_per_prot=5: unknown threshold 'close_wait_per_prot' (did you "
            "mean 'close_wait_per_port'?)\nhint: run 'tcptune audit --list-thresholds' to see the thresholds the rules "
            "declare\n");
  r = tt({"--root", kNew, "audit", "--profile", "Chat Long"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tcptune: error: --profile Chat Long: not a profile name (lowercase letters, digits, '-', '_')\n");
  TempDir d;
  write_text(d.path() + "/t.toml", "[threshold]\nclose_wait = 5\n");
  r = tt({"--root", kNew, "audit", "--config", d.path() + "/t.toml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, d.path() + "/t.toml:2:1: error: unknown threshold 'close_wait' (did you mean "
                                "'close_wait_per_port'?)\nhint: run 'tcptune audit --list-thresholds' to see the "
                                "thresholds the rules declare\n");
  write_text(d.path() + "/p.toml", "[audit]\nprofile = \"chat-lng\"\n");
  r = tt({"--root", kNew, "audit", "--config", d.path() + "/p.toml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, d.path() + "/p.toml:2:1: error: profile 'chat-lng': no such profile (did you mean 'chat-long'?)\n"
                              "hint: run 'tcptune profiles' to list them\n");
  r = tt({"--root", kNew, "audit", "--config", d.path() + "/p.toml", "--profile", "http-short"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;  // --profile wins over the file
  r = tt({"--root", kNew, "audit", "--config", d.path() + "/missing.toml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: " + d.path() + "/missing.toml: cannot open: No such file or directory\n");
}

TEST(DiagnosesCli, ListThresholdsShowsValueOriginAndMeaning) {
  const auto r = tt({"audit", "--list-thresholds", "--set", "threshold.close_wait_per_port=7"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("close_wait_per_port = 7  (--set)\n    CLOSE-WAIT sockets on one local port"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("tw_buckets_pct = 80  (default, " + kSrc + "/rules/tw_buckets.toml:6)"), std::string::npos);
}

TEST(DiagnosesCli, ExplainFindingIdPrintsTheLongForm) {
  auto r = tt({"explain", "tt-closewait-001"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"TT-CLOSEWAIT-001 (warning): CLOSE-WAIT sockets accumulate on a local port",
                           "\nFires when:\n  port_sockets(\"close-wait\", item) >= threshold(\"close_wait_per_port\")\n",
                           "\nMechanism:\n  CLOSE-WAIT means the peer's FIN has arrived", "\nWhat not to do:\n  No sysctl removes CLOSE-WAIT",
                           "\nRecommendation:\n  Fix the application", "<port_sockets('close-wait', item)> CLOSE-WAIT on :<item>",
                           "  - close_wait_per_port: default 50:", "\nReferences:\n  - RFC 9293"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n---\n" << r.out;
  }
  r = tt({"explain", "TT-LISTEN-002", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["id"], "TT-LISTEN-002");
  EXPECT_EQ(j["for_each"], "listen_port");
  EXPECT_FALSE(j["mechanism"].get<std::string>().empty());
  r = tt({"explain", "TT-CLOSEWAIT-01"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tcptune: error: TT-CLOSEWAIT-01: no rule or finding with this id (did you mean "
                   "'TT-CLOSEWAIT-001'?)\nhint: run 'tcptune explain --list-rules' to see the rule ids\n");
  r = tt({"explain", "--list-rules"});
  EXPECT_NE(r.out.find("TT-PORTS-001       warning  ephemeral ports towards one destination are running out\n"),
            std::string::npos)
      << r.out;
  // Keys still work.
  EXPECT_EQ(tt({"explain", "tcp_fin_timeout"}).exit_code, 0);
}

}  // namespace
}  // namespace tcptune::testing

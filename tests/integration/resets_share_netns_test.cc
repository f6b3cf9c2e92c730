// Resets judged as a share of the connections opened, on real counters: in a fresh network
// namespace (its /proc/net/netstat and snmp are its own) resethelper opens 30 connections on
// loopback and its server closes each with the client's data unread, so TcpExtTCPAbortOnClose
// moves by 30 while Tcp ActiveOpens + PassiveOpens move by 60 (both ends are in the namespace).
// Measured over --interval it is a warning (TT-RESET-005); without --interval the since-boot
// share is an info (TT-RESET-006). RSTs to a port with no listener move only Tcp OutRsts
// (TT-RESET-007). Clean closes stay silent. Needs root (unshare -n).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#if defined(TCPTUNE_RESETHELPER) && defined(TCPTUNE_SOCKHELPER)

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

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

// Runs `script` with sh in a fresh network namespace; returns what it printed, parsed as JSON.
json run_in_netns(const std::string& script) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("tcptune-resets-{}", ::getpid());
  fs::create_directories(dir);
  {
    std::ofstream(dir / "run.sh") << "set -e\nD=" << dir.string() << "\n" << script;
  }
  const std::string cmd =
      fmt::format("TCPTUNE_DATADIR={} NO_COLOR=1 unshare -n sh {}", TCPTUNE_SOURCE_DIR, (dir / "run.sh").string());
  std::string text;
  if (FILE* f = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    ::pclose(f);
  }
  fs::remove_all(dir);
  return json::parse(text, nullptr, false);
}

// resethelper in `mode` with 30 connections; `audit` runs while they are made (with --interval)
// or after them (without).
std::string reset_script(const std::string& mode, bool interval) {
  const std::string start = fmt::format(
      "{} {} 127.0.0.1 30 > $D/helper &\nH=$!\n"
      "while ! grep -q port= $D/helper; do sleep 0.05; done\n",
      TCPTUNE_RESETHELPER, mode);
  const std::string go = "kill -USR1 $H\nwhile ! grep -q done $D/helper; do sleep 0.05; done\n";
  const std::string audit = fmt::format("{} audit --format json", TCPTUNE_BINARY);
  if (interval) {
    // The first counter sample must come before the resets and the second after them, on a
    // loaded machine too: 2 s for the audit to start, 6 s for the helper to finish.
    return start + audit + " --interval 6 > $D/report || true &\nA=$!\nsleep 2\n" + go +
           "wait $A || true\nkill $H\ncat $D/report\n";
  }
  return start + go + audit + " > $D/report || true\nkill $H\ncat $D/report\n";
}

const json* finding(const json& report, const std::string& id) {
  for (const json& f : report["findings"]) {
    if (f["id"] == id) return &f;
  }
  return nullptr;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ResetsShareNetns, MostConnectionsResetDuringTheIntervalIsAWarning) {
  SKIP_UNLESS_NETNS();
  const json r = run_in_netns(reset_script("unread", true));
  ASSERT_FALSE(r.is_discarded());
  const json* f = finding(r, "TT-RESET-005");
  ASSERT_NE(f, nullptr) << r["findings"].dump(2);
  EXPECT_EQ(f->at("severity"), "warning");
  const std::string msg = f->at("message");
  EXPECT_TRUE(has(msg, "this host reset 30 connections while 60 new ones were opened")) << msg;
  EXPECT_TRUE(has(msg, "TcpExtTCPAbortOnClose +30")) << msg;
  EXPECT_TRUE(has(msg, "TcpExtTCPAbortOnData +0")) << msg;
  // The per-counter note is replaced, not repeated; the since-boot note needs no --interval.
  EXPECT_EQ(finding(r, "TT-RESET-002"), nullptr);
  EXPECT_EQ(finding(r, "TT-RESET-006"), nullptr);
}

TEST(ResetsShareNetns, SinceBootShareIsNotedWithoutInterval) {
  SKIP_UNLESS_NETNS();
  const json r = run_in_netns(reset_script("unread", false));
  ASSERT_FALSE(r.is_discarded());
  EXPECT_EQ(finding(r, "TT-RESET-005"), nullptr);
  const json* f = finding(r, "TT-RESET-006");
  ASSERT_NE(f, nullptr) << r["findings"].dump(2);
  EXPECT_EQ(f->at("severity"), "info");
  const std::string msg = f->at("message");
  EXPECT_TRUE(has(msg, "this host reset 30 connections (TcpExtTCPAbortOnClose 30")) << msg;
  EXPECT_TRUE(has(msg, "for 60 connections opened")) << msg;
}

// 30 connection attempts to a port with no listener: each SYN is answered with a RST that no
// application decided (Tcp OutRsts +30, the TCPAbortOn* counters flat): TT-RESET-007.
TEST(ResetsShareNetns, ResetsWithoutAbortsAreToldApart) {
  SKIP_UNLESS_NETNS();
  const json r = run_in_netns(reset_script("noport", true));
  ASSERT_FALSE(r.is_discarded());
  const json* f = finding(r, "TT-RESET-007");
  ASSERT_NE(f, nullptr) << r["findings"].dump(2);
  EXPECT_EQ(f->at("severity"), "info");
  EXPECT_TRUE(has(f->at("message"), "Tcp OutRsts rose by 30 and TcpEstabResets by 0 while no TcpExtTCPAbortOn* "
                                    "counter moved"))
      << f->at("message");
  EXPECT_EQ(finding(r, "TT-RESET-005"), nullptr);
}

TEST(ResetsShareNetns, CleanClosesStaySilent) {
  SKIP_UNLESS_NETNS();
  const json r = run_in_netns(fmt::format("{} --v4 9090 --v6 0 --estab 20 --tw 30 -- {} audit --format json | tail -n +3\n",
                                          TCPTUNE_SOCKHELPER, TCPTUNE_BINARY));
  ASSERT_FALSE(r.is_discarded());
  EXPECT_EQ(finding(r, "TT-RESET-005"), nullptr);
  EXPECT_EQ(finding(r, "TT-RESET-006"), nullptr) << r["findings"].dump(2);
  EXPECT_EQ(r["census"]["states"]["TIME-WAIT"], 30);
}

}  // namespace

#endif

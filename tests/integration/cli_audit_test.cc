// The built binary on the fixture trees: exit codes, findings, snapshot round trip, errors.
#include <sys/utsname.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_binary.h"

namespace tcptune::testing {
namespace {

const std::string kSrc = TCPTUNE_SOURCE_DIR;
const std::string kOld = kSrc + "/tests/fixtures/trees/linux-4.9";
const std::string kNew = kSrc + "/tests/fixtures/trees/linux-6.18";
const std::vector<std::string> kEnv = {"TCPTUNE_DATADIR=" + kSrc, "NO_COLOR=1"};

RunResult tt(const std::vector<std::string>& args) { return run_tcptune(args, kEnv); }

nlohmann::json json_of(const RunResult& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

std::vector<std::string> ids(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& f : report["findings"]) {
    std::string id = f["id"];
    // Appended in two steps: `"/" + string` is misreported by GCC 12 at -O3 (-Wrestrict, GCC bug 105329).
    if (!f["item"].get<std::string>().empty()) id.append("/").append(f["item"].get<std::string>());
    out.push_back(id);
  }
  return out;
}

TEST(CliAudit, OldKernelWithRecycleIsCriticalAndExitsWithFindingsCode) {
  const auto r = tt({"--root", kOld, "audit", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto j = json_of(r);
  EXPECT_EQ(j["schema"], "tcptune.report");
  EXPECT_EQ(j["host"]["kernel_release"], "4.9.0-19-amd64");
  EXPECT_EQ(j["summary"]["critical"], 1);
  EXPECT_EQ(j["findings"][0]["id"], "TT-RECYCLE-001");
  EXPECT_EQ(j["findings"][0]["severity"], "critical");
  EXPECT_EQ(ids(j), (std::vector<std::string>{"TT-RECYCLE-001", "TT-CONF-002/net.netfilter.nf_conntrack_max",
                                              "TT-CONF-010/net.ipv4.tcp_fin_timeout",
                                              "TT-CONF-020/net.ipv4.tcp_fin_timeout"}));
}

TEST(CliAudit, TextReportGroupsBySeverityWithoutColourWhenNotATerminal) {
  const auto r = tt({"--root", kOld, "audit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("\nCRITICAL (1)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nWARNING (3)\n"), std::string::npos);
  EXPECT_LT(r.out.find("CRITICAL (1)"), r.out.find("WARNING (3)"));
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
}

TEST(CliAudit, CurrentKernelWithDefaultsHasNoFindings) {
  const auto r = tt({"--root", kNew, "audit", "--format", "json", "--fail-on", "info"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = json_of(r);
  EXPECT_EQ(j["summary"]["critical"], 0);
  EXPECT_EQ(j["summary"]["warning"], 0);
  EXPECT_EQ(j["summary"]["info"], 0);
  EXPECT_TRUE(j["findings"].empty());
}

TEST(CliAudit, FailOnThresholdDecidesTheExitCode) {
  EXPECT_EQ(tt({"--root", kOld, "audit", "--fail-on", "critical"}).exit_code, 1);
  EXPECT_EQ(tt({"--root", kOld, "audit", "--fail-on", "warning"}).exit_code, 1);
  EXPECT_EQ(tt({"--root", kNew, "audit", "--fail-on", "warning"}).exit_code, 0);
}

TEST(CliAudit, SnapshotRoundTripAuditsTheSameOffline) {
  TempDir d;
  const std::string snap = d.path() + "/old.json";
  const auto s = tt({"--root", kOld, "snapshot", "-o", snap});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_TRUE(s.out.empty());
  const auto direct = json_of(tt({"--root", kOld, "audit", "--format", "json"}));
  // --root points at a directory that does not exist: the offline audit must not read it.
  const auto offline_run = tt({"--root", d.path() + "/nowhere", "audit", "--snapshot", snap, "--format", "json"});
  EXPECT_EQ(offline_run.exit_code, 1) << offline_run.err;
  auto offline = json_of(offline_run);
  EXPECT_EQ(offline["host"]["source"], "snapshot " + snap);
  offline["host"]["source"] = direct["host"]["source"];
  EXPECT_EQ(offline, direct);
}

TEST(CliAudit, LiveHostAuditProducesAReportForThisKernel) {
  const auto r = tt({"audit", "--format", "json", "--no-census"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const auto j = json_of(r);
  utsname u{};
  ASSERT_EQ(::uname(&u), 0);
  EXPECT_EQ(j["host"]["kernel_release"], std::string(u.release));
  EXPECT_GT(j["summary"]["rules"].get<int>(), 0);
}

TEST(CliAudit, MissingSnapshotIsARuntimeError) {
  const auto r = tt({"audit", "--snapshot", "/nonexistent/snap.json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: /nonexistent/snap.json: cannot open: No such file or directory\n");
  EXPECT_TRUE(r.out.empty());
}

TEST(CliAudit, DamagedSnapshotIsLocated) {
  TempDir d;
  write_text(d.path() + "/bad.json", "{\n  \"schema\": \"tcptune.snapshot\",\n  \"schema_version\": 1,,\n}\n");
  const auto r = tt({"audit", "--snapshot", d.path() + "/bad.json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, d.path() + "/bad.json:3:23: error: invalid JSON: syntax error while parsing object key - "
                              "unexpected ','; expected string literal\n"
                              "hint: pass a file written by 'tcptune snapshot'\n");
}

TEST(CliAudit, InvalidRuleFileIsLocatedAndNothingIsAudited) {
  TempDir d;
  write_text(d.path() + "/mine.toml",
             "[[rule]]\nid = \"MY-001\"\nseverity = \"warning\"\ntitle = \"t\"\n"
             "when = 'sysctl(\"net.ipv4.tcp_fin_timeut\") < 30'\nmessage = \"m\"\nrecommendation = \"r\"\n"
             "references = [\"x\"]\n");
  const auto r = tt({"--root", kNew, "audit", "--rules", d.path()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, d.path() + "/mine.toml:5:17: error: unknown sysctl key 'net.ipv4.tcp_fin_timeut' "
                              "(did you mean 'net.ipv4.tcp_fin_timeout'?)\n");
  EXPECT_TRUE(r.out.empty());
}

TEST(CliAudit, UsageErrorsExitTwo) {
  const auto a = tt({"audit", "--fail-on", "severe"});
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_NE(a.err.find("tcptune: error: --fail-on: severe not in {info,warning,critical}"), std::string::npos) << a.err;
  const auto b = tt({"frobnicate"});
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find("hint: run 'tcptune --help'"), std::string::npos);
  EXPECT_EQ(tt({}).exit_code, 2);
}

TEST(CliExplain, KnownKeyAndUnknownKey) {
  const auto r = tt({"--root", kOld, "explain", "tcp_tw_recycle"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("net.ipv4.tcp_tw_recycle"), std::string::npos);
  EXPECT_NE(r.out.find("4.12"), std::string::npos);
  const auto u = tt({"explain", "tw_recyle"});
  EXPECT_EQ(u.exit_code, 2);
  EXPECT_EQ(u.err, "tcptune: error: tw_recyle: not a key tcptune knows\nhint: did you mean net.ipv4.tcp_tw_recycle, net.ipv4.tcp_tw_reuse?\n");
}

TEST(CliExplain, JsonCarriesTheLiveValue) {
  const auto r = tt({"--root", kNew, "explain", "net/ipv4/tcp_fin_timeout", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  EXPECT_EQ(j["key"], "net.ipv4.tcp_fin_timeout");
  EXPECT_NE(j.dump().find("60"), std::string::npos);
}

}  // namespace
}  // namespace tcptune::testing

// `tcptune diff` on fixture snapshots (tests/fixtures/snapshots; make_diff.py writes B from A
// with one change of each kind, including keys present on one side only).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_binary.h"

namespace {

using nlohmann::json;
using tcptune::testing::run_tcptune;

const std::string kA = std::string(TCPTUNE_SOURCE_DIR) + "/tests/fixtures/snapshots/diff_a.json";
const std::string kB = std::string(TCPTUNE_SOURCE_DIR) + "/tests/fixtures/snapshots/diff_b.json";

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(DiffCli, TextShowsChangedAndOneSidedItemsPerSection) {
  const auto r = run_tcptune({"diff", kA, kB});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "tcptune diff: A = " + kA + ", B = " + kB);
  EXPECT_TRUE(has_line(r.out, "Sysctls (3)")) << r.out;
  EXPECT_TRUE(has_line(r.out, "  - net.core.somaxconn          4096  (only in A)")) << r.out;
  EXPECT_TRUE(has_line(r.out, "  ~ net.ipv4.tcp_fin_timeout    60 -> 30")) << r.out;
  EXPECT_TRUE(has_line(r.out, "  + net.ipv4.tcp_notsent_lowat  131072  (only in B)")) << r.out;
  EXPECT_TRUE(has_line(r.out, "  + net.ipv4.tcp_fin_timeout  30 (/etc/sysctl.d/90-tcp.conf:1)  (only in B)")) << r.out;
  EXPECT_TRUE(has_line(r.out, "  ~ TIME-WAIT  1 -> 5")) << r.out;
  EXPECT_TRUE(has_line(r.out, "  ~ TcpExtTW  1 -> 11")) << r.out;
  EXPECT_EQ(r.out.find("Snapshot ("), std::string::npos);  // same kernel and namespace
}

TEST(DiffCli, JsonCarriesTheSameSectionsWithNullForAMissingSide) {
  const auto r = run_tcptune({"diff", kA, kB, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["schema"], "tcptune.diff");
  EXPECT_EQ(j["identical"], false);
  const json& s = j["sections"]["sysctls"];
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], (json{{"name", "net.core.somaxconn"}, {"a", "4096"}, {"b", nullptr}}));
  EXPECT_EQ(s[1], (json{{"name", "net.ipv4.tcp_fin_timeout"}, {"a", "60"}, {"b", "30"}}));
  EXPECT_EQ(s[2], (json{{"name", "net.ipv4.tcp_notsent_lowat"}, {"a", nullptr}, {"b", "131072"}}));
  EXPECT_EQ(j["sections"]["config"].size(), 1u);
  EXPECT_EQ(j["sections"]["census"].size(), 2u);
  EXPECT_EQ(j["sections"]["counters"].size(), 1u);
  EXPECT_EQ(j["sections"]["header"].size(), 0u);
}

TEST(DiffCli, ExitCodeOptionAndIdenticalSnapshots) {
  EXPECT_EQ(run_tcptune({"diff", kA, kB, "--exit-code"}).exit_code, 1);
  const auto same = run_tcptune({"diff", kA, kA, "--exit-code"});
  EXPECT_EQ(same.exit_code, 0);
  EXPECT_TRUE(has_line(same.out, "No differences.")) << same.out;
}

TEST(DiffCli, MissingFileIsARuntimeError) {
  const auto r = run_tcptune({"diff", "/nonexistent/a.json", kB});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: /nonexistent/a.json: cannot open: No such file or directory\n");
  EXPECT_EQ(run_tcptune({"diff", kA}).exit_code, 2);
}

}  // namespace

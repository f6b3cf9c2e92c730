// `audit --profile NAME` selects a profile by its name from every profile directory, as
// `profiles`, `recommend` and `apply` do: the shipped ones and the administrator's
// (TCPTUNE_SYSCONFDIR/profiles.d, /etc/tcptune/profiles.d by default), whatever the file is
// called; and through tcptune.toml's [audit] profile. A test rule (for_each profile_key) makes
// the selected profile's values visible in the report.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

#include "run_binary.h"

namespace tcptune::testing {
namespace {

const std::string kSrc = TCPTUNE_SOURCE_DIR;
const std::string kTree = kSrc + "/tests/fixtures/trees/linux-6.18";

constexpr const char* kProfileRule = R"(
[[rule]]
id = "TT-SITE-001"
severity = "info"
title = "a key differs from the selected profile"
for_each = "profile_key"
when = 'known(item) and exists(item) and sysctl(item) != profile_value(item)'
message = "{item} is {sysctl(item)}; profile {profile} sets {profile_value(item)}."
mechanism = "m"
avoid = "a"
recommendation = "r"
references = ["tests/integration/audit_profile_test.cc"]
)";

// A system configuration directory with a site profile whose file name is not its name.
class AuditProfile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(sysconf_.path() + "/profiles.d");
    write_text(sysconf_.path() + "/profiles.d/web-tier.toml",
               "name = \"site-web\"\ndescription = \"our web tier\"\ninclude = [\"http-short\"]\n"
               "[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\nvalue = 17\nreason = \"site choice\"\n");
    write_text(rules_.path() + "/site.toml", kProfileRule);
  }

  RunResult audit(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"--root", kTree, "audit", "--no-census", "--format", "json",
                                     "--rules", rules_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tcptune(args, env());
  }

  std::vector<std::string> env() const {
    return {"TCPTUNE_DATADIR=" + kSrc, "TCPTUNE_SYSCONFDIR=" + sysconf_.path(), "NO_COLOR=1"};
  }

  // "item: message" of each TT-SITE-001 finding.
  static std::vector<std::string> site_findings(const RunResult& r) {
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    std::vector<std::string> out;
    if (j.is_discarded()) return {"(no JSON) " + r.err};
    for (const auto& f : j["findings"]) {
      if (f["id"] == "TT-SITE-001") out.push_back(f["item"].get<std::string>() + ": " + f["message"].get<std::string>());
    }
    return out;
  }

  TempDir sysconf_;
  TempDir rules_;
};

TEST_F(AuditProfile, SiteProfileInProfilesDIsSelectedByItsName) {
  const auto r = audit({"--profile", "site-web"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(site_findings(r), std::vector<std::string>{
                                  "net.ipv4.tcp_fin_timeout: net.ipv4.tcp_fin_timeout is 60; profile site-web sets 17."});
  // The file name is not a profile name.
  const auto by_file = audit({"--profile", "web-tier"});
  EXPECT_EQ(by_file.exit_code, 2);
  EXPECT_EQ(by_file.err, "tcptune: error: --profile web-tier: no such profile\n"
                         "hint: run 'tcptune profiles' to list them\n");
}

TEST_F(AuditProfile, SiteProfileNamedInTcptuneTomlIsSelected) {
  write_text(sysconf_.path() + "/tcptune.toml", "[audit]\nprofile = \"site-web\"\n");
  const auto r = audit({});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(site_findings(r).size(), 1u) << r.out;
  write_text(sysconf_.path() + "/tcptune.toml", "[audit]\nprofile = \"site-wbe\"\n");
  const auto typo = audit({});
  EXPECT_EQ(typo.exit_code, 3);
  EXPECT_EQ(typo.err, sysconf_.path() + "/tcptune.toml:2:1: error: profile 'site-wbe': no such profile (did you "
                                        "mean 'site-web'?)\nhint: run 'tcptune profiles' to list them\n");
}

TEST_F(AuditProfile, EveryListedProfileIsAcceptedByAuditAndRecommend) {
  const auto list = run_tcptune({"profiles"}, env());
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::istringstream lines(list.out);
  std::string line;
  std::getline(lines, line);  // NAME WORKLOAD
  std::vector<std::string> names;
  while (std::getline(lines, line) && !line.empty()) names.push_back(line.substr(0, line.find(' ')));
  EXPECT_EQ(names, (std::vector<std::string>{"chat-long", "common", "http-client", "http-short", "kernel-defaults",
                                             "reverse-proxy", "site-web"}));
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const auto r = audit({"--profile", name});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    EXPECT_TRUE(nlohmann::json::accept(r.out));
    const auto rec = run_tcptune({"--root", kTree, "recommend", "--profile", name}, env());
    EXPECT_EQ(rec.exit_code, 0) << rec.err;
  }
}

TEST_F(AuditProfile, ProfileMistakesAreUsageErrorsForEveryProfileCommand) {
  for (const char* cmd : {"audit", "recommend", "apply", "generate"}) {
    SCOPED_TRACE(cmd);
    std::vector<std::string> args = {"--root", kTree, cmd, "--profile", "site-wbe"};
    if (std::string(cmd) == "apply") args.push_back("--dry-run");
    const auto r = run_tcptune(args, env());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "tcptune: error: --profile site-wbe: no such profile (did you mean 'site-web'?)\n"
                     "hint: run 'tcptune profiles' to list them\n");
  }
}

}  // namespace
}  // namespace tcptune::testing

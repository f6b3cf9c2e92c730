// The shipped rules (rules/*.toml) on hand-built snapshots: each rule positive and negative,
// and a default 6.18 host that must produce no warning or critical finding.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/evaluate.h"
#include "core/rule_loader.h"
#include "expr_test_util.h"

namespace tcptune::core {
namespace {

using testing::assign;
using testing::configure;
using testing::setting;

constexpr const char* kRecycle = "net.ipv4.tcp_tw_recycle";

using testing::shipped_rule_sources;

class ShippedRules : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_rule_set(shipped_rule_sources(), cat_);
    ASSERT_TRUE(r.ok()) << r.error().render();
    rules_ = std::move(r->rules);
    settings_.thresholds = default_thresholds(*r);
    // What the 6.18 reference host ships: only kernel.pid_max and fs.protected_* overrides.
    configure(config_, setting(assign("kernel.pid_max", "4194304", "/usr/lib/sysctl.d/50-pid-max.conf", 18)));
    configure(config_, setting(assign("fs.protected_regular", "1", "/usr/lib/sysctl.d/50-default.conf", 39)));
  }
  Report run() { return evaluate(rules_, snap_, config_, cat_, settings_); }
  // "ID/item" of every finding, in report order.
  std::vector<std::string> fired() {
    std::vector<std::string> out;
    for (const auto& f : run().findings) out.push_back(f.id + (f.item.empty() ? "" : "/" + f.item));
    return out;
  }
  const Finding* find(const Report& rep, const std::string& id) {
    for (const auto& f : rep.findings) {
      if (f.id == id) return &f;
    }
    return nullptr;
  }

  Catalogue cat_ = testing::test_catalogue();
  Snapshot snap_ = testing::default_618_snapshot();
  ResolvedConfig config_;
  std::vector<Rule> rules_;
  EvalSettings settings_;
};

TEST_F(ShippedRules, LoadAndNameTheKeysTheyNeed) {
  EXPECT_GE(rules_.size(), 10u);
  const auto keys = referenced_keys(rules_);
  EXPECT_NE(std::find(keys.begin(), keys.end(), kRecycle), keys.end());
  for (const auto& k : keys) EXPECT_NE(cat_.find(k), nullptr) << k;
  EXPECT_TRUE(needs_configured_keys(rules_));
}

TEST_F(ShippedRules, DefaultHostHasNoWarningOrCriticalAndNoGaps) {
  const Report rep = run();
  EXPECT_EQ(rep.count(Severity::kWarning), 0);
  EXPECT_EQ(rep.count(Severity::kCritical), 0);
  EXPECT_TRUE(rep.findings.empty());
  EXPECT_TRUE(rep.gaps.empty());
}

TEST_F(ShippedRules, RecycleEnabledOnAnOldKernelIsCritical) {
  snap_.kernel_release = "4.9.0-19-amd64";
  snap_.sysctls[kRecycle] = SysctlReading::of("1");
  const Report rep = run();
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-RECYCLE-001"});
  const Finding* f = find(rep, "TT-RECYCLE-001");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kCritical);
  EXPECT_NE(f->message.find("net.ipv4.tcp_tw_recycle is 1 on this kernel (4.9.0-19-amd64)"), std::string::npos);
  EXPECT_NE(f->message.find("removed in Linux 4.12"), std::string::npos);
  EXPECT_NE(f->references[0].find("4396e46187ca"), std::string::npos);
  snap_.sysctls[kRecycle] = SysctlReading::of("0");
  EXPECT_TRUE(fired().empty());
}

TEST_F(ShippedRules, RecycleConfiguredOnAnOldKernelIsCriticalBeforeReboot) {
  snap_.kernel_release = "4.9.0-19-amd64";
  snap_.sysctls[kRecycle] = SysctlReading::of("0");
  configure(config_, setting(assign(kRecycle, "1", "/etc/sysctl.conf", 12)));
  const Report rep = run();
  EXPECT_EQ(fired(), (std::vector<std::string>{"TT-RECYCLE-002", "TT-CONF-010/net.ipv4.tcp_tw_recycle"}));
  EXPECT_EQ(find(rep, "TT-RECYCLE-002")->recommendation, "Remove the line from /etc/sysctl.conf.");
  configure(config_, setting(assign(kRecycle, "0", "/etc/sysctl.conf", 12)));
  EXPECT_TRUE(fired().empty());
}

TEST_F(ShippedRules, RecycleInSysctlConfOnA618KernelIsAWarningQuotingFileAndLine) {
  configure(config_, setting(assign(kRecycle, "1", "/etc/sysctl.conf", 12)));
  const Report rep = run();
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-001/net.ipv4.tcp_tw_recycle"});
  const Finding& f = rep.findings[0];
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_EQ(f.message,
            "/etc/sysctl.conf:12 sets net.ipv4.tcp_tw_recycle = 1, but this kernel (6.18.44-fc-v657) does not "
            "have it: it was removed in Linux 4.12. The line has no effect; systemd-sysctl logs \"Couldn't write "
            "... ignoring: No such file or directory\" at every boot and `sysctl -p` reports \"cannot stat "
            "/proc/sys/...\".");
  EXPECT_EQ(f.recommendation, "Delete the line at /etc/sysctl.conf:12.");
  EXPECT_EQ(f.evidence, (std::vector<Evidence>{{"kernel", "6.18.44-fc-v657"},
                                               {"key", kRecycle},
                                               {"live", "absent on this kernel"},
                                               {"configured", "1 at /etc/sysctl.conf:12"}}));
}

TEST_F(ShippedRules, IgnoreFailurePrefixMakesAnAbsentKeyInfo) {
  configure(config_, setting(assign(kRecycle, "1", "/etc/sysctl.conf", 12, /*ignore_failure=*/true)));
  const Report rep = run();
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-005/net.ipv4.tcp_tw_recycle"});
  EXPECT_EQ(rep.count(Severity::kWarning), 0);
}

TEST_F(ShippedRules, KeyOfAnUnloadedModule) {
  const std::string ct = "net.netfilter.nf_conntrack_max";
  snap_.sysctls[ct] = SysctlReading::absent();
  configure(config_, setting(assign(ct, "524288", "/etc/sysctl.d/90-ct.conf", 3)));
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-002/" + ct});
  EXPECT_NE(run().findings[0].message.find("only exists while the nf_conntrack module is loaded"), std::string::npos);
  snap_.modules = {"nf_conntrack"};  // loaded, yet absent: unexplained
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-009/" + ct});
  snap_.sysctls[ct] = SysctlReading::of("524288");  // present and equal: nothing to say
  EXPECT_TRUE(fired().empty());
}

TEST_F(ShippedRules, UnknownAbsentKey) {
  const std::string typo = "net.ipv4.tcp_tw_recyle";
  snap_.sysctls[typo] = SysctlReading::absent();
  configure(config_, setting(assign(typo, "1", "/etc/sysctl.d/99-tune.conf", 5)));
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-003/" + typo});
}

TEST_F(ShippedRules, KeyNewerThanTheKernel) {
  const std::string delay = "net.ipv4.tcp_tw_reuse_delay";
  snap_.kernel_release = "6.1.0-18-amd64";
  snap_.sysctls[delay] = SysctlReading::absent();
  configure(config_, setting(assign(delay, "500", "/etc/sysctl.d/99-tune.conf", 5)));
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-004/" + delay});
  EXPECT_NE(run().findings[0].message.find("added in Linux 6.14 and this kernel is 6.1.0-18-amd64"), std::string::npos);
}

TEST_F(ShippedRules, MalformedConfigurationLinesAreWarnings) {
  EXPECT_TRUE(fired().empty());
  snap_.config.issues.push_back({{"/etc/sysctl.d/60-web.conf", 4, 1}, "line has no '=' (ignored)"});
  snap_.config.issues.push_back({{"/etc/sysctl.conf", 9, 3}, "'#' inside a value is not a comment; it is part of the value"});
  const Report rep = run();
  EXPECT_EQ(fired(), (std::vector<std::string>{"TT-CONF-030//etc/sysctl.conf:9:3", "TT-CONF-030//etc/sysctl.d/60-web.conf:4:1"}));
  const Finding* f = find(rep, "TT-CONF-030");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_EQ(f->message.substr(0, 80),
            "/etc/sysctl.conf:9:3: '#' inside a value is not a comment; it is part of the val");
}

TEST_F(ShippedRules, DriftOutsideTheCatalogueIsOnlyInformation) {
  // kernel.pid_max is not a TCP lifecycle key: report the drift, but never as a warning.
  snap_.sysctls["kernel.pid_max"] = SysctlReading::of("32768");
  configure(config_, setting(assign("kernel.pid_max", "4194304", "/usr/lib/sysctl.d/50-pid-max.conf", 16)));
  const Report rep = run();
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-011/kernel.pid_max"});
  ASSERT_EQ(rep.findings.size(), 1u);
  EXPECT_EQ(rep.findings[0].severity, Severity::kInfo);
  EXPECT_EQ(rep.count(Severity::kWarning), 0);
}

TEST_F(ShippedRules, DriftNamesBothValuesAndTheFile) {
  configure(config_, setting(assign("net.core.somaxconn", "1024", "/etc/sysctl.d/90-net.conf", 4)));
  const Report rep = run();
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-010/net.core.somaxconn"});
  EXPECT_EQ(rep.findings[0].message,
            "net.core.somaxconn is 4096 now, but boot applies 1024 from /etc/sysctl.d/90-net.conf:4. Either it "
            "was changed after boot (the change is lost at the next reboot) or the boot-time write did not take "
            "effect.");
  EXPECT_EQ(rep.findings[0].recommendation,
            "Decide which value is right: put it in the configuration (tcptune generate) or restore the configured "
            "value with `sysctl -w net.core.somaxconn=\"1024\"`.");
  // Whitespace and '+' signs do not make drift.
  configure(config_, setting(assign("net.core.somaxconn", "+4096", "/etc/sysctl.d/90-net.conf", 4)));
  configure(config_, setting(assign("net.ipv4.ip_local_port_range", "32768   60999", "/etc/sysctl.d/90-net.conf", 5)));
  EXPECT_TRUE(fired().empty());
}

TEST_F(ShippedRules, LaterFileSilentlyWins) {
  configure(config_, setting(assign("net.ipv4.tcp_fin_timeout", "60", "/etc/sysctl.d/99-z.conf", 2),
                             {assign("net.ipv4.tcp_fin_timeout", "15", "/etc/sysctl.d/10-a.conf", 7)}));
  const Report rep = run();
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-020/net.ipv4.tcp_fin_timeout"});
  EXPECT_EQ(rep.findings[0].message,
            "net.ipv4.tcp_fin_timeout is set in 2 files with different values; the last one in boot order wins "
            "without any message: /etc/sysctl.d/10-a.conf:7 = 15; /etc/sysctl.d/99-z.conf:2 = 60 (applied at boot).");
  // Same value twice: redundant but harmless.
  configure(config_, setting(assign("net.ipv4.tcp_fin_timeout", "60", "/etc/sysctl.d/99-z.conf", 2),
                             {assign("net.ipv4.tcp_fin_timeout", "60", "/etc/sysctl.d/10-a.conf", 7)}));
  EXPECT_TRUE(fired().empty());
}

TEST_F(ShippedRules, ProcpsAndSystemdDisagree) {
  auto s = setting(assign("net.ipv4.tcp_fin_timeout", "60", "/etc/sysctl.d/99-sysctl.conf", 2));
  s.procps_winner = assign("net.ipv4.tcp_fin_timeout", "30", "/etc/sysctl.conf", 9);
  configure(config_, s);
  const Report rep = run();
  EXPECT_EQ(fired(), std::vector<std::string>{"TT-CONF-021/net.ipv4.tcp_fin_timeout"});
  EXPECT_NE(rep.findings[0].message.find("ends with 30 from /etc/sysctl.conf:9"), std::string::npos);
  s.procps_winner = assign("net.ipv4.tcp_fin_timeout", "60", "/etc/sysctl.conf", 9);
  configure(config_, s);
  EXPECT_TRUE(fired().empty());
}

TEST_F(ShippedRules, UncollectedConfiguredKeyIsAGapNotASilentPass) {
  configure(config_, setting(assign("net.ipv4.tcp_keepalive_time", "600", "/etc/sysctl.d/90-ka.conf", 1)));
  snap_.sysctls.erase("net.ipv4.tcp_keepalive_time");
  const Report rep = run();
  EXPECT_TRUE(rep.findings.empty());
  const Gap want{"rule TT-CONF-010 (net.ipv4.tcp_keepalive_time)", "sysctl net.ipv4.tcp_keepalive_time: not collected"};
  EXPECT_NE(std::find(rep.gaps.begin(), rep.gaps.end(), want), rep.gaps.end());
}

}  // namespace
}  // namespace tcptune::core

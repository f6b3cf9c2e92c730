#include "core/evaluate.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "core/rule_loader.h"
#include "expr_test_util.h"

namespace tcptune::core {
namespace {

using testing::assign;

std::string rule_text(const std::string& id, const std::string& sev, const std::string& when,
                      const std::string& extra = "", const std::string& message = "m") {
  return "[[rule]]\nid = \"" + id + "\"\nseverity = \"" + sev + "\"\ntitle = \"t " + id + "\"\nwhen = '" + when +
         "'\nmessage = \"" + message + "\"\nrecommendation = \"r\"\nreferences = [\"ref\"]\n" + extra + "\n";
}

class Evaluate : public ::testing::Test {
 protected:
  std::vector<Rule> load(const std::string& text) {
    auto r = load_rules({RuleSource{"t.toml", text}}, cat_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().render());
    return r.ok() ? *r : std::vector<Rule>{};
  }
  Report run(const std::string& text) { return evaluate(load(text), snap_, config_, cat_); }

  Catalogue cat_ = testing::test_catalogue();
  Snapshot snap_ = testing::default_618_snapshot();
  ResolvedConfig config_;
};

TEST_F(Evaluate, OrdersBySeverityThenIdThenItemAndCounts) {
  testing::configure(config_, testing::setting(assign("net.core.somaxconn", "4096", "/a.conf", 1)));
  testing::configure(config_, testing::setting(assign("net.ipv4.tcp_fin_timeout", "60", "/a.conf", 2)));
  const Report rep = run(rule_text("B-1", "info", "true") + rule_text("A-1", "info", "true") +
                         rule_text("Z-1", "critical", "true") + rule_text("M-1", "warning", "false") +
                         rule_text("C-1", "warning", "configured(item)", "for_each = \"configured_key\""));
  std::vector<std::string> order;
  for (const auto& f : rep.findings) order.push_back(f.id + "/" + f.item);
  EXPECT_EQ(order, (std::vector<std::string>{"Z-1/", "C-1/net.core.somaxconn", "C-1/net.ipv4.tcp_fin_timeout",
                                             "A-1/", "B-1/"}));
  EXPECT_EQ(rep.count(Severity::kCritical), 1);
  EXPECT_EQ(rep.count(Severity::kWarning), 2);
  EXPECT_EQ(rep.count(Severity::kInfo), 2);
}

TEST_F(Evaluate, FindingCarriesRenderedMessageEvidenceAndReferences) {
  testing::configure(config_, testing::setting(assign("net.core.somaxconn", "1024", "/etc/sysctl.d/90-net.conf", 4),
                                               {assign("net.core.somaxconn", "512", "/etc/sysctl.d/10-a.conf", 7)}));
  const Report rep = run(rule_text("T-1", "warning", "drift(item)", "for_each = \"configured_key\"",
                                   "{item}: live {sysctl(item)}, boot {config(item).value} from {config(item).where}"));
  ASSERT_EQ(rep.findings.size(), 1u);
  const Finding& f = rep.findings[0];
  EXPECT_EQ(f.id, "T-1");
  EXPECT_EQ(f.title, "t T-1");
  EXPECT_EQ(f.item, "net.core.somaxconn");
  EXPECT_EQ(f.message, "net.core.somaxconn: live 4096, boot 1024 from /etc/sysctl.d/90-net.conf:4");
  EXPECT_EQ(f.recommendation, "r");
  EXPECT_EQ(f.references, std::vector<std::string>{"ref"});
  EXPECT_EQ(f.evidence, (std::vector<Evidence>{{"key", "net.core.somaxconn"},
                                               {"live", "4096"},
                                               {"configured", "1024 at /etc/sysctl.d/90-net.conf:4"},
                                               {"overridden", "512 at /etc/sysctl.d/10-a.conf:7"}}));
}

TEST_F(Evaluate, EvidenceNamesKernelAndUnreadableState) {
  snap_.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::unreadable(EACCES);
  const Report rep = run(rule_text("T-2", "info", "kernel >= \"4.12\" and unreadable(\"net.ipv4.tcp_fin_timeout\")"));
  ASSERT_EQ(rep.findings.size(), 1u);
  EXPECT_EQ(rep.findings[0].evidence, (std::vector<Evidence>{{"kernel", "6.18.44-fc-v657"},
                                                             {"key", "net.ipv4.tcp_fin_timeout"},
                                                             {"live", "unreadable: Permission denied"}}));
}

TEST_F(Evaluate, MissingDataDoesNotFireAndBecomesAGapNamingRuleAndKey) {
  snap_.gaps.push_back(Gap{"socket census", "netlink: Operation not permitted"});
  snap_.sysctls.erase("net.core.somaxconn");
  snap_.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::unreadable(EACCES);
  testing::configure(config_, testing::setting(assign("net.ipv4.tcp_fin_timeout", "30", "/a.conf", 1)));
  const Report rep = run(rule_text("G-1", "warning", "sysctl(\"net.core.somaxconn\") < 128") +
                         rule_text("G-2", "warning", "not (sysctl(\"net.core.somaxconn\") < 128)") +
                         rule_text("G-3", "warning", "drift(item)", "for_each = \"configured_key\"") +
                         rule_text("G-4", "warning", "config(\"net.core.somaxconn\").value == 5"));
  EXPECT_TRUE(rep.findings.empty());
  EXPECT_EQ(rep.gaps, (std::vector<Gap>{
                          {"socket census", "netlink: Operation not permitted"},
                          {"rule G-1", "sysctl net.core.somaxconn: not collected"},
                          {"rule G-2", "sysctl net.core.somaxconn: not collected"},
                          {"rule G-3 (net.ipv4.tcp_fin_timeout)", "sysctl net.ipv4.tcp_fin_timeout: unreadable: Permission denied"},
                      }));
}

TEST_F(Evaluate, NoRulesNoFindings) {
  const Report rep = evaluate({}, snap_, config_, cat_);
  EXPECT_TRUE(rep.findings.empty());
  EXPECT_TRUE(rep.gaps.empty());
  EXPECT_EQ(rep.count(Severity::kInfo) + rep.count(Severity::kWarning) + rep.count(Severity::kCritical), 0);
}

TEST(SeverityNames, RoundTrip) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    EXPECT_EQ(parse_severity(severity_name(s)), s);
  }
  EXPECT_EQ(severity_name(Severity::kWarning), "warning");
  EXPECT_EQ(parse_severity("Warning"), std::nullopt);
  EXPECT_EQ(parse_severity("error"), std::nullopt);
}

}  // namespace
}  // namespace tcptune::core

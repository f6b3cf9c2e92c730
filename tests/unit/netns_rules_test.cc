// The namespace vocabulary of the rule language (netns_host, netns, host_sysctl, kernel_default,
// profile_value, lifecycle_key, netns_key, profile_key) and the shipped rules/netns.toml
// (TT-NETNS-001/002) on hand-built host and namespace snapshots.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/evaluate.h"
#include "core/expr_check.h"
#include "core/expr_eval.h"
#include "core/expr_registry.h"
#include "core/netns_view.h"
#include "core/rule_loader.h"

namespace tcptune::core {
namespace {

const std::string kId = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";

std::string read_rules(const char* name) {
  std::ifstream in(std::filesystem::path(TCPTUNE_SOURCE_DIR) / "rules" / name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class NetnsRules : public ::testing::Test {
 protected:
  void SetUp() override {
    auto add = [&](const char* key, const char* scope, std::optional<std::string> def) {
      CatalogueEntry e;
      e.key = key;
      e.type = "integer";
      e.scope = scope;
      e.default_value = std::move(def);
      cat_.entries[key] = e;
    };
    add("net.ipv4.tcp_fin_timeout", "netns", "60");
    add("net.ipv4.tcp_keepalive_time", "netns", "7200");
    add("net.core.somaxconn", "netns", "4096");
    add("net.ipv4.tcp_max_tw_buckets", "netns", std::nullopt);  // memory-derived
    add("net.core.netdev_max_backlog", "global", "1000");
    host_.kernel_release = "6.18.44-fc-v657";
    set(host_, "net.ipv4.tcp_fin_timeout", "15");       // tuned
    set(host_, "net.ipv4.tcp_keepalive_time", "600");   // tuned
    set(host_, "net.core.somaxconn", "4096");           // default on both
    set(host_, "net.ipv4.tcp_max_tw_buckets", "5000");  // tuned, but no fixed default
    set(host_, "net.core.netdev_max_backlog", "2000");
    ns_ = host_;
    set(ns_, "net.ipv4.tcp_fin_timeout", "60");
    set(ns_, "net.ipv4.tcp_max_tw_buckets", "131072");
    info_.inode = 4026532500;
    info_.names = {"tt-blue"};
    info_.processes = {{77, "app", kId}};
    auto set_r = load_rule_set({RuleSource{"rules/netns.toml", read_rules("netns.toml")}}, cat_);
    ASSERT_TRUE(set_r.ok()) << set_r.error().render();
    rules_ = std::move(set_r->rules);
  }
  static void set(Snapshot& s, const char* k, const char* v) { s.sysctls[k] = SysctlReading::of(v); }

  // Judging the namespace `ns_` (info_) from the host `host_`; `plain` = a host audit.
  Report run(bool plain = false) {
    EvalSettings st;
    st.profile = profile_;
    st.profile_values = wanted_;
    st.profile_floors = floors_;
    if (!plain) {
      st.netns = &info_;
      st.host = &host_;
    }
    return evaluate(rules_, plain ? host_ : ns_, config_, cat_, st);
  }
  static std::vector<std::string> fired(const Report& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(f.id + "/" + f.item);
    return out;
  }
  static bool has(const Finding& f, const std::string& label, const std::string& value) {
    for (const auto& e : f.evidence) {
      if (e.label == label && e.value == value) return true;
    }
    return false;
  }

  Catalogue cat_;
  Snapshot host_, ns_;
  NetnsInfo info_;
  ResolvedConfig config_;
  std::vector<Rule> rules_;
  std::string profile_;
  std::map<std::string, std::string> wanted_;
  std::set<std::string> floors_;
};

TEST_F(NetnsRules, VocabularyWhenJudgingTheHostItself) {
  EvalContext ctx;
  ctx.snapshot = &host_;
  ctx.config = &config_;
  ctx.catalogue = &cat_;
  auto eval = [&](std::string_view text) {
    auto e = compile_expr(text, std::nullopt, CheckEnv{&cat_, false, nullptr});
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().render());
    return e ? eval_expr(**e, ctx) : Value{Unknown{"test", "did not compile"}};
  };
  EXPECT_EQ(std::get<bool>(eval("netns_host")), true);
  EXPECT_EQ(std::get<std::string>(eval("netns")), "host");
  EXPECT_EQ(std::get<std::string>(eval("netns_shell")), "");
  // Not applicable (no gap) when judging the host, for a memory-derived default, without a profile.
  const Value h = eval("host_sysctl(\"net.ipv4.tcp_fin_timeout\")");
  ASSERT_TRUE(is_unknown(h));
  EXPECT_EQ(std::get<Unknown>(h).what, "");
  const Value md = eval("kernel_default(\"net.ipv4.tcp_max_tw_buckets\")");
  ASSERT_TRUE(is_unknown(md));
  EXPECT_EQ(std::get<Unknown>(md).what, "");
  EXPECT_TRUE(is_unknown(eval("profile_value(\"net.ipv4.tcp_fin_timeout\")")));
  EXPECT_EQ(value_text(eval("kernel_default(\"net.ipv4.tcp_fin_timeout\")")), "60");
  // Literal keys are checked against the catalogue at load time.
  auto bad = compile_expr("host_sysctl(\"net.ipv4.tcp_fin_timeot\") == 1", std::nullopt, CheckEnv{&cat_, false, nullptr});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().render().find("did you mean 'net.ipv4.tcp_fin_timeout'"), std::string::npos)
      << bad.error().render();
}

TEST_F(NetnsRules, IterationSources) {
  EvalContext ctx;
  ctx.snapshot = &ns_;
  ctx.catalogue = &cat_;
  auto items = [&](const char* src) { return iteration_table()[static_cast<size_t>(find_iteration(src))].items(ctx); };
  EXPECT_EQ(items("lifecycle_key"), lifecycle_keys());
  EXPECT_EQ(items("netns_key"), (std::vector<std::string>{"net.core.somaxconn", "net.ipv4.tcp_fin_timeout",
                                                          "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_max_tw_buckets"}));
  EXPECT_TRUE(items("profile_key").empty());
  ctx.profile_values = &wanted_;
  wanted_ = {{"net.ipv4.tcp_fin_timeout", "30"}, {"net.core.somaxconn", "8192"}};
  EXPECT_EQ(items("profile_key"), (std::vector<std::string>{"net.core.somaxconn", "net.ipv4.tcp_fin_timeout"}));
}

TEST_F(NetnsRules, DefaultKeyUnderATunedHostIsOneFindingPerKey) {
  const Report r = run();
  // Only fin_timeout: keepalive was set inside, somaxconn is default on the host, and
  // tcp_max_tw_buckets has no fixed default to compare with.
  ASSERT_EQ(fired(r), std::vector<std::string>{"TT-NETNS-001/net.ipv4.tcp_fin_timeout"});
  EXPECT_TRUE(r.gaps.empty()) << r.gaps.front().what << ": " << r.gaps.front().reason;
  const Finding& f = r.findings.front();
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_EQ(f.message, "In network namespace 4026532500 (tt-blue; pid 77 app, container " + kId.substr(0, 12) +
                           "), net.ipv4.tcp_fin_timeout is 60, the kernel's compiled-in default, while the host's "
                           "value was tuned to 15.");
  EXPECT_NE(f.mechanism.find("only tcp_rmem, tcp_wmem and the congestion control are copied"), std::string::npos);
  EXPECT_NE(f.recommendation.find("To give the running namespace the host's value now, as root: ip netns exec tt-blue "
                                  "sysctl -w \"net.ipv4.tcp_fin_timeout=15\"."),
            std::string::npos)
      << f.recommendation;
  EXPECT_TRUE(has(f, "live", "60"));
  EXPECT_TRUE(has(f, "host", "net.ipv4.tcp_fin_timeout = 15"));
  EXPECT_TRUE(has(f, "kernel default", "net.ipv4.tcp_fin_timeout = 60"));
  EXPECT_TRUE(has(f, "process", "77 app container " + kId.substr(0, 12)));
  EXPECT_TRUE(has(f, "kernel", "6.18.44-fc-v657"));
}

TEST_F(NetnsRules, SilentForAPlainAuditTheHostTargetAndAReachedNamespace) {
  Report r = run(/*plain=*/true);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.gaps.empty());
  info_.is_host = true;
  r = run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.gaps.empty());
  info_.is_host = false;
  set(ns_, "net.ipv4.tcp_fin_timeout", "15");
  r = run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.gaps.empty());
}

TEST_F(NetnsRules, MissingDataIsAGapNotASilentPass) {
  host_.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::unreadable(EACCES);
  Report r = run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.gaps.size(), 1u);
  EXPECT_EQ(r.gaps[0].what, "rule TT-NETNS-001 (net.ipv4.tcp_fin_timeout)");
  EXPECT_EQ(r.gaps[0].reason, "host sysctl net.ipv4.tcp_fin_timeout: unreadable: Permission denied");

  set(host_, "net.ipv4.tcp_fin_timeout", "15");
  ns_.kernel_release.reset();  // no kernel: the compiled-in default is unknown
  r = run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_FALSE(r.gaps.empty());
  EXPECT_EQ(r.gaps[0].reason, "kernel release: not collected");

  ns_.kernel_release = host_.kernel_release;
  ns_.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::absent();  // not on this kernel: no gap
  r = run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.gaps.empty());
}

TEST_F(NetnsRules, ProfileComparisonReplacesTheDefaultsRule) {
  profile_ = "http-short";
  wanted_ = {
      {"net.ipv4.tcp_fin_timeout", "30"},         // namespace 60: differs
      {"net.ipv4.tcp_keepalive_time", "600"},     // matches
      {"net.core.netdev_max_backlog", "5000"},    // global: not settable per namespace
      {"net.ipv4.tcp_max_tw_buckets", "131072"},  // matches
  };
  Report r = run();
  ASSERT_EQ(fired(r), std::vector<std::string>{"TT-NETNS-002/net.ipv4.tcp_fin_timeout"});
  EXPECT_TRUE(r.gaps.empty());
  const Finding& f = r.findings.front();
  EXPECT_EQ(f.message, "In network namespace 4026532500 (tt-blue; pid 77 app, container " + kId.substr(0, 12) +
                           "), net.ipv4.tcp_fin_timeout is 60, not 30 as profile http-short sets it.");
  EXPECT_TRUE(has(f, "profile value", "net.ipv4.tcp_fin_timeout = 30 (profile http-short)"));
  EXPECT_NE(f.recommendation.find("Set net.ipv4.tcp_fin_timeout = 30 inside the namespace"), std::string::npos);

  set(ns_, "net.ipv4.tcp_fin_timeout", "30");
  EXPECT_TRUE(run().findings.empty());
  set(ns_, "net.ipv4.tcp_fin_timeout", "60");
  EXPECT_TRUE(run(/*plain=*/true).findings.empty());
  info_.is_host = true;
  EXPECT_TRUE(run().findings.empty());
}

TEST_F(NetnsRules, AnAtLeastSettingIsMetByALargerValue) {
  profile_ = "http-short";
  wanted_ = {{"net.core.somaxconn", "4096"}};
  set(ns_, "net.core.somaxconn", "65535");
  EXPECT_EQ(fired(run()), std::vector<std::string>{"TT-NETNS-002/net.core.somaxconn"});  // exact target
  floors_ = {"net.core.somaxconn"};
  EXPECT_TRUE(run().findings.empty());  // a minimum: 65535 meets it
  set(ns_, "net.core.somaxconn", "4096");
  EXPECT_TRUE(run().findings.empty());
  set(ns_, "net.core.somaxconn", "128");
  EXPECT_EQ(fired(run()), std::vector<std::string>{"TT-NETNS-002/net.core.somaxconn"});
}

}  // namespace
}  // namespace tcptune::core

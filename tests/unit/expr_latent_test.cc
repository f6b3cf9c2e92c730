// The latent-risk vocabulary on hand-built snapshots: time budgets follow the kernel's
// retransmission model, host-relative defaults come from the snapshot, missing data is a gap.
#include <gtest/gtest.h>

#include "core/expr_check.h"
#include "core/expr_eval.h"
#include "expr_test_util.h"

namespace tcptune::core {
namespace {

class ExprLatent : public ::testing::Test {
 protected:
  void SetUp() override { snap_ = testing::default_618_snapshot(); }
  std::string eval(std::string_view text) {
    CheckEnv env{&cat_, true, nullptr};
    auto e = compile_expr(text, std::nullopt, env);
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().render());
    if (!e) return "did not compile";
    EvalContext ctx;
    ctx.snapshot = &snap_;
    ctx.config = &config_;
    ctx.catalogue = &cat_;
    ctx.item = std::string("9090");
    const Value v = eval_expr(**e, ctx);
    if (const auto* u = std::get_if<Unknown>(&v)) return "unknown: " + u->what + ": " + u->reason;
    return value_text(v);
  }
  void set(const std::string& k, const std::string& v) { snap_.sysctls[k] = SysctlReading::of(v); }

  Catalogue cat_ = testing::test_catalogue();
  Snapshot snap_;
  ResolvedConfig config_;
};

TEST_F(ExprLatent, Retries2BudgetIsTcpModelTimeout) {
  EXPECT_EQ(eval("retries2_budget_ms"), "924600");  // 15: 1023 x 200 ms + 6 x 120 s
  set("net.ipv4.tcp_retries2", "8");
  EXPECT_EQ(eval("retries2_budget_ms"), "102200");
  set("net.ipv4.tcp_retries2", "4");
  EXPECT_EQ(eval("retries2_budget_ms"), "6200");
  snap_.sysctls.erase("net.ipv4.tcp_retries2");
  EXPECT_EQ(eval("retries2_budget_ms"), "unknown: sysctl net.ipv4.tcp_retries2: not collected");
}

TEST_F(ExprLatent, SynTimeoutWithAndWithoutLinearTimeouts) {
  EXPECT_EQ(eval("syn_timeout_ms"), "127000");  // no tcp_syn_linear_timeouts key: 1+2+...+64
  set("net.ipv4.tcp_syn_linear_timeouts", "4");
  EXPECT_EQ(eval("syn_timeout_ms"), "131000");  // 5 x 1 s, then 2..64
  set("net.ipv4.tcp_syn_retries", "2");
  EXPECT_EQ(eval("syn_timeout_ms"), "7000");  // ended by the 7 s model
  set("net.ipv4.tcp_syn_linear_timeouts", "2");
  EXPECT_EQ(eval("syn_timeout_ms"), "9000");  // tests/kernel/latent_test.cc measures these
}

TEST_F(ExprLatent, HostRelativeDefaultsComeFromTheHashSize) {
  EXPECT_EQ(eval("default_syn_backlog"), "2048");  // 262144 / 128
  EXPECT_EQ(eval("default_max_orphans"), "131072");
  set("net.ipv4.tcp_ehash_entries", "-8192");  // a namespace sharing a small host's table
  EXPECT_EQ(eval("default_syn_backlog"), "128");
  snap_.sysctls.erase("net.ipv4.tcp_ehash_entries");
  snap_.sysctls.erase("net.ipv4.tcp_max_orphans");
  EXPECT_EQ(eval("default_syn_backlog"),
            "unknown: default tcp_max_syn_backlog: needs tcp_ehash_entries (6.1+) or an unconfigured tcp_max_orphans");
}

TEST_F(ExprLatent, EphemeralCollisionReadsTheRangeAndReservedPorts) {
  set("net.ipv4.ip_local_port_range", "9000 9999");
  set("net.ipv4.ip_local_reserved_ports", "");
  EXPECT_EQ(eval("ephemeral_collision(item)"), "true");
  EXPECT_EQ(eval("reserved_ports_with(item)"), "9090");
  set("net.ipv4.ip_local_reserved_ports", "8080,9000-9095");
  EXPECT_EQ(eval("ephemeral_collision(item)"), "false");
  EXPECT_EQ(eval("reserved_ports_with(item)"), "8080,9000-9095,9090");
  set("net.ipv4.ip_local_port_range", "32768 60999");
  EXPECT_EQ(eval("ephemeral_collision(item)"), "false");
}

}  // namespace
}  // namespace tcptune::core

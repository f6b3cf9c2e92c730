#include "core/expr_eval.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "core/expr_check.h"
#include "expr_test_util.h"

namespace tcptune::core {
namespace {

class ExprEval : public ::testing::Test {
 protected:
  void SetUp() override {
    snap_ = testing::default_618_snapshot();
    snap_.sysctls["net.ipv4.tcp_keepalive_time"] = SysctlReading::unreadable(EACCES);
    snap_.sysctls.erase("net.ipv4.tcp_timestamps");  // not collected
  }
  Value eval(std::string_view text, std::optional<std::string> item = std::nullopt) {
    CheckEnv env{&cat_, item.has_value(), nullptr};
    auto e = compile_expr(text, std::nullopt, env);
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().render());
    if (!e) return Unknown{"test", "did not compile"};
    ctx_ = EvalContext{};
    ctx_.snapshot = &snap_;
    ctx_.config = &config_;
    ctx_.catalogue = &cat_;
    ctx_.item = std::move(item);
    return eval_expr(**e, ctx_);
  }
  // "true", "false", or "unknown: what: reason" ("unknown: n/a" when not applicable).
  std::string truth(std::string_view text, std::optional<std::string> item = std::nullopt) {
    Value v = eval(text, std::move(item));
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (const auto* u = std::get_if<Unknown>(&v)) return u->what.empty() ? "unknown: n/a" : "unknown: " + u->what + ": " + u->reason;
    return "not a boolean: " + value_text(v);
  }

  Catalogue cat_ = testing::test_catalogue();
  Snapshot snap_;
  ResolvedConfig config_;
  EvalContext ctx_;
};

TEST_F(ExprEval, SysctlValuesTuplesAndArithmetic) {
  EXPECT_EQ(truth(R"(sysctl("net.core.somaxconn") == 4096)"), "true");
  EXPECT_EQ(truth(R"(sysctl("net.core.somaxconn") > 4096)"), "false");
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.ip_local_port_range")[1] == 60999)"), "true");
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.ip_local_port_range")[1] - sysctl("net.ipv4.ip_local_port_range")[0] + 1 == 28232)"), "true");
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.ip_local_port_range") == "32768 60999")"), "true");
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.tcp_congestion_control") == "bbr")"), "true");
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.tcp_congestion_control") != 1)"), "true");
  EXPECT_EQ(truth("7 / 2 == 3 and 7 % 2 == 1 and -3 < 0"), "true");
}

TEST_F(ExprEval, KernelVersionsCompareNumericallyNotAsText) {
  EXPECT_EQ(truth(R"(kernel >= "4.12")"), "true");   // "6.18" < "4.12" as text would be false
  EXPECT_EQ(truth(R"(kernel > "6.9")"), "true");     // 18 > 9, although "6.18" < "6.9" as text
  EXPECT_EQ(truth(R"(kernel < "6.18.45" and kernel == "6.18.44")"), "true");
  snap_.kernel_release = "4.9.0-19-amd64";
  EXPECT_EQ(truth(R"(kernel < "4.12")"), "true");
  snap_.kernel_release.reset();
  EXPECT_EQ(truth(R"(kernel < "4.12")"), "unknown: kernel release: not collected");
}

TEST_F(ExprEval, KeyStates) {
  EXPECT_EQ(truth(R"(exists("net.ipv4.tcp_tw_recycle"))"), "false");
  EXPECT_EQ(truth(R"(exists("net.ipv4.tcp_keepalive_time"))"), "true");
  EXPECT_EQ(truth(R"(readable("net.ipv4.tcp_keepalive_time"))"), "false");
  EXPECT_EQ(truth(R"(unreadable("net.ipv4.tcp_keepalive_time"))"), "true");
  EXPECT_EQ(truth(R"(readable("net.core.somaxconn"))"), "true");
  EXPECT_EQ(truth(R"(exists("net.ipv4.tcp_timestamps"))"), "unknown: sysctl net.ipv4.tcp_timestamps: not collected");
}

TEST_F(ExprEval, MissingDataIsUnknownNotFalse) {
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.tcp_keepalive_time") > 600)"),
            "unknown: sysctl net.ipv4.tcp_keepalive_time: unreadable: Permission denied");
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.tcp_keepalive_time") <= 600)"),
            "unknown: sysctl net.ipv4.tcp_keepalive_time: unreadable: Permission denied");
  EXPECT_EQ(truth(R"(not (sysctl("net.ipv4.tcp_tw_recycle") == 1))"),
            "unknown: sysctl net.ipv4.tcp_tw_recycle: absent on this kernel");
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.ip_local_port_range") > 5)"),
            "unknown: comparison: '32768 60999' is not a single integer");
  EXPECT_EQ(truth(R"(sysctl("net.ipv4.ip_local_port_range")[2] > 5)"), "unknown: index: '32768 60999' has no field 2");
  EXPECT_EQ(truth("1 / 0 == 1"), "unknown: arithmetic: division by zero");
  EXPECT_EQ(truth("9223372036854775807 + 1 > 0"), "unknown: arithmetic: integer overflow");
}

TEST_F(ExprEval, KleeneLogic) {
  const std::string unk = R"(sysctl("net.ipv4.tcp_keepalive_time") > 1)";
  EXPECT_EQ(truth("false and " + unk), "false");
  EXPECT_EQ(truth(unk + " and false"), "false");
  EXPECT_EQ(truth("true or " + unk), "true");
  EXPECT_EQ(truth(unk + " or true"), "true");
  EXPECT_EQ(truth("true and " + unk), "unknown: sysctl net.ipv4.tcp_keepalive_time: unreadable: Permission denied");
  EXPECT_EQ(truth("false or " + unk), "unknown: sysctl net.ipv4.tcp_keepalive_time: unreadable: Permission denied");
}

TEST_F(ExprEval, ConfigFacts) {
  using testing::assign;
  testing::configure(config_, testing::setting(assign("net.core.somaxconn", "1024", "/etc/sysctl.d/90-net.conf", 4),
                                               {assign("net.core.somaxconn", "8192", "/etc/sysctl.d/10-a.conf", 2)}));
  auto s = testing::setting(assign("net.ipv4.tcp_fin_timeout", "60", "/etc/sysctl.d/99-sysctl.conf", 3));
  s.procps_winner = assign("net.ipv4.tcp_fin_timeout", "30", "/etc/sysctl.conf", 9);
  testing::configure(config_, s);
  const std::string k = "net.core.somaxconn";
  EXPECT_EQ(truth("configured(item)", k), "true");
  EXPECT_EQ(truth(R"(configured("net.ipv4.tcp_tw_reuse"))"), "false");
  EXPECT_EQ(value_text(eval("config(item).where", k)), "/etc/sysctl.d/90-net.conf:4");
  EXPECT_EQ(truth("config(item).value == 1024 and config(item).line == 4", k), "true");
  EXPECT_EQ(truth("config(item).count == 2 and config(item).files == 2 and config(item).overridden", k), "true");
  EXPECT_EQ(value_text(eval("config(item).assignments", k)),
            "/etc/sysctl.d/10-a.conf:2 = 8192; /etc/sysctl.d/90-net.conf:4 = 1024 (applied at boot)");
  EXPECT_EQ(truth("drift(item)", k), "true");  // live 4096
  EXPECT_EQ(truth("drift(item)", "net.ipv4.tcp_fin_timeout"), "false");
  EXPECT_EQ(truth("config(item).procps_differs and config(item).procps_value == 30", "net.ipv4.tcp_fin_timeout"), "true");
  EXPECT_EQ(truth("config(item).procps_differs", k), "false");
  EXPECT_EQ(truth("config(item).procps_value == 1", k), "unknown: n/a");
  EXPECT_EQ(truth(R"(config("net.ipv4.tcp_tw_reuse").value == 1)"), "unknown: n/a");
  EXPECT_EQ(ctx_.touched_keys, std::vector<std::string>{"net.ipv4.tcp_tw_reuse"});
}

TEST_F(ExprEval, DriftComparesNumericallyAndIgnoresWhitespace) {
  using testing::assign;
  testing::configure(config_, testing::setting(assign("net.ipv4.ip_local_port_range", "32768    60999", "/a.conf", 1)));
  testing::configure(config_, testing::setting(assign("net.core.somaxconn", "+4096", "/a.conf", 2)));
  testing::configure(config_, testing::setting(assign("net.ipv4.tcp_congestion_control", "cubic", "/a.conf", 3)));
  EXPECT_EQ(truth("drift(item)", "net.ipv4.ip_local_port_range"), "false");
  EXPECT_EQ(truth("drift(item)", "net.core.somaxconn"), "false");
  EXPECT_EQ(truth("drift(item)", "net.ipv4.tcp_congestion_control"), "true");
}

TEST_F(ExprEval, CatalogueAndModules) {
  EXPECT_EQ(truth("catalogue(item).removed_in <= kernel", "net.ipv4.tcp_tw_recycle"), "true");
  EXPECT_EQ(truth("catalogue(item).removed_in <= kernel", "net.core.somaxconn"), "unknown: n/a");
  EXPECT_EQ(truth("known(item)", "vm.swappiness"), "false");
  EXPECT_EQ(truth("module_loaded(catalogue(item).module)", "net.netfilter.nf_conntrack_max"), "false");
  snap_.modules = {"nf_conntrack", "tcp_bbr"};
  EXPECT_EQ(truth("module_loaded(catalogue(item).module)", "net.netfilter.nf_conntrack_max"), "true");
  snap_.modules_known = false;
  EXPECT_EQ(truth("module_loaded('nf_conntrack')"), "unknown: loaded modules: not collected");
}

}  // namespace
}  // namespace tcptune::core

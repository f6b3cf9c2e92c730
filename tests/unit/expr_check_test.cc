#include "core/expr_check.h"

#include <gtest/gtest.h>

#include "expr_test_util.h"

namespace tcptune::core {
namespace {

class ExprCheck : public ::testing::Test {
 protected:
  std::string check(std::string_view text, bool has_item = false) {
    keys_.clear();
    CheckEnv env{&cat_, has_item, &keys_};
    auto r = compile_expr(text, Type::kBool, env);
    return r.ok() ? "ok" : r.error().render();
  }
  Catalogue cat_ = testing::test_catalogue();
  std::vector<std::string> keys_;
};

TEST_F(ExprCheck, AcceptsTheLanguage) {
  EXPECT_EQ(check(R"(exists("net.ipv4.tcp_tw_recycle") and sysctl("net.ipv4.tcp_tw_recycle") != 0)"), "ok");
  EXPECT_EQ(check(R"(sysctl("net.ipv4.ip_local_port_range")[1] - sysctl("net.ipv4.ip_local_port_range")[0] < 10000)"), "ok");
  EXPECT_EQ(check(R"(kernel >= "4.12" and kernel.major == 6)"), "ok");
  EXPECT_EQ(check(R"(sysctl("net.ipv4.tcp_congestion_control") == "bbr")"), "ok");
  EXPECT_EQ(check("configured(item) and config(item).files > 1 and config(item).where != ''", true), "ok");
  EXPECT_EQ(check("catalogue(item).removed_in <= kernel and module_loaded(catalogue(item).module)", true), "ok");
  EXPECT_EQ(keys_, std::vector<std::string>{});
  EXPECT_EQ(check(R"(drift("net.core.somaxconn") or unreadable("net.ipv4.tcp_fin_timeout"))"), "ok");
  EXPECT_EQ(keys_, (std::vector<std::string>{"net.core.somaxconn", "net.ipv4.tcp_fin_timeout"}));
}

TEST_F(ExprCheck, NameErrorsSuggestTheClosestName) {
  EXPECT_EQ(check(R"(sysctll("net.core.somaxconn") == 1)"),
            "<expr>:1:1: error: unknown function 'sysctll' (did you mean 'sysctl'?)");
  EXPECT_EQ(check(R"(kernal >= "4.12")"), "<expr>:1:1: error: unknown identifier 'kernal' (did you mean 'kernel'?)");
  EXPECT_EQ(check("config(item).fle == ''", true),
            "<expr>:1:14: error: unknown field 'fle' of a setting (did you mean 'file'?)");
  EXPECT_EQ(check("kernel.mjor == 6"), "<expr>:1:8: error: unknown field 'mjor' of a version (did you mean 'major'?)");
  EXPECT_EQ(check(R"(exists("net.ipv4.tcp_tw_recyle"))"),
            "<expr>:1:9: error: unknown sysctl key 'net.ipv4.tcp_tw_recyle' (did you mean 'net.ipv4.tcp_tw_recycle'?)");
  EXPECT_EQ(check(R"(exists("net.ipv4.nonsense_key_here"))"),
            "<expr>:1:9: error: unknown sysctl key 'net.ipv4.nonsense_key_here'");
  EXPECT_EQ(check("item == 'x'"), "<expr>:1:1: error: 'item' is only available in rules with for_each");
  EXPECT_EQ(check("sysctl == 1"), "<expr>:1:1: error: 'sysctl' is a function; call it as sysctl(...)");
}

TEST_F(ExprCheck, ArityAndTypeErrors) {
  EXPECT_EQ(check(R"(exists("net.core.somaxconn", 1))"), "<expr>:1:1: error: 'exists' takes 1 argument, got 2");
  EXPECT_EQ(check("exists(5)"), "<expr>:1:8: error: argument 1 of 'exists' must be a string, got an integer");
  EXPECT_EQ(check("1 + 2"), "<expr>:1:1: error: expression must be a boolean, got an integer");
  EXPECT_EQ(check("'a' < 'b'"), "<expr>:1:5: error: cannot compare a string with a string using '<'");
  EXPECT_EQ(check("1 == true"), "<expr>:1:3: error: cannot compare an integer with a boolean using '=='");
  EXPECT_EQ(check("1 and true"), "<expr>:1:1: error: 'and' needs boolean operands, got an integer");
  EXPECT_EQ(check("not 1"), "<expr>:1:1: error: 'not' needs a boolean, got an integer");
  EXPECT_EQ(check("'a' + 1 == 2"), "<expr>:1:5: error: '+' needs integer operands, got a string and an integer");
  EXPECT_EQ(check("kernel[0] == 1"), "<expr>:1:7: error: cannot index a version");
  EXPECT_EQ(check(R"(sysctl("net.core.somaxconn")['a'] == 1)"),
            "<expr>:1:30: error: index must be an integer, got a string");
  EXPECT_EQ(check("kernel_release.x == 1"), "<expr>:1:16: error: a string has no fields");
  EXPECT_EQ(check(R"(kernel >= "four")"),
            "<expr>:1:11: error: \"four\" is not a kernel version (expected \"X.Y\" or \"X.Y.Z\")");
}

}  // namespace
}  // namespace tcptune::core

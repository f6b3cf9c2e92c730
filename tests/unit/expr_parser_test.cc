#include "core/expr_parser.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace tcptune::core {
namespace {

// Fully parenthesised rendering of a tree, to assert precedence and associativity. Formatted, not
// `"(" + string`: GCC 12 at -O3 misreports that as an overlapping copy (-Wrestrict, GCC bug 105329).
std::string show(const Node& n) {
  switch (n.kind) {
    case NodeKind::kInt: return std::to_string(n.number);
    case NodeKind::kBool: return n.number ? "true" : "false";
    case NodeKind::kString: return "\"" + n.text + "\"";
    case NodeKind::kIdent: return n.text;
    case NodeKind::kCall: {
      std::string s = n.text + "(";
      for (size_t i = 0; i < n.kids.size(); ++i) s += fmt::format("{}{}", i ? "," : "", show(*n.kids[i]));
      return s + ")";
    }
    case NodeKind::kIndex: return show(*n.kids[0]) + "[" + show(*n.kids[1]) + "]";
    case NodeKind::kField: return show(*n.kids[0]) + "." + n.text;
    case NodeKind::kUnary: return fmt::format("({} {})", op_text(n.op), show(*n.kids[0]));
    case NodeKind::kBinary:
      return fmt::format("({} {} {})", show(*n.kids[0]), op_text(n.op), show(*n.kids[1]));
  }
  return "?";
}

std::string parsed(std::string_view s) {
  auto r = parse_expr(s);
  return r.ok() ? show(**r) : r.error().render();
}

TEST(ExprParser, PrecedenceAndAssociativity) {
  EXPECT_EQ(parsed("1 + 2 * 3 - 4"), "((1 + (2 * 3)) - 4)");
  EXPECT_EQ(parsed("a or b and not c"), "(a or (b and (not c)))");
  EXPECT_EQ(parsed("not a == 1"), "(not (a == 1))");
  EXPECT_EQ(parsed("-x % 2 >= 1 and y"), "((((- x) % 2) >= 1) and y)");
  EXPECT_EQ(parsed("(1 + 2) * 3"), "((1 + 2) * 3)");
}

TEST(ExprParser, CallsIndexesAndFields) {
  EXPECT_EQ(parsed(R"(sysctl("net.ipv4.ip_local_port_range")[1] > 1024)"),
            "(sysctl(\"net.ipv4.ip_local_port_range\")[1] > 1024)");
  EXPECT_EQ(parsed("config(item).where"), "config(item).where");
  EXPECT_EQ(parsed("f()"), "f()");
  EXPECT_EQ(parsed("f(1, 'a', g(2))"), "f(1,\"a\",g(2))");
}

TEST(ExprParser, LocatedSyntaxErrors) {
  EXPECT_EQ(parsed("1 +"), "<expr>:1:4: error: expected an expression, found end of expression");
  EXPECT_EQ(parsed("(1 + 2"), "<expr>:1:7: error: expected ')', found end of expression");
  EXPECT_EQ(parsed("a b"), "<expr>:1:3: error: unexpected identifier 'b' after expression");
  EXPECT_EQ(parsed("f(1 2)"), "<expr>:1:5: error: expected ',' or ')', found integer 2");
  EXPECT_EQ(parsed("a < b < c"), "<expr>:1:7: error: comparison operators cannot be chained (use 'and')");
  EXPECT_EQ(parsed("x. 1"), "<expr>:1:4: error: expected field name after '.', found integer 1");
  EXPECT_EQ(parsed("x[1"), "<expr>:1:4: error: expected ']', found end of expression");
}

TEST(ExprParser, HostileNestingIsALocatedErrorNotAStackOverflow) {
  const std::string parens = std::string(10000, '(') + "1" + std::string(10000, ')');
  EXPECT_EQ(parsed(parens), "<expr>:1:65: error: expression nested too deeply (limit 64)");
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  EXPECT_EQ(parsed(nots + "true"), "<expr>:1:253: error: expression nested too deeply (limit 64)");
  std::string sum = "1";
  for (int i = 0; i < 100000; ++i) sum += "+1";
  EXPECT_EQ(parsed(sum), "<expr>:1:128: error: expression nested too deeply (limit 64)");
  std::string idx = "x";
  for (int i = 0; i < 10000; ++i) idx += "[0]";
  EXPECT_EQ(parsed(idx), "<expr>:1:191: error: expression nested too deeply (limit 64)");
}

TEST(ExprParser, NestingUpToTheLimitIsAccepted) {
  const std::string parens = std::string(60, '(') + "1" + std::string(60, ')');
  EXPECT_EQ(parsed(parens), "1");
}

}  // namespace
}  // namespace tcptune::core

#include "core/expr_lexer.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

std::vector<Tok> kinds(std::string_view s) {
  auto t = lex_expr(s);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().render());
  std::vector<Tok> out;
  if (t) for (const auto& tok : *t) out.push_back(tok.kind);
  return out;
}

std::string lex_error(std::string_view s) {
  auto t = lex_expr(s);
  return t.ok() ? "no error" : t.error().render();
}

TEST(ExprLexer, TokenisesOperatorsKeywordsAndLiterals) {
  EXPECT_EQ(kinds("a <= 10 and not b != 'x'"),
            (std::vector<Tok>{Tok::kIdent, Tok::kLe, Tok::kInt, Tok::kAnd, Tok::kNot, Tok::kIdent, Tok::kNe,
                              Tok::kString, Tok::kEnd}));
  auto t = lex_expr(R"(sysctl("net.ipv4.x")[1] % 3)");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[2].text, "net.ipv4.x");
  EXPECT_EQ((*t)[2].offset, 7u);
  EXPECT_EQ((*t)[5].number, 1);
}

TEST(ExprLexer, DecodesEscapesInBothQuoteStyles) {
  auto t = lex_expr(R"("a\"b" 'c\'d\\')");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].text, "a\"b");
  EXPECT_EQ((*t)[1].text, "c'd\\");
}

TEST(ExprLexer, ReportsErrorsAtTheirOffset) {
  EXPECT_EQ(lex_error("a && b"), "<expr>:1:3: error: unexpected '&' (did you mean 'and'?)");
  EXPECT_EQ(lex_error("a = 1"), "<expr>:1:3: error: unexpected '=' (did you mean '=='?)");
  EXPECT_EQ(lex_error("x == \"abc"), "<expr>:1:6: error: unterminated string");
  EXPECT_EQ(lex_error("99999999999999999999"), "<expr>:1:1: error: integer literal out of range");
  EXPECT_EQ(lex_error("1 # 2"), "<expr>:1:3: error: unexpected character '#'");
  EXPECT_EQ(lex_error("'a\\n'"), "<expr>:1:3: error: unknown escape '\\n' in string");
  EXPECT_EQ(lex_error("12ab"), "<expr>:1:1: error: malformed number (digits followed by letters)");
}

TEST(ExprLexer, AcceptsLargestInteger) {
  auto t = lex_expr("9223372036854775807");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].number, INT64_MAX);
}

}  // namespace
}  // namespace tcptune::core

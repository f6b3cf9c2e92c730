// Tokeniser of the rule condition language. Errors are located by byte offset in the
// expression text: Error::loc has file "<expr>", line 1 and col = offset + 1; the rule loader
// maps that back to the TOML file (rule_loader.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tcptune::core {

enum class Tok {
  kEnd, kInt, kString, kIdent, kLParen, kRParen, kLBracket, kRBracket, kComma, kDot,
  kEq, kNe, kLt, kLe, kGt, kGe, kPlus, kMinus, kStar, kSlash, kPercent,
  kAnd, kOr, kNot, kTrue, kFalse,
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t offset = 0;   // byte offset in the expression
  size_t length = 0;   // bytes of source text
  std::string text;    // identifier name or decoded string literal
  int64_t number = 0;  // integer literal
};

// How a token is shown in diagnostics: "'=='", "identifier 'x'", "end of expression".
std::string describe(const Token& t);

// Splits an expression into tokens, ending with one kEnd token.
Result<std::vector<Token>> lex_expr(std::string_view text);

// An Error located at a byte offset of an expression (see the file comment).
Error expr_error(size_t offset, std::string what);

}  // namespace tcptune::core

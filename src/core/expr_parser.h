// Recursive-descent parser of the rule condition language (grammar in docs/rule-language.md).
// Nesting is bounded: a tree deeper than kMaxExprDepth is rejected with a located error, so a
// hostile rule file cannot exhaust the stack in the parser, the checker or the evaluator.
#pragma once

#include <memory>
#include <string_view>

#include "core/expr_ast.h"
#include "core/result.h"

namespace tcptune::core {

inline constexpr int kMaxExprDepth = 64;

// Parses one whole expression. Errors are located as described in expr_lexer.h.
Result<std::unique_ptr<Node>> parse_expr(std::string_view text);

}  // namespace tcptune::core

// Evaluation of checked expressions with three-valued logic (docs/rule-language.md,
// "Missing data"): a comparison, arithmetic or call involving an unknown value is unknown;
// `and`/`or` follow Kleene logic (false and unknown = false, true or unknown = true).
#pragma once

#include "core/expr_ast.h"
#include "core/expr_value.h"

namespace tcptune::core {

// Evaluates a checked tree. Never throws; recursion is bounded by kMaxExprDepth.
Value eval_expr(const Node& n, EvalContext& ctx);

enum class Truth { kFalse, kTrue, kUnknown };

// Evaluates a boolean expression; on kUnknown, *gap (if given) receives the Unknown that made
// it undecidable (its `what` is empty when that was merely "not applicable").
Truth eval_condition(const Node& n, EvalContext& ctx, Unknown* gap = nullptr);

}  // namespace tcptune::core

// Message templates: literal text with `{expression}` placeholders, each a checked expression
// of the condition language whose value is interpolated (value_text()). `{{` and `}}` are
// literal braces. Errors are located by byte offset in the template text (expr_lexer.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/expr_check.h"
#include "core/expr_value.h"

namespace tcptune::core {

struct TemplatePart {
  std::string literal;  // text before `expr` (or the whole part when expr is null)
  Expr expr;            // may be null
};

struct Template {
  std::vector<TemplatePart> parts;
};

Result<Template> compile_template(std::string_view text, const CheckEnv& env);

// Renders with the evaluation context of the finding; unknown values render as "(unknown)".
std::string render_template(const Template& t, EvalContext& ctx);

}  // namespace tcptune::core

#include "core/message_template.h"

#include <fmt/format.h>

#include "core/expr_eval.h"
#include "core/expr_lexer.h"

namespace tcptune::core {
namespace {

// End of the placeholder starting at `open` (index of its '}'), skipping quoted strings in the
// expression so a '}' inside "..." does not end it. npos when unterminated.
size_t placeholder_end(std::string_view s, size_t open) {
  char quote = '\0';
  for (size_t i = open + 1; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = '\0';
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '}') {
      return i;
    }
  }
  return std::string_view::npos;
}

// Moves an expression-relative error to template coordinates.
Error shift(const Error& e, size_t base) {
  const size_t off = static_cast<size_t>(e.loc ? e.loc->col - 1 : 0);
  Error out = expr_error(base + off, e.what);
  out.hint = e.hint;
  return out;
}

}  // namespace

Result<Template> compile_template(std::string_view s, const CheckEnv& env) {
  Template t;
  std::string lit;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '}') {
      if (i + 1 < s.size() && s[i + 1] == '}') {
        lit += '}';
        ++i;
        continue;
      }
      return expr_error(i, "unmatched '}' in template (write '}}' for a literal brace)");
    }
    if (c != '{') {
      lit += c;
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '{') {
      lit += '{';
      ++i;
      continue;
    }
    const size_t close = placeholder_end(s, i);
    if (close == std::string_view::npos) return expr_error(i, "unterminated '{' in template");
    const std::string_view body = s.substr(i + 1, close - i - 1);
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return expr_error(i, "empty placeholder '{}' in template");
    }
    auto e = compile_expr(body, std::nullopt, env);
    if (!e) return shift(e.error(), i + 1);
    t.parts.push_back(TemplatePart{std::move(lit), std::move(*e)});
    lit.clear();
    i = close;
  }
  if (!lit.empty() || t.parts.empty()) t.parts.push_back(TemplatePart{std::move(lit), nullptr});
  return t;
}

std::string render_template(const Template& t, EvalContext& ctx) {
  std::string out;
  for (const auto& p : t.parts) {
    out += p.literal;
    if (p.expr) out += value_text(eval_expr(*p.expr, ctx));
  }
  return out;
}

}  // namespace tcptune::core

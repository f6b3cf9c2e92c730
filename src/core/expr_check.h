// Load-time checking of a parsed expression: resolves every name against the registry
// (expr_registry.h), infers and checks types, validates version literals and checks literal
// sysctl keys against the catalogue. Errors are located by expression offset (expr_lexer.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.h"
#include "core/expr_ast.h"
#include "core/result.h"

namespace tcptune::core {

struct CheckEnv {
  const Catalogue* catalogue = nullptr;   // known keys; nullptr skips the key check
  bool has_item = false;                  // inside a rule with for_each
  std::vector<std::string>* keys = nullptr;  // receives literal keys named (may be nullptr)
  const std::vector<std::string>* thresholds = nullptr;  // declared threshold names (nullptr = none)
};

// Annotates `root` (types, registry references). Returns its type.
Result<Type> check_expr(Node& root, const CheckEnv& env);

// Parses and checks in one step; when `want` is given the expression must have that type.
Result<Expr> compile_expr(std::string_view text, std::optional<Type> want, const CheckEnv& env);

}  // namespace tcptune::core

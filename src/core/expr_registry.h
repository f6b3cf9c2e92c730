// The language's vocabulary as data: every function, identifier, record field and iteration
// source with its signature and documentation. The checker resolves names against these
// tables and the evaluator dispatches through them, so extending the language (census values,
// counters, thresholds, profiles, per-port iteration) means adding table rows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/expr_ast.h"
#include "core/expr_value.h"

namespace tcptune::core {

struct FunctionSig {
  std::string_view name;
  std::vector<Type> params;
  Type result;
  bool key_param;  // the first argument is a sysctl key: literals are checked against the catalogue
  std::string_view doc;
  // Called with arguments already known (an unknown argument makes the call unknown).
  Value (*impl)(EvalContext& ctx, const std::vector<Value>& args);
};

struct IdentSig {
  std::string_view name;
  Type type;
  bool needs_item;  // only meaningful inside a rule with for_each
  std::string_view doc;
  Value (*impl)(EvalContext& ctx);
};

struct FieldSig {
  Type owner;
  std::string_view name;
  Type result;
  std::string_view doc;
  Value (*impl)(EvalContext& ctx, const Value& owner);  // owner is known and of type `owner`
};

struct IterationSig {
  std::string_view name;
  std::string_view doc;
  std::vector<std::string> (*items)(const EvalContext& ctx);  // in report order
};

const std::vector<FunctionSig>& function_table();
const std::vector<IdentSig>& ident_table();
const std::vector<FieldSig>& field_table();
const std::vector<IterationSig>& iteration_table();

// Index into the table, or -1.
int find_function(std::string_view name);
int find_ident(std::string_view name);
int find_field(Type owner, std::string_view name);
int find_iteration(std::string_view name);

// Names for "did you mean" suggestions.
std::vector<std::string> function_names();
std::vector<std::string> ident_names();
std::vector<std::string> field_names(Type owner);
std::vector<std::string> iteration_names();

}  // namespace tcptune::core

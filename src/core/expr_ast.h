// Abstract syntax tree of the rule condition language (docs/rule-language.md).
// The parser builds it, expr_check annotates each node with its static type and the registry
// entry it resolves to, and expr_eval walks it. Trees are immutable once checked.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tcptune::core {

// Static types. kValue is a sysctl value: an integer, a tuple of integers or a string, decided
// at evaluation time. kSetting and kEntry are records with named fields (see expr_registry.h).
enum class Type { kBool, kInt, kString, kVersion, kValue, kSetting, kEntry };

// "boolean", "integer", "string", "version", "value", "setting", "entry".
std::string_view type_name(Type t);

enum class NodeKind { kInt, kString, kBool, kIdent, kCall, kIndex, kField, kUnary, kBinary };

enum class Op { kNone, kNeg, kNot, kAdd, kSub, kMul, kDiv, kMod,
                kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr };

// Source spelling of an operator ("==", "and", ...).
std::string_view op_text(Op op);

struct Node {
  NodeKind kind = NodeKind::kInt;
  size_t offset = 0;  // byte offset of the node's first character in the expression text
  int64_t number = 0;  // kInt literal value, kBool (0/1)
  std::string text;    // kString literal value; kIdent/kCall/kField name
  Op op = Op::kNone;   // kUnary/kBinary
  std::vector<std::unique_ptr<Node>> kids;  // operands, call arguments, indexed/field owner
  int depth = 1;       // height of this subtree (bounded by the parser)

  // Filled in by check_expr():
  Type type = Type::kBool;
  int ref = -1;  // registry index: function (kCall), identifier (kIdent) or field (kField)
};

using Expr = std::shared_ptr<const Node>;

}  // namespace tcptune::core

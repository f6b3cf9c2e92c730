#include "core/expr_eval.h"

#include <fmt/format.h>

#include "core/expr_registry.h"

namespace tcptune::core {
namespace {

struct IntOrUnknown {
  int64_t value = 0;
  std::optional<Unknown> unknown;
};

// Integers and integer-valued sysctls are numbers; a tuple or text sysctl is not.
IntOrUnknown as_int(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return {*i, std::nullopt};
  const auto& sv = std::get<SysctlValue>(v);
  if (auto i = sv.as_integer()) return {*i, std::nullopt};
  return {0, Unknown{"comparison", fmt::format("'{}' is not a single integer", sv.text)}};
}

bool apply_ordering(Op op, int cmp) {
  switch (op) {
    case Op::kEq: return cmp == 0;
    case Op::kNe: return cmp != 0;
    case Op::kLt: return cmp < 0;
    case Op::kLe: return cmp <= 0;
    case Op::kGt: return cmp > 0;
    case Op::kGe: return cmp >= 0;
    default: return false;
  }
}

std::optional<KernelVersion> as_version(const Value& v) {
  if (const auto* k = std::get_if<KernelVersion>(&v)) return *k;
  return parse_kernel_version(std::get<std::string>(v));
}

Value compare_versions(Op op, const Value& l, const Value& r) {
  const auto a = as_version(l);
  const auto b = as_version(r);
  if (!a || !b) {
    const Value& bad = a ? r : l;
    return Unknown{"version", fmt::format("'{}' is not a kernel version", value_text(bad))};
  }
  return apply_ordering(op, *a < *b ? -1 : (*a == *b ? 0 : 1));
}

SysctlValue as_sysctl_value(const Value& v) {
  if (const auto* s = std::get_if<SysctlValue>(&v)) return *s;
  if (const auto* s = std::get_if<std::string>(&v)) return parse_sysctl_value(*s);
  return parse_sysctl_value(fmt::format("{}", std::get<int64_t>(v)));
}

Value compare(Op op, const Value& l, const Value& r) {
  if (is_unknown(l)) return l;
  if (is_unknown(r)) return r;
  if (std::holds_alternative<KernelVersion>(l) || std::holds_alternative<KernelVersion>(r)) {
    return compare_versions(op, l, r);
  }
  if (const auto* b = std::get_if<bool>(&l)) return apply_ordering(op, *b == std::get<bool>(r) ? 0 : 1);
  if (op == Op::kEq || op == Op::kNe) {
    // Equality is value equality as the kernel sees it: "4096  87380" == "4096 87380".
    const bool eq = sysctl_values_equal(as_sysctl_value(l), as_sysctl_value(r));
    return op == Op::kEq ? eq : !eq;
  }
  const auto a = as_int(l);
  if (a.unknown) return *a.unknown;
  const auto b = as_int(r);
  if (b.unknown) return *b.unknown;
  return apply_ordering(op, a.value < b.value ? -1 : (a.value == b.value ? 0 : 1));
}

Value arithmetic(Op op, const Value& l, const Value& r) {
  if (is_unknown(l)) return l;
  if (is_unknown(r)) return r;
  const auto a = as_int(l);
  if (a.unknown) return *a.unknown;
  const auto b = as_int(r);
  if (b.unknown) return *b.unknown;
  int64_t out = 0;
  bool overflow = false;
  switch (op) {
    case Op::kAdd: overflow = __builtin_add_overflow(a.value, b.value, &out); break;
    case Op::kSub: overflow = __builtin_sub_overflow(a.value, b.value, &out); break;
    case Op::kMul: overflow = __builtin_mul_overflow(a.value, b.value, &out); break;
    case Op::kDiv:
    case Op::kMod:
      if (b.value == 0) return Unknown{"arithmetic", "division by zero"};
      if (b.value == -1 && a.value == INT64_MIN) { overflow = true; break; }
      out = op == Op::kDiv ? a.value / b.value : a.value % b.value;
      break;
    default: break;
  }
  if (overflow) return Unknown{"arithmetic", "integer overflow"};
  return out;
}

// Kleene logic: a false operand decides `and`, a true one decides `or`, even if the other is
// unknown; the right operand is not evaluated when the left decides.
Value logic(const Node& n, EvalContext& ctx) {
  const bool decisive = n.op == Op::kOr;
  Value l = eval_expr(*n.kids[0], ctx);
  if (const auto* b = std::get_if<bool>(&l); b && *b == decisive) return decisive;
  Value r = eval_expr(*n.kids[1], ctx);
  if (const auto* b = std::get_if<bool>(&r); b && *b == decisive) return decisive;
  if (is_unknown(l)) return l;
  if (is_unknown(r)) return r;
  return !decisive;
}

Value index(const Node& n, EvalContext& ctx) {
  Value owner = eval_expr(*n.kids[0], ctx);
  Value idx = eval_expr(*n.kids[1], ctx);
  if (is_unknown(owner)) return owner;
  if (is_unknown(idx)) return idx;
  const auto& sv = std::get<SysctlValue>(owner);
  const int64_t i = std::get<int64_t>(idx);
  if (sv.numbers.empty()) return Unknown{"index", fmt::format("'{}' has no numeric fields", sv.text)};
  if (i < 0 || static_cast<uint64_t>(i) >= sv.numbers.size()) {
    return Unknown{"index", fmt::format("'{}' has no field {}", sv.text, i)};
  }
  return sv.numbers[static_cast<size_t>(i)];
}

Value call(const Node& n, EvalContext& ctx) {
  std::vector<Value> args;
  args.reserve(n.kids.size());
  for (const auto& k : n.kids) {
    args.push_back(eval_expr(*k, ctx));
    if (is_unknown(args.back())) return args.back();
  }
  return function_table()[static_cast<size_t>(n.ref)].impl(ctx, args);
}

}  // namespace

Value eval_expr(const Node& n, EvalContext& ctx) {
  switch (n.kind) {
    case NodeKind::kInt: return n.number;
    case NodeKind::kString: return n.text;
    case NodeKind::kBool: return n.number != 0;
    case NodeKind::kIdent: return ident_table()[static_cast<size_t>(n.ref)].impl(ctx);
    case NodeKind::kCall: return call(n, ctx);
    case NodeKind::kIndex: return index(n, ctx);
    case NodeKind::kField: {
      Value owner = eval_expr(*n.kids[0], ctx);
      if (is_unknown(owner)) return owner;
      return field_table()[static_cast<size_t>(n.ref)].impl(ctx, owner);
    }
    case NodeKind::kUnary: {
      Value v = eval_expr(*n.kids[0], ctx);
      if (is_unknown(v)) return v;
      if (n.op == Op::kNot) return !std::get<bool>(v);
      return arithmetic(Op::kSub, int64_t{0}, v);
    }
    case NodeKind::kBinary:
      if (n.op == Op::kAnd || n.op == Op::kOr) return logic(n, ctx);
      if (n.op >= Op::kEq) {
        Value l = eval_expr(*n.kids[0], ctx);
        Value r = eval_expr(*n.kids[1], ctx);
        return compare(n.op, l, r);
      }
      return arithmetic(n.op, eval_expr(*n.kids[0], ctx), eval_expr(*n.kids[1], ctx));
  }
  return Unknown{"expression", "internal: unknown node"};
}

Truth eval_condition(const Node& n, EvalContext& ctx, Unknown* gap) {
  Value v = eval_expr(n, ctx);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? Truth::kTrue : Truth::kFalse;
  if (gap) *gap = std::get<Unknown>(std::move(v));
  return Truth::kUnknown;
}

}  // namespace tcptune::core

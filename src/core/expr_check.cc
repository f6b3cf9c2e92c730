#include "core/expr_check.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/census.h"
#include "core/did_you_mean.h"
#include "core/expr_lexer.h"
#include "core/expr_parser.h"
#include "core/expr_registry.h"

namespace tcptune::core {
namespace {

// Where the source text of a node starts (a binary node's own offset is its operator).
size_t start_offset(const Node& n) {
  const Node* p = &n;
  while ((p->kind == NodeKind::kBinary || p->kind == NodeKind::kIndex || p->kind == NodeKind::kField) &&
         !p->kids.empty()) {
    p = p->kids[0].get();
  }
  return p->offset;
}

bool is_numeric(Type t) { return t == Type::kInt || t == Type::kValue; }
bool is_textual(Type t) { return t == Type::kString || t == Type::kValue; }
bool is_ordering(Op op) { return op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe; }
bool is_comparison(Op op) { return op == Op::kEq || op == Op::kNe || is_ordering(op); }

std::string a_type(Type t) {
  const std::string_view n = type_name(t);
  const bool vowel = n[0] == 'a' || n[0] == 'e' || n[0] == 'i' || n[0] == 'o' || n[0] == 'u';
  return fmt::format("{} {}", vowel ? "an" : "a", n);
}

class Checker {
 public:
  explicit Checker(const CheckEnv& env) : env_(env) {}

  Result<Type> check(Node& n) {
    switch (n.kind) {
      case NodeKind::kInt: return set(n, Type::kInt);
      case NodeKind::kString: return set(n, Type::kString);
      case NodeKind::kBool: return set(n, Type::kBool);
      case NodeKind::kIdent: return ident(n);
      case NodeKind::kCall: return call(n);
      case NodeKind::kIndex: return index(n);
      case NodeKind::kField: return field(n);
      case NodeKind::kUnary: return unary(n);
      case NodeKind::kBinary: return binary(n);
    }
    return expr_error(n.offset, "internal: unknown node");
  }

 private:
  static Result<Type> set(Node& n, Type t) {
    n.type = t;
    return t;
  }

  Result<Type> ident(Node& n) {
    const int i = find_ident(n.text);
    if (i < 0) {
      if (find_function(n.text) >= 0) {
        return expr_error(n.offset, fmt::format("'{}' is a function; call it as {}(...)", n.text, n.text));
      }
      return expr_error(n.offset, fmt::format("unknown identifier '{}'{}", n.text, did_you_mean(n.text, ident_names())));
    }
    const IdentSig& sig = ident_table()[static_cast<size_t>(i)];
    if (sig.needs_item && !env_.has_item) {
      return expr_error(n.offset, fmt::format("'{}' is only available in rules with for_each", n.text));
    }
    n.ref = i;
    return set(n, sig.type);
  }

  Result<Type> call(Node& n) {
    const int i = find_function(n.text);
    if (i < 0) {
      return expr_error(n.offset, fmt::format("unknown function '{}'{}", n.text, did_you_mean(n.text, function_names())));
    }
    const FunctionSig& sig = function_table()[static_cast<size_t>(i)];
    if (n.kids.size() != sig.params.size()) {
      return expr_error(n.offset, fmt::format("'{}' takes {} argument{}, got {}", n.text, sig.params.size(),
                                              sig.params.size() == 1 ? "" : "s", n.kids.size()));
    }
    for (size_t a = 0; a < n.kids.size(); ++a) {
      auto t = check(*n.kids[a]);
      if (!t) return t;
      if (*t != sig.params[a]) {
        return expr_error(start_offset(*n.kids[a]), fmt::format("argument {} of '{}' must be {}, got {}", a + 1, n.text,
                                                         a_type(sig.params[a]), a_type(*t)));
      }
    }
    if (auto err = check_first_arg(sig, n)) return *err;
    n.ref = i;
    return set(n, sig.result);
  }

  std::optional<Error> check_first_arg(const FunctionSig& sig, const Node& call) {
    if (sig.check == ArgCheck::kNone) return std::nullopt;
    const Node& arg = *call.kids[0];
    if (arg.kind != NodeKind::kString) {
      if (sig.check == ArgCheck::kSysctlKey) return std::nullopt;
      return expr_error(start_offset(arg), fmt::format("argument 1 of '{}' must be a string literal", call.text));
    }
    switch (sig.check) {
      case ArgCheck::kSysctlKey: return check_key(arg);
      case ArgCheck::kThreshold: {
        static const std::vector<std::string> kNone;
        const auto& names = env_.thresholds ? *env_.thresholds : kNone;
        if (std::find(names.begin(), names.end(), arg.text) != names.end()) return std::nullopt;
        Error e = expr_error(arg.offset + 1, fmt::format("unknown threshold '{}'{}", arg.text, did_you_mean(arg.text, names)));
        e.hint = "declare it in a rule file: [threshold.NAME] with default = N and doc = \"...\"";
        return e;
      }
      case ArgCheck::kCounter: return check_name(arg, counter_names(), "counter");
      case ArgCheck::kSockstat: return check_name(arg, sockstat_fields(), "sockstat field");
      case ArgCheck::kState: {
        if (parse_state(arg.text) && *parse_state(arg.text) != TcpState::kUnknown) return std::nullopt;
        return check_name(arg, {"established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2", "time-wait",
                                "close", "close-wait", "last-ack", "listen", "closing"}, "TCP state");
      }
      case ArgCheck::kNone: break;
    }
    return std::nullopt;
  }

  static std::optional<Error> check_name(const Node& lit, const std::vector<std::string>& names, std::string_view what) {
    if (std::find(names.begin(), names.end(), lit.text) != names.end()) return std::nullopt;
    return expr_error(lit.offset + 1, fmt::format("unknown {} '{}'{}", what, lit.text, did_you_mean(lit.text, names)));
  }

  std::optional<Error> check_key(const Node& lit) {
    if (env_.keys) env_.keys->push_back(lit.text);
    if (!env_.catalogue || env_.catalogue->find(lit.text)) return std::nullopt;
    std::vector<std::string> known;
    for (const auto& [k, e] : env_.catalogue->entries) known.push_back(k);
    return expr_error(lit.offset + 1, fmt::format("unknown sysctl key '{}'{}", lit.text, did_you_mean(lit.text, known)));
  }

  Result<Type> index(Node& n) {
    auto owner = check(*n.kids[0]);
    if (!owner) return owner;
    if (*owner != Type::kValue) return expr_error(n.offset, fmt::format("cannot index {}", a_type(*owner)));
    auto idx = check(*n.kids[1]);
    if (!idx) return idx;
    if (*idx != Type::kInt) {
      return expr_error(n.kids[1]->offset, fmt::format("index must be an integer, got {}", a_type(*idx)));
    }
    return set(n, Type::kInt);
  }

  Result<Type> field(Node& n) {
    auto owner = check(*n.kids[0]);
    if (!owner) return owner;
    const auto names = field_names(*owner);
    if (names.empty()) return expr_error(n.offset, fmt::format("{} has no fields", a_type(*owner)));
    const int i = find_field(*owner, n.text);
    if (i < 0) {
      return expr_error(n.offset, fmt::format("unknown field '{}' of {}{}", n.text, a_type(*owner),
                                              did_you_mean(n.text, names)));
    }
    n.ref = i;
    return set(n, field_table()[static_cast<size_t>(i)].result);
  }

  Result<Type> unary(Node& n) {
    auto t = check(*n.kids[0]);
    if (!t) return t;
    if (n.op == Op::kNot) {
      if (*t != Type::kBool) return expr_error(n.offset, fmt::format("'not' needs a boolean, got {}", a_type(*t)));
      return set(n, Type::kBool);
    }
    if (!is_numeric(*t)) return expr_error(n.offset, fmt::format("'-' needs an integer, got {}", a_type(*t)));
    return set(n, Type::kInt);
  }

  // A string literal compared with a version must itself be a version.
  static std::optional<Error> check_version_literal(const Node& s) {
    if (s.kind != NodeKind::kString || parse_kernel_version(s.text)) return std::nullopt;
    return expr_error(s.offset, fmt::format("\"{}\" is not a kernel version (expected \"X.Y\" or \"X.Y.Z\")", s.text));
  }

  static bool comparable(Op op, Type l, Type r) {
    const bool version = (l == Type::kVersion && (r == Type::kVersion || r == Type::kString)) ||
                         (r == Type::kVersion && l == Type::kString);
    if (version || (is_numeric(l) && is_numeric(r))) return true;
    if (is_ordering(op)) return false;
    return (is_textual(l) && is_textual(r)) || (l == Type::kBool && r == Type::kBool);
  }

  Result<Type> binary(Node& n) {
    auto l = check(*n.kids[0]);
    if (!l) return l;
    auto r = check(*n.kids[1]);
    if (!r) return r;
    const std::string_view op = op_text(n.op);
    if (n.op == Op::kAnd || n.op == Op::kOr) {
      for (size_t k = 0; k < 2; ++k) {
        const Type t = k == 0 ? *l : *r;
        if (t != Type::kBool) {
          return expr_error(start_offset(*n.kids[k]), fmt::format("'{}' needs boolean operands, got {}", op, a_type(t)));
        }
      }
      return set(n, Type::kBool);
    }
    if (is_comparison(n.op)) {
      if (!comparable(n.op, *l, *r)) {
        return expr_error(n.offset, fmt::format("cannot compare {} with {} using '{}'", a_type(*l), a_type(*r), op));
      }
      if (*l == Type::kVersion || *r == Type::kVersion) {
        if (auto e = check_version_literal(*n.kids[0])) return *e;
        if (auto e = check_version_literal(*n.kids[1])) return *e;
      }
      return set(n, Type::kBool);
    }
    if (!is_numeric(*l) || !is_numeric(*r)) {
      return expr_error(n.offset, fmt::format("'{}' needs integer operands, got {} and {}", op, a_type(*l), a_type(*r)));
    }
    return set(n, Type::kInt);
  }

  const CheckEnv& env_;
};

}  // namespace

std::string_view type_name(Type t) {
  switch (t) {
    case Type::kBool: return "boolean";
    case Type::kInt: return "integer";
    case Type::kString: return "string";
    case Type::kVersion: return "version";
    case Type::kValue: return "value";
    case Type::kSetting: return "setting";
    case Type::kEntry: return "entry";
  }
  return "value";
}

std::string_view op_text(Op op) {
  static constexpr std::string_view kText[] = {"", "-", "not", "+", "-", "*", "/", "%",
                                               "==", "!=", "<", "<=", ">", ">=", "and", "or"};
  return kText[static_cast<size_t>(op)];
}

Result<Type> check_expr(Node& root, const CheckEnv& env) { return Checker(env).check(root); }

Result<Expr> compile_expr(std::string_view text, std::optional<Type> want, const CheckEnv& env) {
  auto tree = parse_expr(text);
  if (!tree) return tree.error();
  auto t = check_expr(**tree, env);
  if (!t) return t.error();
  if (want && *t != *want) {
    return expr_error(start_offset(**tree), fmt::format("expression must be {}, got {}", a_type(*want), a_type(*t)));
  }
  return Expr(std::move(*tree));
}

}  // namespace tcptune::core

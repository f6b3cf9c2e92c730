#include "core/expr_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/expr_lexer.h"

namespace tcptune::core {
namespace {

using NodePtr = std::unique_ptr<Node>;

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  Result<NodePtr> parse_all() {
    auto e = parse_or();
    if (!e) return e;
    if (peek().kind != Tok::kEnd) {
      return expr_error(peek().offset, fmt::format("unexpected {} after expression", describe(peek())));
    }
    return e;
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  const Token& next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool accept(Tok k) {
    if (peek().kind != k) return false;
    next();
    return true;
  }

  // Every node is built through make(); its height is checked here, which bounds the recursion
  // of every later tree walk, and a recursion guard (depth_) bounds the parser itself.
  Result<NodePtr> make(NodeKind kind, size_t offset, std::vector<NodePtr> kids, Op op = Op::kNone) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->offset = offset;
    n->op = op;
    int h = 0;
    for (const auto& k : kids) h = std::max(h, k->depth);
    n->depth = h + 1;
    n->kids = std::move(kids);
    if (n->depth > kMaxExprDepth) return too_deep(offset);
    return n;
  }
  static Error too_deep(size_t offset) {
    return expr_error(offset, fmt::format("expression nested too deeply (limit {})", kMaxExprDepth));
  }
  Result<NodePtr> binary(Op op, size_t offset, NodePtr l, NodePtr r) {
    std::vector<NodePtr> kids;
    kids.push_back(std::move(l));
    kids.push_back(std::move(r));
    return make(NodeKind::kBinary, offset, std::move(kids), op);
  }

  Result<NodePtr> parse_or() {
    if (++depth_ > kMaxExprDepth) return too_deep(peek().offset);
    auto l = parse_and();
    while (l && peek().kind == Tok::kOr) {
      const size_t off = next().offset;
      auto r = parse_and();
      if (!r) return r;
      l = binary(Op::kOr, off, std::move(*l), std::move(*r));
    }
    --depth_;
    return l;
  }

  Result<NodePtr> parse_and() {
    auto l = parse_not();
    while (l && peek().kind == Tok::kAnd) {
      const size_t off = next().offset;
      auto r = parse_not();
      if (!r) return r;
      l = binary(Op::kAnd, off, std::move(*l), std::move(*r));
    }
    return l;
  }

  Result<NodePtr> parse_not() {
    if (peek().kind != Tok::kNot) return parse_comparison();
    if (++depth_ > kMaxExprDepth) return too_deep(peek().offset);
    const size_t off = next().offset;
    auto operand = parse_not();
    if (!operand) return operand;
    --depth_;
    std::vector<NodePtr> kids;
    kids.push_back(std::move(*operand));
    return make(NodeKind::kUnary, off, std::move(kids), Op::kNot);
  }

  static Op comparison_op(Tok k) {
    switch (k) {
      case Tok::kEq: return Op::kEq;
      case Tok::kNe: return Op::kNe;
      case Tok::kLt: return Op::kLt;
      case Tok::kLe: return Op::kLe;
      case Tok::kGt: return Op::kGt;
      case Tok::kGe: return Op::kGe;
      default: return Op::kNone;
    }
  }

  // Comparisons do not chain: "a < b < c" is almost always a mistake.
  Result<NodePtr> parse_comparison() {
    auto l = parse_additive();
    if (!l) return l;
    const Op op = comparison_op(peek().kind);
    if (op == Op::kNone) return l;
    const size_t off = next().offset;
    auto r = parse_additive();
    if (!r) return r;
    if (comparison_op(peek().kind) != Op::kNone) {
      return expr_error(peek().offset, "comparison operators cannot be chained (use 'and')");
    }
    return binary(op, off, std::move(*l), std::move(*r));
  }

  Result<NodePtr> parse_additive() {
    auto l = parse_multiplicative();
    while (l && (peek().kind == Tok::kPlus || peek().kind == Tok::kMinus)) {
      const Op op = peek().kind == Tok::kPlus ? Op::kAdd : Op::kSub;
      const size_t off = next().offset;
      auto r = parse_multiplicative();
      if (!r) return r;
      l = binary(op, off, std::move(*l), std::move(*r));
    }
    return l;
  }

  Result<NodePtr> parse_multiplicative() {
    auto l = parse_unary();
    while (l && (peek().kind == Tok::kStar || peek().kind == Tok::kSlash ||
                 peek().kind == Tok::kPercent)) {
      const Op op = peek().kind == Tok::kStar ? Op::kMul
                    : peek().kind == Tok::kSlash ? Op::kDiv : Op::kMod;
      const size_t off = next().offset;
      auto r = parse_unary();
      if (!r) return r;
      l = binary(op, off, std::move(*l), std::move(*r));
    }
    return l;
  }

  Result<NodePtr> parse_unary() {
    if (peek().kind != Tok::kMinus) return parse_postfix();
    if (++depth_ > kMaxExprDepth) return too_deep(peek().offset);
    const size_t off = next().offset;
    auto operand = parse_unary();
    if (!operand) return operand;
    --depth_;
    std::vector<NodePtr> kids;
    kids.push_back(std::move(*operand));
    return make(NodeKind::kUnary, off, std::move(kids), Op::kNeg);
  }

  Result<NodePtr> parse_postfix() {
    auto e = parse_primary();
    while (e) {
      if (peek().kind == Tok::kLBracket) {
        const size_t off = next().offset;
        auto idx = parse_or();
        if (!idx) return idx;
        if (auto err = expect(Tok::kRBracket, "']'")) return *err;
        std::vector<NodePtr> kids;
        kids.push_back(std::move(*e));
        kids.push_back(std::move(*idx));
        e = make(NodeKind::kIndex, off, std::move(kids));
      } else if (peek().kind == Tok::kDot) {
        next();
        if (peek().kind != Tok::kIdent) {
          return expr_error(peek().offset, fmt::format("expected field name after '.', found {}", describe(peek())));
        }
        const Token& name = next();
        std::vector<NodePtr> kids;
        kids.push_back(std::move(*e));
        e = make(NodeKind::kField, name.offset, std::move(kids));
        if (e) (*e)->text = name.text;
      } else {
        break;
      }
    }
    return e;
  }

  std::optional<Error> expect(Tok k, std::string_view what) {
    if (accept(k)) return std::nullopt;
    return expr_error(peek().offset, fmt::format("expected {}, found {}", what, describe(peek())));
  }

  Result<NodePtr> parse_call(const Token& name) {
    std::vector<NodePtr> args;
    next();  // '('
    if (!accept(Tok::kRParen)) {
      while (true) {
        auto a = parse_or();
        if (!a) return a;
        args.push_back(std::move(*a));
        if (accept(Tok::kComma)) continue;
        if (auto err = expect(Tok::kRParen, "',' or ')'")) return *err;
        break;
      }
    }
    auto n = make(NodeKind::kCall, name.offset, std::move(args));
    if (n) (*n)->text = name.text;
    return n;
  }

  Result<NodePtr> parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::kInt:
      case Tok::kTrue:
      case Tok::kFalse: {
        const Token& lit = next();
        auto n = make(lit.kind == Tok::kInt ? NodeKind::kInt : NodeKind::kBool, lit.offset, {});
        if (n) (*n)->number = lit.kind == Tok::kInt ? lit.number : (lit.kind == Tok::kTrue ? 1 : 0);
        return n;
      }
      case Tok::kString: {
        const Token& lit = next();
        auto n = make(NodeKind::kString, lit.offset, {});
        if (n) (*n)->text = lit.text;
        return n;
      }
      case Tok::kIdent: {
        const Token& name = next();
        if (peek().kind == Tok::kLParen) return parse_call(name);
        auto n = make(NodeKind::kIdent, name.offset, {});
        if (n) (*n)->text = name.text;
        return n;
      }
      case Tok::kLParen: {
        next();
        auto e = parse_or();
        if (!e) return e;
        if (auto err = expect(Tok::kRParen, "')'")) return *err;
        return e;
      }
      default:
        return expr_error(t.offset, fmt::format("expected an expression, found {}", describe(t)));
    }
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;  // recursion guard for parse_or (parentheses, arguments) and prefix chains
};

}  // namespace

Result<std::unique_ptr<Node>> parse_expr(std::string_view text) {
  auto toks = lex_expr(text);
  if (!toks) return toks.error();
  Parser p(std::move(*toks));
  return p.parse_all();
}

}  // namespace tcptune::core

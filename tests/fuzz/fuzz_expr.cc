// The condition language alone (core::compile_expr): lexer, parser with bounded depth, checker,
// and the three-valued evaluator on the fixture snapshot (arithmetic overflow, division by zero,
// indexing and calls on unknown data), plus message templates over the same text.
#include "core/expr_check.h"
#include "core/expr_eval.h"
#include "core/expr_parser.h"
#include "core/message_template.h"
#include "fuzz_common.h"

namespace {

void evaluate(const tcptune::core::Node& root) {
  using namespace tcptune;
  for (const char* item : {"net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_tw_recycle", "no.such.key"}) {
    core::EvalContext ctx;
    ctx.snapshot = &fuzz::fixture_snapshot();
    ctx.config = &fuzz::fixture_config();
    ctx.catalogue = &fuzz::shipped_catalogue();
    ctx.item = item;
    if (root.type == core::Type::kBool) {
      core::Unknown gap;
      (void)core::eval_condition(root, ctx, &gap);
    } else {
      (void)core::value_text(core::eval_expr(root, ctx));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  const std::string_view text = fuzz::as_text(data, size);
  std::vector<std::string> keys;
  core::CheckEnv env;
  env.catalogue = &fuzz::shipped_catalogue();
  env.has_item = true;
  env.keys = &keys;
  auto expr = core::compile_expr(text, std::nullopt, env);
  if (expr) {
    fuzz::require((*expr)->depth <= core::kMaxExprDepth, "tree deeper than the parser bound");
    evaluate(**expr);
  } else {
    const auto& loc = expr.error().loc;
    fuzz::require(loc.has_value() && loc->col >= 1, "expression error without location");
    fuzz::require(static_cast<size_t>(loc->col) <= text.size() + 1, "expression error past the end");
  }
  auto tmpl = core::compile_template(text, env);
  if (tmpl) {
    core::EvalContext ctx;
    ctx.snapshot = &fuzz::fixture_snapshot();
    ctx.config = &fuzz::fixture_config();
    ctx.catalogue = &fuzz::shipped_catalogue();
    ctx.item = "net.ipv4.tcp_fin_timeout";
    (void)core::render_template(*tmpl, ctx);
  }
  return 0;
}

#include "core/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/expr_eval.h"
#include "core/expr_registry.h"

namespace tcptune::core {
namespace {

std::string at(const ConfAssignment& a) {
  return fmt::format("{} at {}:{}{}", a.value, a.where.file, a.where.line, a.ignore_failure ? " ('-' prefix)" : "");
}

std::string live_text(const Snapshot& snap, const std::string& key) {
  const SysctlReading* r = snap.find(key);
  if (!r) return "not collected";
  switch (r->state) {
    case SysctlReading::State::kValue: return r->value.text;
    case SysctlReading::State::kAbsent: return "absent on this kernel";
    case SysctlReading::State::kUnreadable: return fmt::format("unreadable: {}", std::strerror(r->err));
  }
  return "not collected";
}

std::vector<Evidence> evidence_of(const EvalContext& ctx) {
  std::vector<Evidence> ev;
  if (ctx.touched_kernel) ev.push_back({"kernel", ctx.snapshot->kernel_release.value_or("unknown")});
  for (const auto& key : ctx.touched_keys) {
    ev.push_back({"key", key});
    ev.push_back({"live", live_text(*ctx.snapshot, key)});
    auto it = ctx.config->settings.find(key);
    if (it == ctx.config->settings.end()) continue;
    const ResolvedSetting& s = it->second;
    ev.push_back({"configured", at(s.winner)});
    for (const auto& a : s.shadowed) ev.push_back({"overridden", at(a)});
    if (s.procps_winner) ev.push_back({"procps applies", at(*s.procps_winner)});
  }
  for (const auto& [label, text] : ctx.facts) ev.push_back({label, text});
  return ev;
}

void add_gap(Report& rep, Gap g) {
  if (std::find(rep.gaps.begin(), rep.gaps.end(), g) == rep.gaps.end()) rep.gaps.push_back(std::move(g));
}

void run_rule(const Rule& rule, const std::optional<std::string>& item, EvalContext base, Report& rep) {
  EvalContext ctx = std::move(base);
  ctx.item = item;
  Unknown gap;
  const Truth t = eval_condition(*rule.when, ctx, &gap);
  if (t == Truth::kUnknown && !gap.what.empty()) {
    const std::string who = item ? fmt::format("rule {} ({})", rule.id, *item) : fmt::format("rule {}", rule.id);
    add_gap(rep, Gap{who, fmt::format("{}: {}", gap.what, gap.reason)});
  }
  if (t != Truth::kTrue) return;
  Finding f;
  f.id = rule.id;
  f.severity = rule.severity;
  f.title = rule.title;
  f.message = render_template(rule.message, ctx);
  f.mechanism = render_template(rule.mechanism, ctx);
  f.avoid = render_template(rule.avoid, ctx);
  f.recommendation = render_template(rule.recommendation, ctx);
  f.evidence = evidence_of(ctx);
  f.references = rule.references;
  f.item = item.value_or("");
  rep.findings.push_back(std::move(f));
}

}  // namespace

Report evaluate(const std::vector<Rule>& rules, const Snapshot& snapshot, const ResolvedConfig& config,
                const Catalogue& catalogue) {
  return evaluate(rules, snapshot, config, catalogue, EvalSettings{});
}

Report evaluate(const std::vector<Rule>& rules, const Snapshot& snapshot, const ResolvedConfig& config,
                const Catalogue& catalogue, const EvalSettings& settings) {
  Report rep;
  rep.gaps = snapshot.gaps;
  EvalContext base;
  base.snapshot = &snapshot;
  base.config = &config;
  base.catalogue = &catalogue;
  base.thresholds = &settings.thresholds;
  base.profile = settings.profile;
  base.profile_values = &settings.profile_values;
  base.profile_floors = &settings.profile_floors;
  base.netns = settings.netns;
  base.host = settings.host;
  for (const auto& rule : rules) {
    if (rule.for_each.empty()) {
      run_rule(rule, std::nullopt, base, rep);
      continue;
    }
    const int src = find_iteration(rule.for_each);
    if (src < 0) continue;  // unreachable for loaded rules: the loader checks for_each
    for (const auto& item : iteration_table()[static_cast<size_t>(src)].items(base)) {
      run_rule(rule, item, base, rep);
    }
  }
  finalize_report(rep);
  return rep;
}

}  // namespace tcptune::core

#include "cli/text_wrap.h"
#include "cli/rule_explain.h"

#include <algorithm>

#include <fmt/format.h>

#include "cli/explain_render.h"
#include "core/expr_registry.h"
#include "core/severity.h"

namespace tcptune::cli {
namespace {

std::string section(std::string_view heading, std::string_view text) {
  if (text.empty()) return {};
  return fmt::format("\n{}:\n", heading) + wrap_block(template_skeleton(text), "  ");
}

std::string iteration_doc(const std::string& name) {
  const int i = core::find_iteration(name);
  return i < 0 ? std::string() : std::string(core::iteration_table()[static_cast<size_t>(i)].doc);
}

}  // namespace

std::string template_skeleton(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;
      ++i;
    } else if (c == '{') {
      out += '<';
    } else if (c == '}') {
      out += '>';
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> rule_thresholds(const core::Rule& rule) {
  std::vector<std::string> out;
  for (const std::string* t : {&rule.text.when, &rule.text.message, &rule.text.mechanism, &rule.text.avoid,
                               &rule.text.recommendation}) {
    size_t pos = 0;
    while ((pos = t->find("threshold(", pos)) != std::string::npos) {
      pos += 10;
      if (pos >= t->size() || ((*t)[pos] != '"' && (*t)[pos] != '\'')) continue;
      const size_t end = t->find((*t)[pos], pos + 1);
      if (end == std::string::npos) break;
      std::string name = t->substr(pos + 1, end - pos - 1);
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
      pos = end;
    }
  }
  return out;
}

std::string render_rule_explain(const core::Rule& rule, const std::map<std::string, core::ThresholdDecl>& thresholds) {
  std::string out = fmt::format("{} ({}): {}\n", rule.id, core::severity_name(rule.severity), rule.title);
  if (!rule.for_each.empty()) {
    out += wrap_text(fmt::format("One finding per item of '{}': {}.", rule.for_each, iteration_doc(rule.for_each)),
                     "  ", "  ");
  }
  out += "\nFires when:\n" + wrap_text(rule.text.when, "  ", "  ");
  out += section("Mechanism", rule.text.mechanism);
  out += section("What not to do", rule.text.avoid);
  out += section("Recommendation", rule.text.recommendation);
  out += section("Finding text (placeholders in <...> are filled from the host)", rule.text.message);
  const auto used = rule_thresholds(rule);
  if (!used.empty()) {
    out += "\nThresholds (override with --set threshold.NAME=VALUE or /etc/tcptune/tcptune.toml):\n";
    for (const auto& name : used) {
      auto it = thresholds.find(name);
      const std::string doc = it == thresholds.end() ? std::string("(not declared)")
                                                     : fmt::format("default {}: {}", it->second.default_value, it->second.doc);
      out += wrap_text(fmt::format("{}: {}", name, doc), "  - ", "    ");
    }
  }
  if (!rule.references.empty()) {
    out += "\nReferences:\n";
    for (const auto& r : rule.references) out += wrap_text(r, "  - ", "    ");
  }
  return out;
}

nlohmann::json render_rule_explain_json(const core::Rule& rule,
                                        const std::map<std::string, core::ThresholdDecl>& thresholds) {
  nlohmann::json used = nlohmann::json::array();
  for (const auto& name : rule_thresholds(rule)) {
    auto it = thresholds.find(name);
    if (it == thresholds.end()) continue;
    used.push_back({{"name", name}, {"default", it->second.default_value}, {"doc", it->second.doc}});
  }
  return {{"id", rule.id},
          {"severity", core::severity_name(rule.severity)},
          {"title", rule.title},
          {"for_each", rule.for_each},
          {"when", rule.text.when},
          {"message", rule.text.message},
          {"mechanism", rule.text.mechanism},
          {"avoid", rule.text.avoid},
          {"recommendation", rule.text.recommendation},
          {"thresholds", std::move(used)},
          {"references", rule.references},
          {"where", fmt::format("{}:{}", rule.where.file, rule.where.line)}};
}

}  // namespace tcptune::cli

#include "core/expr_value.h"

#include <fmt/format.h>

#include <algorithm>

namespace tcptune::core {

void EvalContext::fact(std::string label, std::string text) {
  for (const auto& f : facts) {
    if (f.first == label && f.second == text) return;
  }
  facts.emplace_back(std::move(label), std::move(text));
}

void EvalContext::touch(const std::string& key) {
  if (std::find(touched_keys.begin(), touched_keys.end(), key) == touched_keys.end()) {
    touched_keys.push_back(key);
  }
}

std::string value_text(const Value& v) {
  struct Visitor {
    std::string operator()(const Unknown&) const { return "(unknown)"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const KernelVersion& k) const { return version_text(k); }
    std::string operator()(const SysctlValue& s) const { return s.text; }
    std::string operator()(const ResolvedSetting* s) const { return s->key; }
    std::string operator()(const CatalogueEntry* e) const { return e->key; }
  };
  return std::visit(Visitor{}, v);
}

bool sysctl_values_equal(const SysctlValue& a, const SysctlValue& b) {
  const bool a_num = a.kind != SysctlValue::Kind::kString;
  const bool b_num = b.kind != SysctlValue::Kind::kString;
  if (a_num && b_num) return a.numbers == b.numbers;
  return a.text == b.text;
}

}  // namespace tcptune::core

// Rule files (core::load_rules): TOML syntax, the rule schema, conditions and message templates.
// Rules that load are then evaluated against the fixture snapshot, so the checker's promises
// (types, names, bounded depth) are tested against the evaluator, not only the parser.
#include "core/evaluate.h"
#include "core/rule_loader.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  const auto& catalogue = fuzz::shipped_catalogue();
  std::vector<core::RuleSource> sources{{"rules.d/fuzz.toml", std::string(fuzz::as_text(data, size))}};
  auto rules = core::load_rules(sources, catalogue);
  if (!rules) {
    // The contract: the first error is located in the file, at a real line and column.
    const core::Error& e = rules.error();
    fuzz::require(e.loc.has_value(), "load_rules error without location");
    fuzz::require(e.loc->file == "rules.d/fuzz.toml", "load_rules error names another file");
    fuzz::require(fuzz::located(*e.loc), "load_rules error at a partial location");
    fuzz::require(!e.render().empty(), "empty diagnostic");
    return 0;
  }
  (void)core::referenced_keys(*rules);
  (void)core::needs_configured_keys(*rules);
  const core::Report report =
      core::evaluate(*rules, fuzz::fixture_snapshot(), fuzz::fixture_config(), catalogue);
  (void)report;
  return 0;
}

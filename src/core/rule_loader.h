// Loads rules from TOML text (format in docs/rule-language.md). Pure: the caller reads the
// files (shipped rules/, /etc/tcptune/rules.d/, --rules DIR) and passes (path, text) pairs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/catalogue.h"
#include "core/expr_value.h"
#include "core/result.h"
#include "core/rule.h"

namespace tcptune::core {

struct RuleSource {
  std::string path;  // used in diagnostics as given
  std::string text;
};

// Parses and checks every rule of every source, in order. Stops at the first error, which is
// located (path:line:col) and carries a "did you mean" where a close candidate exists: one
// precise diagnostic is more useful than a cascade from a single typo. Literal sysctl keys
// must be in `catalogue`. Rule ids must be unique across all sources.
Result<std::vector<Rule>> load_rules(const std::vector<RuleSource>& sources, const Catalogue& catalogue);

// Rules plus the thresholds the rule files declare.
struct RuleSet {
  std::vector<Rule> rules;
  std::map<std::string, ThresholdDecl> thresholds;  // by name
};

// As load_rules(), also reading the [threshold.NAME] tables. Threshold names are checked when
// rules use them (threshold("name")), whichever file declares them; a name declared twice is an
// error naming the first declaration.
Result<RuleSet> load_rule_set(const std::vector<RuleSource>& sources, const Catalogue& catalogue);

// The catalogue-independent half of load_rule_set(): every source's TOML parsed (toml++ is the
// expensive part of loading) and its thresholds collected, so a caller can do it on a second
// thread while the catalogue loads. Errors are TOML syntax errors (and the toml++ guard's),
// located as load_rule_set() locates them; everything else is checked by load_rule_set().
class ParsedRuleFiles {
 public:
  ParsedRuleFiles(ParsedRuleFiles&&) noexcept;
  ParsedRuleFiles& operator=(ParsedRuleFiles&&) noexcept;
  ~ParsedRuleFiles();
  struct Impl;  // the parsed TOML documents; defined in rule_loader.cc so toml++ stays private

  // Adds `more`'s files after this one's (files parsed in parts, e.g. on two threads).
  void append(ParsedRuleFiles&& more);

 private:
  ParsedRuleFiles();
  std::unique_ptr<Impl> impl_;
  friend Result<ParsedRuleFiles> parse_rule_files(std::vector<RuleSource> sources);
  friend Result<RuleSet> load_rule_set(const ParsedRuleFiles& parsed, const Catalogue& catalogue);
};
Result<ParsedRuleFiles> parse_rule_files(std::vector<RuleSource> sources);

// The second half: checks the parsed rules against `catalogue` (keys, names, types, unique ids).
Result<RuleSet> load_rule_set(const ParsedRuleFiles& parsed, const Catalogue& catalogue);

// The thresholds at their declared defaults (origin "default, <file>:<line>").
Thresholds default_thresholds(const RuleSet& set);

// Every sysctl key the rules name literally, sorted and unique, so the snapshot collector
// reads them. Rules iterating `configured_key` also need every configured key to be read
// (see needs_configured_keys).
std::vector<std::string> referenced_keys(const std::vector<Rule>& rules);

// True when some rule iterates over the configured keys, so the collector must also read the
// live value of every key the sysctl configuration sets.
bool needs_configured_keys(const std::vector<Rule>& rules);

}  // namespace tcptune::core

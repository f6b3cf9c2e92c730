// Loads what tcptune knows: the key catalogue and the rules (shipped, /etc/tcptune/rules.d and
// --rules DIR, in that order).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/catalogue.h"
#include "core/result.h"
#include "core/rule.h"

namespace tcptune::cli {

struct Knowledge {
  std::string data_dir;
  core::Catalogue catalogue;
  std::vector<core::Rule> rules;
  std::map<std::string, core::ThresholdDecl> thresholds;  // declared by the rule files
  std::vector<std::string> rule_dirs;  // directories rules were read from, in order
};

inline constexpr const char* kCatalogueFile = "catalogue.toml";
inline constexpr const char* kCatalogueNotesFile = "catalogue-notes.toml";  // explain's text
// The administrator's rules: <system_config_dir()>/rules.d (/etc/tcptune/rules.d).
std::string system_rules_dir();

// What to load: the catalogue is always loaded. Its notes (rules/catalogue-notes.toml) are
// what only `explain KEY` shows, so an audit does not parse them.
enum class KnowledgeParts {
  kCatalogue,           // the key catalogue alone
  kCatalogueWithNotes,  // the catalogue and its notes
  kRules,               // the catalogue and the rules (shipped, rules.d, extra directories)
};

core::Result<Knowledge> load_knowledge(const std::vector<std::string>& extra_rule_dirs, KnowledgeParts parts);

// Keys the snapshot must read: every catalogue key plus every key a rule names. Profiles can
// only set catalogue keys (validated when loaded), so their keys are included too.
std::vector<std::string> keys_to_collect(const Knowledge& k);

}  // namespace tcptune::cli

// The rule model. Rules are data (TOML, docs/rule-language.md); rule_loader.h builds them.
#pragma once

#include <string>
#include <vector>

#include "core/expr_ast.h"
#include "core/message_template.h"
#include "core/result.h"
#include "core/severity.h"

namespace tcptune::core {

struct Rule {
  std::string id;          // stable identifier, e.g. "TT-RECYCLE-001"
  Severity severity = Severity::kInfo;
  std::string title;       // one line
  Expr when;               // checked boolean condition
  Template message;        // rendered with evidence when the rule fires
  Template recommendation;
  std::vector<std::string> references;  // kernel documentation sections or source files
  std::string for_each;    // iteration source (expr_registry.h), empty = evaluated once
  SourceLoc where;         // location of the rule's `id`
  std::vector<std::string> keys;  // sysctl keys named literally in the condition and templates
};

}  // namespace tcptune::core

// The rule model. Rules are data (TOML, docs/rule-language.md); rule_loader.h builds them.
#pragma once

#include <cstdint>
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
  Template mechanism;      // optional: how the kernel behaves here, in one or two sentences
  Template avoid;          // optional: what not to do (settings that do not help, and why)
  Template recommendation;
  std::vector<std::string> references;  // kernel documentation sections or source files
  std::string for_each;    // iteration source (expr_registry.h), empty = evaluated once
  SourceLoc where;         // location of the rule's `id`
  std::vector<std::string> keys;  // sysctl keys named literally in the condition and templates
  // Source text of the condition and templates, for `tcptune explain RULE-ID`.
  struct Text {
    std::string when, message, mechanism, avoid, recommendation;
  } text;
};

// A user threshold declared in a rule file ([threshold.NAME]); overridable without editing rule
// files (tcptune.toml [threshold] table, --set threshold.NAME=VALUE).
struct ThresholdDecl {
  std::string name;
  int64_t default_value = 0;
  std::string doc;
  SourceLoc where;  // location of the [threshold.NAME] table
};

}  // namespace tcptune::core

// `tcptune explain RULE-ID`: the long form of a rule (what it checks, the mechanism, what not to
// do, the recommendation, the thresholds it uses and the references), without a host to run on.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/rule.h"

namespace tcptune::cli {

// Template text as a reader sees it without a host: "{expr}" placeholders are shown as
// "<expr>", "{{" and "}}" as single braces.
std::string template_skeleton(std::string_view text);

// Names passed to threshold("...") in the rule's condition and templates, in first-use order.
std::vector<std::string> rule_thresholds(const core::Rule& rule);

// Plain text wrapped at 80 columns, ending with a newline.
std::string render_rule_explain(const core::Rule& rule, const std::map<std::string, core::ThresholdDecl>& thresholds);

// The same as a JSON object.
nlohmann::json render_rule_explain_json(const core::Rule& rule,
                                        const std::map<std::string, core::ThresholdDecl>& thresholds);

}  // namespace tcptune::cli

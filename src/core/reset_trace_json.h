// ResetTrace <-> JSON: the "resets" member of a snapshot and the body of `tcptune trace
// --format json` (docs/report-schema.md). Lossless: from_json(to_json(t)) == t.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/reset_trace.h"
#include "core/result.h"

namespace tcptune::core {

nlohmann::json reset_trace_to_json(const ResetTrace& t);
// Errors name the JSON pointer under /resets.
Result<ResetTrace> reset_trace_from_json(const nlohmann::json& j, const std::string& origin);

}  // namespace tcptune::core

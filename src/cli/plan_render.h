// Renderers of a profile plan (recommend, apply, and the plan inside recommend --auto).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/plan.h"

namespace tcptune::cli {

// Text table: one block per key ("KEY  CURRENT -> TARGET" or "already at target"), its reason,
// origin in the include chain and notes; then omitted entries and a summary line.
std::string render_plan_text(const core::Plan& plan, const std::string& source);
// {"profile","description","source","items":[{key,current,target,change,reason,origin,notes}],
//  "omitted","changes","kernel"}.
nlohmann::json render_plan_json(const core::Plan& plan, const std::string& source);

}  // namespace tcptune::cli

// Rendering of `tcptune explain KEY`: what a sysctl does, its unit, default, accepted range,
// namespace scope, history, interactions, common misconceptions, source, and the live value.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/catalogue.h"
#include "core/sysctl_value.h"

namespace tcptune::cli {

// Plain text wrapped at 80 columns, ending with a newline. `live` may be null (not read).
std::string render_explain(const core::CatalogueEntry& entry, const core::SysctlReading* live);

// The same information as a JSON object (stable field names; absent values are null).
// "live" is null when `live` is null, else {"state", "value", "error"}.
nlohmann::json render_explain_json(const core::CatalogueEntry& entry,
                                   const core::SysctlReading* live);


}  // namespace tcptune::cli

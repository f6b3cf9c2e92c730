// Renderers of `tcptune fleet` (docs/fleet.md): text and JSON ({"schema":"tcptune.fleet"}).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/fleet.h"

namespace tcptune::cli {

inline constexpr int kFleetSchemaVersion = 1;

// A summary line, then per group the keys that differ from the majority (naming the hosts), the
// findings by host, the findings that go with a difference, and last the skipped snapshots.
std::string render_fleet_text(const core::FleetReport& r);

nlohmann::json render_fleet_json(const core::FleetReport& r);

}  // namespace tcptune::cli

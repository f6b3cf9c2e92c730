// Snapshot <-> JSON. The format is versioned ("schema": "tcptune.snapshot", "schema_version")
// and lossless: snapshot_from_json(snapshot_to_json(s)) == s.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/snapshot.h"

namespace tcptune::core {

nlohmann::json snapshot_to_json(const Snapshot& s);

// Parses snapshot text; `origin` names the file in diagnostics ("path:line:col: error: ...").
Result<Snapshot> snapshot_from_text(std::string_view text, std::string_view origin);

// Validates and converts an already-parsed document; errors name the JSON pointer.
Result<Snapshot> snapshot_from_json(const nlohmann::json& j, std::string_view origin);

// Line and column (1-based) of a byte offset in text, for diagnostics.
SourceLoc location_of_offset(std::string_view text, size_t offset, std::string_view origin);

}  // namespace tcptune::core

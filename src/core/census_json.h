// JSON form of the census and counters inside a snapshot (owned by the census work).
#pragma once

#include <nlohmann/json.hpp>

#include "core/census.h"
#include "core/result.h"

namespace tcptune::core {

nlohmann::json census_to_json(const Census& c);
Result<Census> census_from_json(const nlohmann::json& j);
nlohmann::json counters_to_json(const Counters& c);
Result<Counters> counters_from_json(const nlohmann::json& j);

}  // namespace tcptune::core

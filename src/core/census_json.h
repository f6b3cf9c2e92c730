// JSON form of the census and counters inside a snapshot.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/census.h"
#include "core/json_read.h"

namespace tcptune::core {

nlohmann::json census_to_json(const Census& c);
// Reads the census written by census_to_json from `j`, the value at JSON pointer `at` of the
// document `r` reads; damage is recorded in `r` ("snap.json: /census/states/X: unknown state 'X'").
Census census_from_json(JsonReader& r, const nlohmann::json& j, const std::string& at);
nlohmann::json counters_to_json(const Counters& c);
// The same for the counters written by counters_to_json ("rates" is derived and not read).
Counters counters_from_json(JsonReader& r, const nlohmann::json& j, const std::string& at);

}  // namespace tcptune::core

#include "core/census_json.h"

namespace tcptune::core {

// The census issue gives Census and Counters their content; until then they are empty objects.
nlohmann::json census_to_json(const Census&) { return nlohmann::json::object(); }
Result<Census> census_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error("snapshot", "'census' is not an object");
  return Census{};
}
nlohmann::json counters_to_json(const Counters&) { return nlohmann::json::object(); }
Result<Counters> counters_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error("snapshot", "'counters' is not an object");
  return Counters{};
}

}  // namespace tcptune::core

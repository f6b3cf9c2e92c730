// Snapshot files (core::snapshot_from_text): JSON syntax and the snapshot schema. A snapshot
// that loads must survive the documented lossless round trip through snapshot_to_json. A file
// that does not load is refused either as invalid JSON or with the JSON pointer of the damage
// ("fuzz.json: /census/ports/0/port: ..."), census and counters included.
#include "core/snapshot_json.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  auto snap = core::snapshot_from_text(fuzz::as_text(data, size), "fuzz.json");
  if (!snap) {
    const std::string& what = snap.error().what;
    fuzz::require(what.rfind("invalid JSON: ", 0) == 0 || what.rfind("/", 0) == 0,
                  "a damaged snapshot's message names no JSON pointer");
    return 0;
  }
  const nlohmann::json j = core::snapshot_to_json(*snap);
  auto back = core::snapshot_from_json(j, "roundtrip");
  fuzz::require(back.ok(), "snapshot_to_json output does not load");
  fuzz::require(*back == *snap, "snapshot round trip is not lossless");
  (void)snap->kernel_version();
  return 0;
}

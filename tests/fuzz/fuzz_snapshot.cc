// Snapshot files (core::snapshot_from_text): JSON syntax and the snapshot schema. A snapshot
// that loads must survive the documented lossless round trip through snapshot_to_json.
#include "core/snapshot_json.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  auto snap = core::snapshot_from_text(fuzz::as_text(data, size), "fuzz.json");
  if (!snap) {
    fuzz::require(!snap.error().render().empty(), "empty diagnostic");
    return 0;
  }
  const nlohmann::json j = core::snapshot_to_json(*snap);
  auto back = core::snapshot_from_json(j, "roundtrip");
  fuzz::require(back.ok(), "snapshot_to_json output does not load");
  fuzz::require(*back == *snap, "snapshot round trip is not lossless");
  (void)snap->kernel_version();
  return 0;
}

// /proc/PID/cgroup text (core::container_id_from_cgroup), read from every process of a
// namespace by `tcptune netns`: any process may shape its own cgroup path.
#include "core/netns_view.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  const std::string_view text = fuzz::as_text(data, size);
  const std::string id = core::container_id_from_cgroup(text);
  if (id.empty()) return 0;
  // The contract: 64 lowercase hex digits, taken from the text itself.
  fuzz::require(id.size() == 64, "container id not 64 characters");
  fuzz::require(id.find_first_not_of("0123456789abcdef") == std::string::npos, "container id not lowercase hex");
  fuzz::require(text.find(id) != std::string_view::npos, "container id not in the text");
  return 0;
}

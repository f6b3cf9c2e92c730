// tracefs text (core::parse_event_format, parse_trace_line with syscall exit lines,
// split_endpoint) and the reset and EADDRNOTAVAIL aggregation over whatever lines parse.
#include "core/reset_trace.h"
#include "core/reset_trace_json.h"
#include "core/trace_event_parse.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  const std::string_view text = fuzz::as_text(data, size);
  if (auto f = core::parse_event_format(text, "format"); !f) (void)f.error().render();
  core::ResetTraceInput in;
  in.namespace_only = size % 2 == 0;
  in.addr_unavailable_traced = size % 3 == 0;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t eol = text.find('\n', start);
    const std::string_view line = text.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    if (auto t = core::parse_trace_line(line)) in.lines.push_back(std::move(*t));
    std::string address;
    uint16_t port = 0;
    (void)core::split_endpoint(line, &address, &port);
    if (eol == std::string_view::npos) break;
    start = eol + 1;
  }
  const core::ResetTrace t = core::build_reset_trace(in);
  fuzz::require(t.sent + t.received + t.left_out + t.addr_unavailable_total() <= in.lines.size(),
                "more resets and failed connect() calls than lines");
  auto back = core::reset_trace_from_json(core::reset_trace_to_json(t), "fuzz");
  fuzz::require(back && *back == t, "reset trace does not round-trip through JSON");
  return 0;
}

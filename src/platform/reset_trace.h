// Collects TCP resets for a while from a private trace instance (platform/tracefs.h) and joins
// them with the sockets of the namespace tcptune runs in (sock_diag, owners from /proc/*/fd as
// `audit --processes` finds them) into a core::ResetTrace.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/reset_trace.h"
#include "core/result.h"

namespace tcptune::platform {

struct ResetTraceOptions {
  uint32_t seconds = 10;
  uint32_t buffer_kb = 1024;        // per-CPU buffer of the instance
  size_t max_events = 1u << 20;     // events parsed at most; more are counted as lost
  std::function<void(const std::string&)> message;  // stale-instance notices (stderr)
};

// Runs the collection (sleeping `seconds`). A host without tracefs, tracepoints or the right
// to use them gives an error (the caller turns it into a gap); the instance is always removed.
core::Result<core::ResetTrace> trace_resets(const ResetTraceOptions& opts);

}  // namespace tcptune::platform

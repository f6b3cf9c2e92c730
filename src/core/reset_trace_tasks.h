// build_reset_trace with the tasks (trace-line pids) known to live in the traced namespace: an
// event whose task is one of them is kept even when its sockets were gone before any census
// saw them (a NO_SOCKET reply on loopback runs in the context of the sender).
#pragma once

#include <cstdint>
#include <vector>

#include "core/reset_trace.h"

namespace tcptune::core {

ResetTrace build_reset_trace(const ResetTraceInput& in, const std::vector<int32_t>& local_tasks);

}  // namespace tcptune::core

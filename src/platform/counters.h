// Kernel counters from <root>/proc/net/{sockstat,netstat,snmp}, parsed by header name.
#pragma once

#include <string>

#include "core/census.h"
#include "core/result.h"

namespace tcptune::platform {

// One sample now. A file that cannot be read becomes a note (the others are still used); an
// error only when none of the three could be read, or one is malformed.
core::Result<core::CounterSample> read_counter_sample(const std::string& root,
                                                      std::vector<std::string>* notes);

// Counters for the snapshot: one sample.
core::Result<core::Counters> read_counters(std::string root);

// Two samples `interval_ms` apart (sleeps in between), so rates can be computed.
core::Result<core::Counters> read_counters_with_rates(std::string root, uint32_t interval_ms);

}  // namespace tcptune::platform

// Text renderings of the census and counters (the JSON form is core/census_json.h).
#pragma once

#include <string>

#include "core/census.h"

namespace tcptune::cli {

struct CensusRenderOptions {
  size_t bar_width = 40;  // width of the longest state bar
};

// Totals by state with proportional bars, the source used and any notes. Used by
// `tcptune sockets` and by the audit report.
std::string render_census_summary(const core::Census& c, const CensusRenderOptions& opts = {});

// The summary followed by whichever views the census carries (ports, remotes, processes).
std::string render_census(const core::Census& c, const CensusRenderOptions& opts = {});

// Per-second rates of the counters that diagnose TIME-WAIT, listen-queue and reset problems,
// plus the sockstat gauges. Empty string when the counters carry only one sample.
std::string render_counter_rates(const core::Counters& c);

}  // namespace tcptune::cli

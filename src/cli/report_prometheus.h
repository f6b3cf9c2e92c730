// Prometheus text exposition (format 0.0.4) of an audit, for node_exporter's textfile collector
// (`tcptune audit --format prometheus --output /var/lib/prometheus/node-exporter/tcptune.prom`).
// Metric names and labels are documented in docs/prometheus.md.
#pragma once

#include <string>
#include <string_view>

#include "cli/report_render.h"
#include "core/report.h"

namespace tcptune::cli {

// Findings by id/severity/item and by severity, gaps, rules, the socket census by state, the
// integer sysctls of the snapshot and the lifecycle counters, each family with HELP and TYPE.
// Families whose data the snapshot lacks (no census, no counters) are left out, not zeroed.
std::string render_report_prometheus(const core::Report& r, const ReportContext& ctx);

// A label value escaped for the exposition format: backslash, double quote and newline.
std::string prometheus_label_escape(std::string_view value);

}  // namespace tcptune::cli

// Prometheus text exposition (format 0.0.4) of an audit, for node_exporter's textfile collector
// (`tcptune audit --format prometheus --output /var/lib/prometheus/node-exporter/tcptune.prom`).
// Metric names and labels are documented in docs/prometheus.md.
#pragma once

#include <string>
#include <string_view>

#include "cli/report_render.h"
#include "core/report.h"

namespace tcptune::cli {

// How many remote destinations and local ports get their own series (docs/prometheus.md,
// "Cardinality"). The census keeps at most kPrometheusTopMax of each.
inline constexpr size_t kPrometheusTopDefault = 10;
inline constexpr size_t kPrometheusTopMax = 32;

// Findings by id/severity/item and by severity, gaps, rules, the socket census by state, the
// busiest `top` remote destinations (ephemeral ports in use, with the range size) and local
// ports (sockets by state), the integer sysctls of the snapshot and the lifecycle counters, each
// family with HELP and TYPE. Families whose data the snapshot lacks (no census, no counters) are
// left out, not zeroed.
std::string render_report_prometheus(const core::Report& r, const ReportContext& ctx,
                                     size_t top = kPrometheusTopDefault);

// A label value escaped for the exposition format: backslash, double quote and newline.
std::string prometheus_label_escape(std::string_view value);

}  // namespace tcptune::cli

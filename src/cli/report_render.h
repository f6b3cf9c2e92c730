// Renderers for an audit report: readable text (grouped by severity, colour only when asked)
// and the versioned JSON schema documented in docs/report-schema.md.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/report.h"
#include "core/snapshot.h"

namespace tcptune::cli {

struct ReportContext {
  const core::Snapshot* snapshot = nullptr;  // host identity and census summary
  std::string source;                        // "live host", "snapshot host.json", "root /srv/copy"
  size_t rule_count = 0;
  bool verbose = false;  // info findings in full too (otherwise one line each)
};

// Critical and warning findings in full, first; several findings of one rule as one block (the
// explanation once, then each item); info findings one line each unless ctx.verbose.
std::string render_report_text(const core::Report& r, const ReportContext& ctx, bool color);
nlohmann::json render_report_json(const core::Report& r, const ReportContext& ctx);

inline constexpr int kReportSchemaVersion = 1;

}  // namespace tcptune::cli

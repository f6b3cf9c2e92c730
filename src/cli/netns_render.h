// Renderers of namespace runs: the --all-netns report (a summary table of every namespace, then
// each namespace's findings) as text and as JSON ("schema": "tcptune.netns-report", documented
// in docs/netns.md), and one namespace's identity as JSON.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/audit_pipeline.h"
#include "core/netns_view.h"

namespace tcptune::cli {

inline constexpr int kNetnsReportSchemaVersion = 1;

// Summary table (namespace, label, sockets by state, worst finding, keys differing from the
// host), then the findings of each namespace (info in full when `verbose`).
std::string render_netns_text(const std::vector<NamespaceSnapshot>& audits, size_t rule_count,
                              bool verbose = false);
// The same structure as JSON.
nlohmann::json render_netns_json(const std::vector<NamespaceSnapshot>& audits, size_t rule_count);
// {"inode","names","label","host","processes":[{pid,command,container_id}],"containers"}.
nlohmann::json netns_info_json(const core::NetnsInfo& ns);

}  // namespace tcptune::cli

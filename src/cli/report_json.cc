#include "cli/report_render.h"

#include "core/census_json.h"

namespace tcptune::cli {

nlohmann::json render_report_json(const core::Report& r, const ReportContext& ctx) {
  using nlohmann::json;
  json j;
  j["schema"] = "tcptune.report";
  j["schema_version"] = kReportSchemaVersion;
  j["tool_version"] = TCPTUNE_VERSION;
  json host = json::object();
  if (ctx.snapshot) {
    const auto& s = *ctx.snapshot;
    host["kernel_release"] = s.kernel_release ? json(*s.kernel_release) : json(nullptr);
    host["netns_inode"] = s.netns.inode ? json(*s.netns.inode) : json(nullptr);
    host["netns_name"] = s.netns.name;
    host["root"] = s.root;
  }
  host["source"] = ctx.source;
  j["host"] = std::move(host);
  j["summary"] = {{"rules", ctx.rule_count},
                  {"critical", r.count(core::Severity::kCritical)},
                  {"warning", r.count(core::Severity::kWarning)},
                  {"info", r.count(core::Severity::kInfo)},
                  {"gaps", r.gaps.size()}};
  json findings = json::array();
  for (const auto& f : r.findings) {
    json ev = json::array();
    for (const auto& e : f.evidence) ev.push_back({{"label", e.label}, {"value", e.value}});
    findings.push_back({{"id", f.id},
                        {"severity", core::severity_name(f.severity)},
                        {"title", f.title},
                        {"item", f.item},
                        {"message", f.message},
                        {"evidence", std::move(ev)},
                        {"mechanism", f.mechanism},
                        {"avoid", f.avoid},
                        {"recommendation", f.recommendation},
                        {"references", f.references}});
  }
  j["findings"] = std::move(findings);
  json gaps = json::array();
  for (const auto& g : r.gaps) gaps.push_back({{"what", g.what}, {"reason", g.reason}});
  j["gaps"] = std::move(gaps);
  j["census"] = ctx.snapshot && ctx.snapshot->census ? core::census_to_json(*ctx.snapshot->census) : json(nullptr);
  return j;
}

}  // namespace tcptune::cli

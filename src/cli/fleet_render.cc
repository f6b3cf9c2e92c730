#include "cli/fleet_render.h"

#include <fmt/format.h>

namespace tcptune::cli {
namespace {

using nlohmann::json;

std::string group_title(const core::FleetReport& r, const core::FleetGroup& g) {
  if (r.group_by.empty()) return fmt::format("hosts {}", g.name);
  if (g.name.empty()) return fmt::format("no label {}", r.group_by);
  return fmt::format("{}={}", r.group_by, g.name);
}

std::string host_list(const core::NamedHosts& h) {
  std::string out = fmt::format("{}", fmt::join(h.names, ", "));
  if (h.count > h.names.size()) out += fmt::format(" and {} more", h.count - h.names.size());
  return out;
}

std::string hosts_word(uint64_t n) { return fmt::format("{} host{}", n, n == 1 ? "" : "s"); }

void render_group(const core::FleetReport& r, const core::FleetGroup& g, std::string& out) {
  out += fmt::format("\nGroup {} ({})\n", group_title(r, g), hosts_word(g.hosts));
  if (g.deviations.empty() && g.findings.empty()) {
    out += "  All hosts agree on every key; no findings.\n";
    return;
  }
  out += fmt::format("  Keys that differ from the majority ({})\n", g.deviations.size());
  for (const auto& d : g.deviations) {
    out += fmt::format("    {} = {} on {} (majority{} {} on {}): {}\n", d.key, d.value, hosts_word(d.hosts.count),
                       d.tied ? ", tied," : "", d.majority, d.majority_hosts, host_list(d.hosts));
  }
  out += fmt::format("  Findings ({})\n", g.findings.size());
  for (const auto& f : g.findings) {
    out += fmt::format("    {} {} on {}: {}\n", core::severity_name(f.severity), f.id, hosts_word(f.hosts.count),
                       host_list(f.hosts));
  }
  if (g.correlations.empty()) return;
  out += fmt::format("  Findings that go with a difference ({})\n", g.correlations.size());
  for (const auto& c : g.correlations) {
    out += fmt::format("    {} = {}: {} on {} of {} (majority value: {} of {})\n", c.key, c.value, c.finding, c.with,
                       c.value_hosts, c.majority_with, c.majority_hosts);
  }
}

json hosts_json(const core::NamedHosts& h) {
  return {{"count", h.count}, {"names", h.names}, {"more", h.count - h.names.size()}};
}

json group_json(const core::FleetGroup& g) {
  json devs = json::array();
  for (const auto& d : g.deviations) {
    devs.push_back({{"key", d.key}, {"value", d.value}, {"hosts", hosts_json(d.hosts)},
                    {"majority", {{"value", d.majority}, {"hosts", d.majority_hosts}, {"tied", d.tied}}}});
  }
  json findings = json::array();
  for (const auto& f : g.findings) {
    findings.push_back({{"id", f.id}, {"severity", core::severity_name(f.severity)}, {"hosts", hosts_json(f.hosts)}});
  }
  json corr = json::array();
  for (const auto& c : g.correlations) {
    corr.push_back({{"key", c.key}, {"value", c.value}, {"value_hosts", c.value_hosts}, {"finding", c.finding},
                    {"with", c.with}, {"majority_hosts", c.majority_hosts}, {"majority_with", c.majority_with}});
  }
  return {{"name", g.name}, {"hosts", g.hosts}, {"differences", devs}, {"findings", findings}, {"correlations", corr}};
}

}  // namespace

std::string render_fleet_text(const core::FleetReport& r) {
  std::string out = fmt::format("tcptune fleet: {} in {} group{}, grouped by {}", hosts_word(r.hosts), r.groups.size(),
                                r.groups.size() == 1 ? "" : "s",
                                r.group_by.empty() ? std::string("host name pattern") : "label " + r.group_by);
  if (!r.skipped.empty()) out += fmt::format("; {} snapshot{} skipped", r.skipped.size(), r.skipped.size() == 1 ? "" : "s");
  out += "\n";
  for (const auto& g : r.groups) render_group(r, g, out);
  if (r.skipped.empty()) return out;
  out += fmt::format("\nSkipped snapshots ({})\n", r.skipped.size());
  for (const auto& s : r.skipped) out += fmt::format("  {}\n", s.error);
  return out;
}

json render_fleet_json(const core::FleetReport& r) {
  json groups = json::array();
  for (const auto& g : r.groups) groups.push_back(group_json(g));
  json skipped = json::array();
  for (const auto& s : r.skipped) skipped.push_back({{"file", s.file}, {"error", s.error}});
  return {{"schema", "tcptune.fleet"},
          {"schema_version", kFleetSchemaVersion},
          {"group_by", r.group_by.empty() ? json(nullptr) : json(r.group_by)},
          {"hosts", r.hosts},
          {"groups", std::move(groups)},
          {"skipped", std::move(skipped)}};
}

}  // namespace tcptune::cli

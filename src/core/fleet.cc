#include "core/fleet.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace tcptune::core {
namespace {

// The value most hosts hold; ties go to the smallest text, so the report is deterministic.
template <typename Values>
auto majority_of(const Values& values) {
  auto best = values.begin();
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (it->second.hosts.count > best->second.hosts.count) best = it;
  }
  return best;
}

}  // namespace

std::string fleet_value_text(const SysctlReading& r) {
  if (r.state == SysctlReading::State::kAbsent) return "(absent)";
  if (r.state == SysctlReading::State::kUnreadable) return fmt::format("(unreadable: errno {})", r.err);
  std::string out;
  bool space = false;
  for (const char c : r.value.text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::map<std::string, std::string> fleet_values(const Snapshot& s) {
  std::map<std::string, std::string> values;
  for (const auto& [key, reading] : s.sysctls) {
    if (key != "kernel.hostname") values.emplace(key, fleet_value_text(reading));
  }
  return values;
}

std::string host_pattern(std::string_view host) {
  std::string out;
  for (size_t i = 0; i < host.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(host[i]))) {
      if (out.empty() || out.back() != '#') out += '#';
      while (i + 1 < host.size() && std::isdigit(static_cast<unsigned char>(host[i + 1]))) ++i;
    } else {
      out += host[i];
    }
  }
  return out;
}

void NamedHosts::add(const std::string& host) {
  ++count;
  if (names.size() < kFleetNamedHosts) names.push_back(host);
}

void FleetTally::add(const FleetHost& host) {
  ++hosts_;
  GroupTally& g = groups_[host.group];
  ++g.hosts;
  for (const auto& [key, value] : host.values) {
    ValueTally& v = g.keys[key][value];
    v.hosts.add(host.name);
    for (const auto& f : host.findings) ++v.with_finding[f.first];
  }
  for (const auto& [id, severity] : host.findings) {
    FindingTally& f = g.findings[id];
    f.severity = severity;
    f.hosts.add(host.name);
  }
}

FleetReport FleetTally::report() const {
  FleetReport out;
  out.hosts = hosts_;
  for (const auto& [name, g] : groups_) {
    FleetGroup group{name, g.hosts, {}, {}, {}};
    for (const auto& [key, values] : g.keys) {
      if (values.size() < 2) continue;
      const auto major = majority_of(values);
      for (auto it = values.begin(); it != values.end(); ++it) {
        if (it == major) continue;
        const bool tied = it->second.hosts.count == major->second.hosts.count;
        group.deviations.push_back(
            {key, major->first, major->second.hosts.count, tied, it->first, it->second.hosts});
        for (const auto& [finding, with] : it->second.with_finding) {
          const auto m = major->second.with_finding.find(finding);
          const uint64_t major_with = m == major->second.with_finding.end() ? 0 : m->second;
          // Compare rates without dividing: with / hosts > major_with / major_hosts.
          if (with * major->second.hosts.count > major_with * it->second.hosts.count) {
            group.correlations.push_back({key, it->first, it->second.hosts.count, finding, with,
                                          major->second.hosts.count, major_with});
          }
        }
      }
    }
    for (const auto& [id, f] : g.findings) group.findings.push_back({id, f.severity, f.hosts});
    std::stable_sort(group.findings.begin(), group.findings.end(), [](const auto& a, const auto& b) {
      return static_cast<int>(a.severity) > static_cast<int>(b.severity);
    });
    out.groups.push_back(std::move(group));
  }
  return out;
}

}  // namespace tcptune::core

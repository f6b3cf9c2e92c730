#include "cli/census_render.h"

#include <algorithm>

#include <fmt/format.h>

namespace tcptune::cli {

namespace {

using core::StateCounts;
using core::TcpState;

std::string state_list(const StateCounts& s) {
  std::string out;
  for (size_t i = 1; i <= core::kStateSlots; ++i) {
    const size_t slot = i % core::kStateSlots;  // kernel order, unknown last
    if (s.n[slot] == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", core::state_name(static_cast<TcpState>(slot)), s.n[slot]);
  }
  return out.empty() ? "none" : out;
}

void render_ports(const core::Census& c, std::string& out) {
  out += fmt::format("\nTop local ports ({} shown of {} distinct):\n", c.ports->size(), c.distinct_ports);
  for (const core::PortCounts& p : *c.ports)
    out += fmt::format("  {:>5}  {:>8}  {}\n", p.port, p.states.total(), state_list(p.states));
}

void render_remotes(const core::Census& c, std::string& out) {
  if (!c.ephemeral_range) {
    out += "\nOutbound connections by remote: unavailable (ip_local_port_range unknown)\n";
    return;
  }
  const uint32_t range = c.ephemeral_range->size();
  out += fmt::format("\nOutbound connections by remote (local port in ip_local_port_range {}-{}, {} ports; "
                     "{} shown of {} distinct{}):\n",
                     c.ephemeral_range->low, c.ephemeral_range->high, range, c.remotes->size(),
                     c.distinct_remotes, c.remotes_capped ? ", tracking capped: partial" : "");
  for (const core::RemoteCounts& r : *c.remotes) {
    const std::string ep = r.address.find(':') != std::string::npos ? fmt::format("[{}]:{}", r.address, r.port)
                                                                    : fmt::format("{}:{}", r.address, r.port);
    const double used = range ? 100.0 * static_cast<double>(r.established + r.time_wait) / range : 0.0;
    out += fmt::format("  {:<40} ESTABLISHED {:>7}  TIME-WAIT {:>7}  {:5.1f}% of the port range\n", ep,
                       r.established, r.time_wait, used);
  }
}

void render_processes(const core::Census& c, std::string& out) {
  out += "\nSockets by owning process:\n";
  for (const core::ProcessSockets& p : *c.processes)
    out += fmt::format("  pid {:>7} {:<16} {:>8}  {}\n", p.pid, p.command, p.states.total(), state_list(p.states));
  out += fmt::format("  {} sockets without an owning process (TIME-WAIT and FIN-WAIT-2 minisocks, "
                     "request sockets, closed files)\n",
                     c.sockets_without_owner);
}

}  // namespace

std::string render_census_summary(const core::Census& c, const CensusRenderOptions& opts) {
  std::string out = fmt::format("TCP sockets: {} (source: {}; {})\n", c.states.total(),
                                core::source_name(c.source), c.method);
  uint64_t max = 1;
  for (uint64_t v : c.states.n) max = std::max(max, v);
  const double total = static_cast<double>(std::max<uint64_t>(c.states.total(), 1));
  for (size_t i = 1; i <= core::kStateSlots; ++i) {
    const size_t slot = i % core::kStateSlots;
    const uint64_t v = c.states.n[slot];
    if (v == 0) continue;
    // Round up so that a state with any socket shows at least one mark.
    const size_t bar = static_cast<size_t>((v * opts.bar_width + max - 1) / max);
    out += fmt::format("  {:<12} {:>9} {:5.1f}%  {}\n", core::state_name(static_cast<TcpState>(slot)), v,
                       100.0 * static_cast<double>(v) / total, std::string(bar, '#'));
  }
  for (const std::string& n : c.notes) out += fmt::format("note: {}\n", n);
  return out;
}

std::string render_census(const core::Census& c, const CensusRenderOptions& opts) {
  std::string out = render_census_summary(c, opts);
  if (c.ports) render_ports(c, out);
  if (c.remotes) render_remotes(c, out);
  if (c.processes) render_processes(c, out);
  return out;
}

std::string render_counter_rates(const core::Counters& c) {
  const auto rates = core::counter_rates(c);
  if (rates.empty()) return {};
  static constexpr const char* kShown[] = {
      "TcpExtTCPTimeWaitOverflow", "TcpExtTW",          "TcpExtTWRecycled",     "TcpExtListenOverflows",
      "TcpExtListenDrops",         "TcpExtTCPAbortOnData", "TcpExtTCPAbortOnClose", "TcpExtTCPAbortOnTimeout",
      "TcpExtTCPAbortOnMemory",    "TcpAttemptFails",   "TcpEstabResets",       "TcpOutRsts",
      "TcpRetransSegs"};
  const double secs = static_cast<double>(c.current.monotonic_ms - c.earlier->monotonic_ms) / 1000.0;
  std::string out = fmt::format("\nCounter rates over {:.1f} s (per second):\n", secs);
  for (const char* name : kShown) {
    auto it = rates.find(name);
    if (it != rates.end()) out += fmt::format("  {:<28} {:>10.2f}\n", name, it->second);
  }
  if (c.current.sockstat)
    out += fmt::format("sockstat TCP: inuse {} tw {} (this namespace); orphan {} alloc {} mem {} pages (host-wide)\n",
                       c.current.sockstat->inuse, c.current.sockstat->tw, c.current.sockstat->orphan,
                       c.current.sockstat->alloc, c.current.sockstat->mem);
  return out;
}

}  // namespace tcptune::cli

#include "cli/report_prometheus.h"

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace tcptune::cli {
namespace {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// The counters the shipped rules and the census report read: TIME-WAIT pressure, listen-queue
// overflows, aborts and resets (names as in /proc/net/netstat and snmp;
// include/uapi/linux/snmp.h).
// All are monotonic since boot (per network namespace), hence Prometheus counters.
constexpr std::string_view kLifecycleCounters[] = {
    "TcpActiveOpens",          "TcpPassiveOpens",           "TcpAttemptFails",
    "TcpEstabResets",          "TcpOutRsts",                "TcpRetransSegs",
    "TcpExtTW",                "TcpExtTWRecycled",          "TcpExtTWKilled",
    "TcpExtTCPTimeWaitOverflow", "TcpExtListenOverflows",   "TcpExtListenDrops",
    "TcpExtTCPReqQFullDrop",   "TcpExtTCPReqQFullDoCookies", "TcpExtSyncookiesSent",
    "TcpExtTCPSynRetrans",     "TcpExtTCPAbortOnData",      "TcpExtTCPAbortOnClose",
    "TcpExtTCPAbortOnMemory",  "TcpExtTCPAbortOnTimeout",   "TcpExtTCPAbortOnLinger",
    "TcpExtTCPKeepAlive",
};

// Builds the exposition text one metric family at a time (all samples of a family together,
// as the format requires).
class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  template <typename V>
  void sample(std::string_view name, const Labels& labels, V value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        out_ += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first,
                            prometheus_label_escape(labels[i].second));
      }
      out_ += '}';
    }
    out_ += fmt::format(" {}\n", value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void render_findings(const core::Report& r, Exposition& e) {
  e.family("tcptune_findings", "gauge", "Number of findings of the last audit, by severity.");
  for (const auto s : {core::Severity::kCritical, core::Severity::kWarning, core::Severity::kInfo}) {
    e.sample("tcptune_findings", {{"severity", std::string(core::severity_name(s))}}, r.count(s));
  }
  // One series per finding; a rule that fires twice for the same item adds up rather than
  // producing a duplicate series, which Prometheus would reject.
  std::map<std::tuple<std::string, std::string, std::string>, int> per_finding;
  for (const auto& f : r.findings) ++per_finding[{f.id, std::string(core::severity_name(f.severity)), f.item}];
  e.family("tcptune_finding", "gauge",
           "Findings of the last audit by rule id, severity and item (the key or port a rule iterated over).");
  for (const auto& [k, n] : per_finding) {
    e.sample("tcptune_finding", {{"id", std::get<0>(k)}, {"severity", std::get<1>(k)}, {"item", std::get<2>(k)}}, n);
  }
  e.family("tcptune_gaps", "gauge", "Evidence the last audit could not collect (see the text or JSON report for why).");
  e.sample("tcptune_gaps", {}, r.gaps.size());
}

void render_census(const core::Census& c, Exposition& e) {
  e.family("tcptune_sockets", "gauge", "TCP sockets in this network namespace by state (socket census).");
  for (size_t slot = 1; slot < core::kStateSlots; ++slot) {
    const auto state = static_cast<core::TcpState>(slot);
    e.sample("tcptune_sockets", {{"state", std::string(core::state_name(state))}}, c.states[state]);
  }
  if (c.states[core::TcpState::kUnknown] > 0) {
    e.sample("tcptune_sockets", {{"state", "unknown"}}, c.states[core::TcpState::kUnknown]);
  }
  e.family("tcptune_sockets_by_family", "gauge", "TCP sockets seen in the census dump by address family.");
  e.sample("tcptune_sockets_by_family", {{"family", "ipv4"}}, c.ipv4);
  e.sample("tcptune_sockets_by_family", {{"family", "ipv6"}}, c.ipv6);
  e.family("tcptune_census_info", "gauge", "How the socket census was taken (value is always 1).");
  e.sample("tcptune_census_info", {{"source", std::string(core::source_name(c.source))}}, 1);
}

// Bounded cardinality: at most `top` destinations and `top` ports (the census lists both busiest
// first), plus one series each saying how many there were in all.
void render_destinations(const core::Census& c, size_t top, Exposition& e) {
  if (c.remotes) {
    e.family("tcptune_remote_ports_in_use", "gauge",
             "Ephemeral ports in use (ESTABLISHED + TIME-WAIT) towards each of the busiest remote destinations.");
    for (size_t i = 0; i < c.remotes->size() && i < top; ++i) {
      const auto& r = (*c.remotes)[i];
      e.sample("tcptune_remote_ports_in_use", {{"remote", fmt::format("{}:{}", r.address, r.port)}, {"state", "ESTABLISHED"}},
               r.established);
      e.sample("tcptune_remote_ports_in_use", {{"remote", fmt::format("{}:{}", r.address, r.port)}, {"state", "TIME-WAIT"}},
               r.time_wait);
    }
    e.family("tcptune_remotes", "gauge", "Distinct remote destinations using ephemeral ports (series above: the busiest only).");
    e.sample("tcptune_remotes", {}, c.distinct_remotes);
  }
  if (c.ephemeral_range) {
    e.family("tcptune_ephemeral_ports", "gauge", "Size of net.ipv4.ip_local_port_range (ports per destination).");
    e.sample("tcptune_ephemeral_ports", {}, c.ephemeral_range->size());
  }
  if (!c.ports) return;
  e.family("tcptune_port_sockets", "gauge", "TCP sockets on each of the busiest local ports, by state (non-zero states only).");
  for (size_t i = 0; i < c.ports->size() && i < top; ++i) {
    const auto& p = (*c.ports)[i];
    for (size_t slot = 0; slot < core::kStateSlots; ++slot) {
      if (p.states.n[slot] == 0) continue;
      const auto state = slot == 0 ? std::string("unknown") : std::string(core::state_name(static_cast<core::TcpState>(slot)));
      e.sample("tcptune_port_sockets", {{"port", std::to_string(p.port)}, {"state", state}}, p.states.n[slot]);
    }
  }
  e.family("tcptune_ports", "gauge", "Distinct local ports with sockets (series above: the busiest only).");
  e.sample("tcptune_ports", {}, c.distinct_ports);
}

void render_sysctls(const core::Snapshot& s, Exposition& e) {
  e.family("tcptune_sysctl", "gauge",
           "Live value of each numeric sysctl the audit read; index is the field of a multi-value key.");
  for (const auto& [key, reading] : s.sysctls) {
    if (!reading.has_value()) continue;  // absent and unreadable keys are gaps, not zeros
    const auto& nums = reading.value.numbers;
    for (size_t i = 0; i < nums.size(); ++i) e.sample("tcptune_sysctl", {{"key", key}, {"index", std::to_string(i)}}, nums[i]);
  }
}

void render_counters(const core::Counters& c, Exposition& e) {
  e.family("tcptune_tcp_events_total", "counter",
           "Kernel TCP counters (/proc/net/netstat and snmp) that diagnose connection-lifecycle problems.");
  for (const auto name : kLifecycleCounters) {
    auto it = c.current.values.find(std::string(name));
    if (it != c.current.values.end()) e.sample("tcptune_tcp_events_total", {{"name", std::string(name)}}, it->second);
  }
  if (!c.current.sockstat) return;
  const auto& st = *c.current.sockstat;
  e.family("tcptune_sockstat", "gauge",
           "/proc/net/sockstat TCP line: inuse and tw are per namespace; orphan, alloc and mem (pages) host-wide.");
  const std::pair<const char*, int64_t> fields[] = {
      {"inuse", st.inuse}, {"orphan", st.orphan}, {"tw", st.tw}, {"alloc", st.alloc}, {"mem", st.mem}};
  for (const auto& [name, v] : fields) e.sample("tcptune_sockstat", {{"field", name}}, v);
}

}  // namespace

std::string prometheus_label_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string render_report_prometheus(const core::Report& r, const ReportContext& ctx, size_t top) {
  Exposition e;
  e.family("tcptune_info", "gauge", "The tcptune version and the host it audited (value is always 1).");
  const core::Snapshot* s = ctx.snapshot;
  e.sample("tcptune_info",
           {{"version", TCPTUNE_VERSION},
            {"kernel", s && s->kernel_release ? *s->kernel_release : std::string()},
            {"source", ctx.source}},
           1);
  e.family("tcptune_rules", "gauge", "Rules evaluated by the last audit.");
  e.sample("tcptune_rules", {}, ctx.rule_count);
  render_findings(r, e);
  if (s) {
    if (s->census) {
      render_census(*s->census, e);
      render_destinations(*s->census, top, e);
    }
    render_sysctls(*s, e);
    if (s->counters) render_counters(*s->counters, e);
  }
  return e.take();
}

}  // namespace tcptune::cli

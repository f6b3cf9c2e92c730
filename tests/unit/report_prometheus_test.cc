// The Prometheus exposition of an audit: families, labels, escaping, and what is left out.
#include <gtest/gtest.h>

#include "cli/report_prometheus.h"

namespace tcptune::cli {
namespace {

core::Finding finding(std::string id, core::Severity s, std::string item) {
  core::Finding f;
  f.id = std::move(id);
  f.severity = s;
  f.item = std::move(item);
  return f;
}

core::Report report_of(std::vector<core::Finding> findings) {
  core::Report r;
  r.findings = std::move(findings);
  core::finalize_report(r);
  return r;
}

// Lines of `text` that start with `prefix` (samples of one family, or its HELP/TYPE lines).
std::vector<std::string> lines_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end - pos);
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

TEST(ReportPrometheus, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(prometheus_label_escape("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(prometheus_label_escape("plain"), "plain");
}

TEST(ReportPrometheus, FindingsBySeverityAndById) {
  const auto r = report_of({finding("TT-A", core::Severity::kCritical, ""),
                            finding("TT-B", core::Severity::kWarning, "net.ipv4.tcp_fin_timeout"),
                            finding("TT-B", core::Severity::kWarning, "net.ipv4.tcp_fin_timeout")});
  ReportContext ctx;
  ctx.source = "snapshot \"x\".json";
  ctx.rule_count = 7;
  const std::string text = render_report_prometheus(r, ctx);
  EXPECT_EQ(lines_with(text, "tcptune_findings"),
            (std::vector<std::string>{"tcptune_findings{severity=\"critical\"} 1",
                                      "tcptune_findings{severity=\"warning\"} 2",
                                      "tcptune_findings{severity=\"info\"} 0"}));
  // The duplicate (same id, severity, item) is summed into one series.
  EXPECT_EQ(lines_with(text, "tcptune_finding{"),
            (std::vector<std::string>{"tcptune_finding{id=\"TT-A\",severity=\"critical\",item=\"\"} 1",
                                      "tcptune_finding{id=\"TT-B\",severity=\"warning\",item=\"net.ipv4.tcp_fin_timeout\"} 2"}));
  EXPECT_EQ(lines_with(text, "tcptune_rules "), (std::vector<std::string>{"tcptune_rules 7"}));
  EXPECT_EQ(lines_with(text, "tcptune_info"),
            (std::vector<std::string>{std::string("tcptune_info{version=\"") + TCPTUNE_VERSION +
                                      "\",kernel=\"\",source=\"snapshot \\\"x\\\".json\"} 1"}));
  // Without a snapshot there is no census, sysctl or counter family at all.
  EXPECT_EQ(text.find("tcptune_sockets"), std::string::npos);
  EXPECT_EQ(text.find("tcptune_sysctl"), std::string::npos);
}

TEST(ReportPrometheus, EveryFamilyHasHelpAndTypeBeforeItsSamples) {
  core::Snapshot s;
  s.kernel_release = "6.1.0-18-amd64";
  s.sysctls["net.ipv4.tcp_fin_timeout"] = core::SysctlReading::of("60");
  s.sysctls["net.ipv4.ip_local_port_range"] = core::SysctlReading::of("32768\t60999");
  s.sysctls["net.ipv4.tcp_congestion_control"] = core::SysctlReading::of("cubic");
  s.sysctls["net.ipv4.tcp_tw_recycle"] = core::SysctlReading::absent();
  core::Census c;
  c.states[core::TcpState::kTimeWait] = 5;
  c.states[core::TcpState::kEstablished] = 3;
  c.ipv4 = 8;
  s.census = c;
  core::Counters counters;
  counters.current.values = {{"TcpExtTW", 42}, {"TcpExtSomethingElse", 9}};
  counters.current.sockstat = core::SockStat{3, 0, 5, 4, 1};
  s.counters = counters;
  ReportContext ctx;
  ctx.snapshot = &s;
  const std::string text = render_report_prometheus(report_of({}), ctx);

  EXPECT_EQ(lines_with(text, "tcptune_sysctl{"),
            (std::vector<std::string>{"tcptune_sysctl{key=\"net.ipv4.ip_local_port_range\",index=\"0\"} 32768",
                                      "tcptune_sysctl{key=\"net.ipv4.ip_local_port_range\",index=\"1\"} 60999",
                                      "tcptune_sysctl{key=\"net.ipv4.tcp_fin_timeout\",index=\"0\"} 60"}));
  const auto sockets = lines_with(text, "tcptune_sockets{");
  ASSERT_EQ(sockets.size(), 11u);  // every kernel state 1..11, zeros included; no "unknown" row
  EXPECT_EQ(sockets[0], "tcptune_sockets{state=\"ESTABLISHED\"} 3");
  EXPECT_EQ(sockets[5], "tcptune_sockets{state=\"TIME-WAIT\"} 5");
  EXPECT_EQ(lines_with(text, "tcptune_tcp_events_total{"),
            (std::vector<std::string>{"tcptune_tcp_events_total{name=\"TcpExtTW\"} 42"}));
  EXPECT_EQ(lines_with(text, "tcptune_sockstat{field=\"tw\"}"),
            (std::vector<std::string>{"tcptune_sockstat{field=\"tw\"} 5"}));

  // Each metric name's samples follow exactly one HELP and one TYPE line.
  std::string family;
  for (const auto& line : lines_with(text, "")) {
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_EQ(line.substr(7, family.size() + 1), family + " ") << line;
      continue;
    }
    EXPECT_EQ(line.substr(0, family.size()), family) << line;
    const char after = line[family.size()];
    EXPECT_TRUE(after == '{' || after == ' ') << line;
  }
  for (const char* name : {"tcptune_info", "tcptune_rules", "tcptune_findings", "tcptune_finding", "tcptune_gaps",
                           "tcptune_sockets", "tcptune_sockets_by_family", "tcptune_census_info", "tcptune_sysctl",
                           "tcptune_tcp_events_total", "tcptune_sockstat"}) {
    EXPECT_EQ(lines_with(text, std::string("# TYPE ") + name + " ").size(), 1u) << name;
  }
}

}  // namespace
}  // namespace tcptune::cli

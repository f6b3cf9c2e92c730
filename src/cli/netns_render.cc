// The --all-netns report: one table of every namespace, then each namespace's findings.
#include <algorithm>

#include <fmt/format.h>

#include "cli/netns_render.h"
#include "cli/report_render.h"
#include "core/census_json.h"

namespace tcptune::cli {
namespace {

using core::TcpState;

// Table columns: the states a lifecycle audit looks at, then the total.
constexpr TcpState kColumns[] = {TcpState::kEstablished, TcpState::kListen, TcpState::kTimeWait,
                                 TcpState::kCloseWait, TcpState::kFinWait2, TcpState::kSynRecv};
constexpr const char* kColumnTitles[] = {"ESTAB", "LISTEN", "TW", "CW", "FW2", "SYNRCV"};

std::string worst(const NamespaceSnapshot& a) {
  if (!a.snapshot) return "unreadable";
  if (a.report.findings.empty()) return "-";
  const auto& f = a.report.findings.front();  // report order: most severe first
  return fmt::format("{} {}", core::severity_name(f.severity), f.id);
}

std::string short_key(const std::string& k) {
  for (std::string_view p : {"net.ipv4.", "net.core.", "net.netfilter."}) {
    if (k.rfind(p, 0) == 0) return k.substr(p.size());
  }
  return k;
}

std::string differs(const NamespaceSnapshot& a) {
  if (a.info.is_host) return "(reference)";
  if (a.differences.empty()) return "-";
  std::vector<std::string> names;
  for (const auto& d : a.differences) names.push_back(short_key(d.key));
  if (names.size() > 4) {
    const size_t more = names.size() - 3;
    names.resize(3);
    names.push_back(fmt::format("+{} more", more));
  }
  return fmt::format("{}", fmt::join(names, ","));
}

std::string count_cell(const NamespaceSnapshot& a, size_t col) {
  if (!a.snapshot || !a.snapshot->census) return "?";
  if (col == std::size(kColumns)) return std::to_string(a.snapshot->census->states.total());
  return std::to_string(a.snapshot->census->states[kColumns[col]]);
}

std::string table(const std::vector<NamespaceSnapshot>& audits) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"NETNS", "LABEL"};
  head.insert(head.end(), std::begin(kColumnTitles), std::end(kColumnTitles));
  head.insert(head.end(), {"TOTAL", "WORST", "DIFFERS FROM HOST"});
  rows.push_back(head);
  for (const auto& a : audits) {
    std::vector<std::string> r = {std::to_string(a.info.inode), core::netns_label(a.info)};
    for (size_t c = 0; c <= std::size(kColumns); ++c) r.push_back(count_cell(a, c));
    r.push_back(worst(a));
    r.push_back(differs(a));
    rows.push_back(std::move(r));
  }
  std::vector<size_t> w(head.size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      const bool numeric = i >= 2 && i < 2 + std::size(kColumns) + 1;
      line += numeric ? fmt::format("{:>{}}  ", r[i], w[i]) : fmt::format("{:<{}}  ", r[i], w[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string section(const NamespaceSnapshot& a, size_t rule_count, bool verbose) {
  std::string out = fmt::format("\n== network namespace {} ({}) ==\n", a.info.inode, core::netns_label(a.info));
  for (const auto& p : a.info.processes) {
    if (&p - a.info.processes.data() >= 5) {
      out += fmt::format("   ... and {} more processes\n", a.info.processes.size() - 5);
      break;
    }
    out += fmt::format("   process {} {}{}\n", p.pid, p.command, p.container_id.empty() ? "" : " container " + p.container_id);
  }
  if (!a.global_keys.empty())
    out += fmt::format("   host-global keys (read once on the host): {}\n", fmt::join(a.global_keys, ", "));
  for (const auto& d : a.differences) out += fmt::format("   differs: {} host {} here {}\n", d.key, d.host, d.netns);
  if (!a.snapshot) {
    out += fmt::format("   not audited: {}\n", a.error->summary());
    return out;
  }
  ReportContext ctx;
  ctx.snapshot = &*a.snapshot;
  ctx.rule_count = rule_count;
  ctx.verbose = verbose;
  ctx.source = a.info.is_host ? "this host" : fmt::format("network namespace {}", core::netns_label(a.info));
  return out + render_report_text(a.report, ctx, false);
}

}  // namespace

std::string render_netns_text(const std::vector<NamespaceSnapshot>& audits, size_t rule_count, bool verbose) {
  std::string out = fmt::format("tcptune audit of {} network namespaces\n\n", audits.size());
  out += table(audits);
  for (const auto& a : audits) out += section(a, rule_count, verbose);
  return out;
}

nlohmann::json netns_info_json(const core::NetnsInfo& ns) {
  nlohmann::json procs = nlohmann::json::array();
  for (const auto& p : ns.processes) {
    procs.push_back({{"pid", p.pid}, {"command", p.command}, {"container_id", p.container_id}});
  }
  return {{"inode", ns.inode},
          {"names", ns.names},
          {"label", core::netns_label(ns)},
          {"host", ns.is_host},
          {"processes", std::move(procs)},
          {"containers", core::netns_containers(ns)}};
}

nlohmann::json render_netns_json(const std::vector<NamespaceSnapshot>& audits, size_t rule_count) {
  using nlohmann::json;
  json spaces = json::array();
  for (const auto& a : audits) {
    json j = netns_info_json(a.info);
    json diffs = json::array();
    for (const auto& d : a.differences) diffs.push_back({{"key", d.key}, {"host", d.host}, {"netns", d.netns}});
    j["differs_from_host"] = std::move(diffs);
    j["global_keys"] = a.global_keys;
    j["worst"] = a.report.findings.empty() ? json(nullptr)
                                           : json{{"id", a.report.findings.front().id},
                                                  {"severity", core::severity_name(a.report.findings.front().severity)}};
    j["error"] = a.error ? json(a.error->summary()) : json(nullptr);
    if (a.snapshot) {
      ReportContext ctx;
      ctx.snapshot = &*a.snapshot;
      ctx.rule_count = rule_count;
      ctx.source = a.info.is_host ? "this host" : fmt::format("network namespace {}", core::netns_label(a.info));
      j["report"] = render_report_json(a.report, ctx);
    } else {
      j["report"] = nullptr;
    }
    spaces.push_back(std::move(j));
  }
  return {{"schema", "tcptune.netns-report"},
          {"schema_version", kNetnsReportSchemaVersion},
          {"tool_version", TCPTUNE_VERSION},
          {"namespaces", std::move(spaces)}};
}

}  // namespace tcptune::cli

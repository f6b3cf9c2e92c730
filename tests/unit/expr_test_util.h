// Hand-built catalogue, snapshot and configuration shared by the expression and rule tests.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/catalogue.h"
#include "core/rule_loader.h"
#include "core/snapshot.h"
#include "core/sysctl_conf.h"

namespace tcptune::core::testing {

inline CatalogueEntry entry(std::string key, std::string type = "integer") {
  CatalogueEntry e;
  e.key = std::move(key);
  e.type = std::move(type);
  return e;
}

// The keys the shipped rules and tests name.
inline Catalogue test_catalogue() {
  Catalogue c;
  for (const char* k : {"net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_timestamps",
                        "net.ipv4.tcp_max_tw_buckets", "net.core.somaxconn", "net.ipv4.tcp_keepalive_time",
                        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_retries2",
                        "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_syncookies", "net.ipv4.tcp_max_syn_backlog",
                        "net.ipv4.tcp_max_orphans", "net.ipv4.tcp_ehash_entries", "net.ipv4.tcp_syn_linear_timeouts"}) {
    c.entries[k] = entry(k);
  }
  c.entries["net.ipv4.ip_local_port_range"] = entry("net.ipv4.ip_local_port_range", "tuple");
  c.entries["net.ipv4.ip_local_reserved_ports"] = entry("net.ipv4.ip_local_reserved_ports", "string");
  c.entries["net.ipv4.tcp_congestion_control"] = entry("net.ipv4.tcp_congestion_control", "string");
  auto recycle = entry("net.ipv4.tcp_tw_recycle", "boolean");
  recycle.removed_in = KernelVersion{4, 12, 0};
  recycle.removed_text = "4.12 (commit 4396e46187ca)";
  c.entries[recycle.key] = recycle;
  for (const char* k : {"net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_count",
                        "net.netfilter.nf_conntrack_tcp_timeout_established"}) {
    auto ct = entry(k);
    ct.module = "nf_conntrack";
    c.entries[ct.key] = ct;
  }
  auto delay = entry("net.ipv4.tcp_tw_reuse_delay");
  delay.added_in = KernelVersion{6, 14, 0};
  c.entries[delay.key] = delay;
  return c;
}

inline ConfAssignment assign(std::string key, std::string value, std::string file, int line,
                             bool ignore_failure = false) {
  ConfAssignment a;
  a.key = std::move(key);
  a.value = std::move(value);
  a.where = SourceLoc{std::move(file), line, 1};
  a.ignore_failure = ignore_failure;
  return a;
}

inline ResolvedSetting setting(ConfAssignment winner, std::vector<ConfAssignment> shadowed = {}) {
  ResolvedSetting s;
  s.key = winner.key;
  s.winner = std::move(winner);
  s.shadowed = std::move(shadowed);
  return s;
}

inline void configure(ResolvedConfig& c, ResolvedSetting s) { c.settings[s.key] = std::move(s); }

// A default 6.18 host: compiled-in defaults, memory-derived values of a 24 GiB machine.
inline Snapshot default_618_snapshot() {
  Snapshot s;
  s.root = "/";
  s.kernel_release = "6.18.44-fc-v657";
  s.modules_known = true;
  auto set = [&](const char* k, const char* v) { s.sysctls[k] = SysctlReading::of(v); };
  set("net.ipv4.tcp_fin_timeout", "60");
  set("net.ipv4.tcp_tw_reuse", "2");
  set("net.ipv4.tcp_tw_reuse_delay", "1000");
  set("net.ipv4.tcp_timestamps", "1");
  set("net.ipv4.tcp_max_tw_buckets", "131072");
  set("net.ipv4.ip_local_port_range", "32768\t60999");
  set("net.core.somaxconn", "4096");
  set("net.ipv4.tcp_keepalive_time", "7200");
  set("net.ipv4.tcp_keepalive_intvl", "75");
  set("net.ipv4.tcp_keepalive_probes", "9");
  set("net.ipv4.tcp_retries2", "15");
  set("net.ipv4.tcp_syn_retries", "6");
  set("net.ipv4.tcp_syncookies", "1");
  set("net.ipv4.tcp_max_syn_backlog", "2048");
  set("net.ipv4.tcp_max_orphans", "131072");
  set("net.ipv4.tcp_ehash_entries", "262144");
  set("net.ipv4.tcp_congestion_control", "bbr");
  set("net.netfilter.nf_conntrack_max", "262144");
  set("net.netfilter.nf_conntrack_count", "120");
  set("net.netfilter.nf_conntrack_tcp_timeout_established", "432000");
  set("kernel.pid_max", "4194304");
  set("fs.protected_regular", "1");
  s.sysctls["net.ipv4.tcp_tw_recycle"] = SysctlReading::absent();
  return s;
}

// The shipped rule files (rules/*.toml but the catalogue and its notes), sorted by name, with
// paths "rules/NAME.toml" as diagnostics show them.
inline std::vector<RuleSource> shipped_rule_sources() {
  std::vector<RuleSource> out;
  const std::filesystem::path dir = std::filesystem::path(TCPTUNE_SOURCE_DIR) / "rules";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".toml" || e.path().filename().string().rfind("catalogue", 0) == 0) continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(RuleSource{"rules/" + e.path().filename().string(), ss.str()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

}  // namespace tcptune::core::testing

// Shared fixtures for the profile, plan and sysctl.d tests: the shipped catalogue and a snapshot
// of a 6.18 kernel in a fresh network namespace (compiled-in defaults, rules/catalogue.toml).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/catalogue_loader.h"
#include "core/snapshot.h"

namespace tcptune::test {

inline std::string read_source_file(const std::string& rel) {
  std::ifstream in(std::string(TCPTUNE_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const core::Catalogue& shipped_catalogue() {
  static const core::Catalogue cat = [] {
    auto c = core::load_catalogue(read_source_file("rules/catalogue.toml"), "rules/catalogue.toml");
    if (!c) ADD_FAILURE() << c.error().render();
    return c ? *c : core::Catalogue{};
  }();
  return cat;
}

inline core::Snapshot netns_snapshot_618() {
  core::Snapshot s;
  s.kernel_release = "6.18.44-fc-v657";
  const std::pair<const char*, const char*> values[] = {
      {"net.ipv4.tcp_fin_timeout", "60"},          {"net.ipv4.tcp_keepalive_time", "7200"},
      {"net.ipv4.tcp_keepalive_intvl", "75"},      {"net.ipv4.tcp_keepalive_probes", "9"},
      {"net.ipv4.tcp_tw_reuse", "2"},              {"net.ipv4.tcp_tw_reuse_delay", "1000"},
      {"net.ipv4.tcp_max_tw_buckets", "131072"},   {"net.ipv4.tcp_timestamps", "1"},
      {"net.ipv4.ip_local_port_range", "32768\t60999"}, {"net.ipv4.tcp_retries2", "15"},
      {"net.ipv4.tcp_syn_retries", "6"},           {"net.ipv4.tcp_syncookies", "1"},
      {"net.core.somaxconn", "4096"},              {"net.ipv4.tcp_slow_start_after_idle", "1"},
      {"net.ipv4.tcp_congestion_control", "bbr"},  {"net.ipv4.tcp_ehash_entries", "-262144"},
      {"net.ipv4.tcp_syn_linear_timeouts", "4"},   {"net.ipv4.tcp_synack_retries", "5"},
  };
  for (const auto& [k, v] : values) s.sysctls[k] = core::SysctlReading::of(v);
  s.sysctls["net.ipv4.tcp_tw_recycle"] = core::SysctlReading::absent();
  s.sysctls["net.ipv4.tcp_max_orphans"] = core::SysctlReading::absent();
  return s;
}

}  // namespace tcptune::test

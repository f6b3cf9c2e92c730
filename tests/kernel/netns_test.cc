// Namespace scope of the catalogue's keys on the running kernel (rules/netns.toml,
// rules/catalogue.toml `scope`, TT-CONF-009).
#include <sys/utsname.h>
#include <unistd.h>

#include <sched.h>

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/catalogue_loader.h"
#include "core/kernel_version.h"
#include "kernel_experiment.h"
#include "platform/fs_util.h"

namespace tcptune::kernel_test {
namespace {

std::string proc_path(const std::string& key) {
  std::string p = key;
  for (char& ch : p) {
    if (ch == '.') ch = '/';
  }
  return "/proc/sys/" + p;
}

std::optional<core::Catalogue> shipped_catalogue() {
  auto text = platform::read_file(std::string(TCPTUNE_SOURCE_DIR) + "/rules/catalogue.toml");
  if (!text) return std::nullopt;
  auto cat = core::load_catalogue(*text, "rules/catalogue.toml");
  if (!cat) return std::nullopt;
  return std::move(*cat);
}

std::optional<core::KernelVersion> running_kernel() {
  utsname u{};
  ::uname(&u);
  return core::parse_kernel_version(u.release);
}

// A new namespace starts from the compiled-in defaults, not from its creator's values.
TEST(KernelNetns, NewNamespaceStartsFromCompiledDefaults) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/ipv4/tcp_keepalive_time", "100") + set_sysctl("net/ipv4/tcp_fin_timeout", "5");
    if (::unshare(CLONE_NEWNET) != 0) return out + "nested unshare(CLONE_NEWNET) failed\n";
    if (read_sysctl("net/ipv4/tcp_keepalive_time") != "7200") out += "tcp_keepalive_time is not 7200 in the new namespace\n";
    if (read_sysctl("net/ipv4/tcp_fin_timeout") != "60") out += "tcp_fin_timeout is not 60 in the new namespace\n";
    return out;
  });
}

// Every catalogue key under net. with scope "netns" exists in a fresh namespace, and every one
// with scope "global" is absent there (keys of modules that are not loaded, and keys the running
// kernel does not have, are left out).
TEST(KernelNetns, CatalogueScopeMatchesTheRunningKernel) {
  const auto cat = shipped_catalogue();
  ASSERT_TRUE(cat);
  const auto running = running_kernel();
  ASSERT_TRUE(running);
  TCPTUNE_KERNEL_EXPERIMENT([&] {
    std::string out;
    for (const auto& [key, e] : cat->entries) {
      if (key.rfind("net.", 0) != 0 || !e.module.empty() || !e.exists_on(*running)) continue;
      const bool present = ::access(proc_path(key).c_str(), F_OK) == 0;
      if (e.scope != "global" && !present) out += fmt::format("{} (scope {}) is absent in a new namespace\n", key, e.scope);
      if (e.scope == "global" && present) out += fmt::format("{} (scope global) exists in a new namespace\n", key);
    }
    return out;
  });
}

// The catalogue's fixed compiled-in default of every per-namespace net.* key is what a fresh
// namespace of the running kernel shows (the keys a new namespace copies from the initial one --
// tcp_rmem, tcp_wmem, the congestion control -- and memory-derived defaults are left out).
TEST(KernelNetns, CatalogueDefaultsMatchAFreshNamespace) {
  const auto cat = shipped_catalogue();
  ASSERT_TRUE(cat);
  const auto running = running_kernel();
  ASSERT_TRUE(running);
  TCPTUNE_KERNEL_EXPERIMENT([&] {
    std::string out;
    for (const auto& [key, e] : cat->entries) {
      if (key.rfind("net.", 0) != 0 || e.scope != "netns" || !e.module.empty() || !e.exists_on(*running)) continue;
      if (key == "net.ipv4.tcp_rmem" || key == "net.ipv4.tcp_wmem" || key == "net.ipv4.tcp_congestion_control") continue;
      const auto def = e.default_on(*running);
      if (!def) continue;
      std::string live = read_sysctl(proc_path(key).substr(std::string("/proc/sys/").size()));
      std::replace(live.begin(), live.end(), '\t', ' ');
      if (live != *def) out += fmt::format("{}: a fresh namespace shows '{}', the catalogue says '{}'\n", key, live, *def);
    }
    return out;
  });
}

}  // namespace
}  // namespace tcptune::kernel_test

// Namespace scope of the catalogue's keys on the running kernel (rules/netns.toml,
// rules/catalogue.toml `scope`, TT-CONF-009).
#include <sys/utsname.h>
#include <unistd.h>

#include <sched.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <vector>

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

// The catalogue's net.* entries that the running kernel has (keys of kernel modules left out);
// nullopt when the catalogue or the kernel release cannot be read.
struct RunningEntries {
  core::KernelVersion kernel;
  std::vector<core::CatalogueEntry> entries;
};

std::optional<RunningEntries> running_net_entries() {
  auto text = platform::read_file(std::string(TCPTUNE_SOURCE_DIR) + "/rules/catalogue.toml");
  if (!text) return std::nullopt;
  auto cat = core::load_catalogue(*text, "rules/catalogue.toml");
  utsname u{};
  ::uname(&u);
  const auto running = core::parse_kernel_version(u.release);
  if (!cat || !running) return std::nullopt;
  RunningEntries out{*running, {}};
  for (const auto& [key, e] : cat->entries) {
    if (key.rfind("net.", 0) == 0 && e.module.empty() && e.exists_on(*running)) out.entries.push_back(e);
  }
  return out;
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

// An experiment that runs `check` on each entry in one fresh namespace and reports what the
// checks returned.
using EntryCheck = std::function<std::string(const core::CatalogueEntry&, const core::KernelVersion&)>;
std::function<std::string()> over_entries(const RunningEntries& r, EntryCheck check) {
  return [&r, check = std::move(check)] {
    std::string out;
    for (const auto& e : r.entries) out += check(e, r.kernel);
    return out;
  };
}

// Every catalogue key under net. with scope "netns" exists in a fresh namespace, and every one
// with scope "global" is absent there (keys of modules that are not loaded, and keys the running
// kernel does not have, are left out).
TEST(KernelNetns, CatalogueScopeMatchesTheRunningKernel) {
  const auto entries = running_net_entries();
  ASSERT_TRUE(entries) << "cannot load rules/catalogue.toml or read the kernel release";
  TCPTUNE_KERNEL_EXPERIMENT(over_entries(*entries, [](const core::CatalogueEntry& e, const core::KernelVersion&) {
    const bool present = ::access(proc_path(e.key).c_str(), F_OK) == 0;
    if (e.scope != "global" && !present) return fmt::format("{} (scope {}) is absent in a new namespace\n", e.key, e.scope);
    if (e.scope == "global" && present) return fmt::format("{} (scope global) exists in a new namespace\n", e.key);
    return std::string();
  }));
}

// The catalogue's fixed compiled-in default of every per-namespace net.* key is what a fresh
// namespace of the running kernel shows (the keys a new namespace copies from the initial one --
// tcp_rmem, tcp_wmem, the congestion control -- and memory-derived defaults are left out).
TEST(KernelNetns, CatalogueDefaultsMatchAFreshNamespace) {
  const auto entries = running_net_entries();
  ASSERT_TRUE(entries) << "cannot load rules/catalogue.toml or read the kernel release";
  TCPTUNE_KERNEL_EXPERIMENT(over_entries(*entries, [](const core::CatalogueEntry& e, const core::KernelVersion& kernel) {
    static const std::set<std::string> kCopied = {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
                                                  "net.ipv4.tcp_congestion_control"};
    const auto def = e.default_on(kernel);
    if (e.scope != "netns" || kCopied.count(e.key) || !def) return std::string();
    std::string live = read_sysctl(proc_path(e.key).substr(std::string("/proc/sys/").size()));
    std::replace(live.begin(), live.end(), '\t', ' ');
    if (live == *def) return std::string();
    return fmt::format("{}: a fresh namespace shows '{}', the catalogue says '{}'\n", e.key, live, *def);
  }));
}

}  // namespace
}  // namespace tcptune::kernel_test

#include "platform/collect.h"

#include <algorithm>
#include <iterator>
#include <cerrno>
#include <cstring>
#include <glob.h>
#include <set>
#include <unistd.h>

#include <fmt/format.h>

#include "core/sysctl_key.h"
#include "platform/config_dirs.h"
#include "platform/counters.h"
#include "platform/sock_diag.h"
#include "platform/fs_util.h"
#include "platform/sysctl_store.h"

namespace tcptune::platform {
namespace {

std::string trim_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

void read_kernel_release(core::Snapshot& s) {
  const std::string path = join_root(s.root, "proc/sys/kernel/osrelease");
  auto text = read_file(path, 4096);
  if (!text) {
    s.gaps.push_back({"kernel release", fmt::format("{}: {}", path, std::strerror(text.error().err))});
    return;
  }
  std::string release = trim_newline(*text);
  if (release.empty()) {  // a truncated or hostile tree: say so rather than report "kernel ()"
    s.gaps.push_back({"kernel release", fmt::format("{}: empty", path)});
    return;
  }
  s.kernel_release = std::move(release);
}

void read_netns(core::Snapshot& s) {
  const std::string path = join_root(s.root, "proc/self/ns/net");
  char buf[64];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n < 0) {
    s.gaps.push_back({"network namespace", fmt::format("{}: {}", path, std::strerror(errno))});
    return;
  }
  const std::string link(buf, static_cast<size_t>(n));  // "net:[4026531840]"
  unsigned long long inode = 0;
  if (std::sscanf(link.c_str(), "net:[%llu]", &inode) == 1) {
    s.netns.inode = inode;
  } else {
    s.gaps.push_back({"network namespace", fmt::format("{}: unexpected link text '{}'", path, link)});
  }
}

void read_modules(core::Snapshot& s) {
  const std::string path = join_root(s.root, "proc/modules");
  auto text = read_file(path, 4u << 20);
  if (!text) {
    s.gaps.push_back({"loaded kernel modules", fmt::format("{}: {}", path, std::strerror(text.error().err))});
    return;
  }
  s.modules_known = true;
  size_t i = 0;
  const std::string& t = *text;
  while (i < t.size()) {
    const size_t eol = std::min(t.find('\n', i), t.size());
    const size_t sp = std::min(t.find(' ', i), eol);
    if (sp > i) s.modules.emplace_back(t, i, sp - i);
    i = eol + 1;
  }
  std::sort(s.modules.begin(), s.modules.end());
}

// The census of the live kernel comes from sock_diag; a copied tree (--root) can only offer its
// saved /proc/net/tcp{,6}, never the sockets of the machine tcptune happens to run on.
void take_evidence(core::Snapshot& s, const CollectOptions& opts) {
  // Counters first: with --interval the two samples bracket the wait, and the census that
  // follows describes the sockets at the end of it.
  auto counters = opts.interval_ms > 0 ? read_counters_with_rates(s.root, opts.interval_ms) : read_counters(s.root);
  if (counters) {
    s.counters = std::move(*counters);
  } else {
    s.gaps.push_back({"TCP counters", counters.error().summary()});
  }
  CensusOptions co;
  co.root = s.root;
  co.by_port = true;
  co.by_remote = true;
  co.by_process = opts.processes;
  co.top_n = opts.top_n;
  if (s.root != "/") co.source = CensusSourceChoice::kProcNetTcp;
  auto census = take_census(co);
  if (census) {
    s.census = std::move(*census);
  } else {
    s.gaps.push_back({"socket census", census.error().summary()});
  }
}

}  // namespace

std::vector<std::string> expand_sysctl_glob(const std::string& root, const std::string& pattern) {
  const std::string base = join_root(root, "proc/sys");
  std::vector<std::string> keys;
  const std::string rel = core::key_to_proc_path(pattern);
  if (!is_contained_path(rel)) return keys;  // "../*" would list directories outside /proc/sys
  const std::string pat = base + "/" + rel;
  glob_t g{};
  if (::glob(pat.c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      std::string_view p = g.gl_pathv[i];
      if (p.size() > base.size() + 1) keys.push_back(core::proc_path_to_key(p.substr(base.size() + 1)));
    }
  }
  ::globfree(&g);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Everything of a snapshot but its evidence (kernel, namespace, modules, configuration, sysctls).
static core::Snapshot collect_system(const CollectOptions& opts) {
  core::Snapshot s;
  s.tool_version = TCPTUNE_VERSION;
  s.root = opts.root;
  read_kernel_release(s);
  read_netns(s);
  read_modules(s);
  s.config = ConfigDirs(opts.root).load();

  // Read every key the engine may look at: the requested set plus every configured key, with
  // glob assignments expanded against what this kernel has.
  std::set<std::string> keys(opts.keys.begin(), opts.keys.end());
  for (const auto& a : s.config.assignments) {
    if (!a.glob) {
      keys.insert(a.key);
    } else {
      for (auto& k : expand_sysctl_glob(opts.root, a.key)) keys.insert(std::move(k));
    }
  }
  ProcSysctl store(opts.root);
  for (const auto& k : keys) {
    auto r = store.read(k);
    if (r.state == core::SysctlReading::State::kUnreadable) {
      s.gaps.push_back({fmt::format("sysctl {}", k), std::strerror(r.err)});
    }
    s.sysctls.emplace(k, std::move(r));
  }
  return s;
}

core::Snapshot collect_snapshot(const CollectOptions& opts) {
  core::Snapshot s = collect_system(opts);
  if (opts.census) take_evidence(s, opts);
  return s;
}

core::Snapshot collect_evidence(const CollectOptions& opts) {
  core::Snapshot s;
  s.root = opts.root;
  take_evidence(s, opts);
  return s;
}

core::Snapshot collect_snapshot(const CollectOptions& opts, core::Snapshot evidence) {
  core::Snapshot s = collect_system(opts);
  s.counters = std::move(evidence.counters);
  s.census = std::move(evidence.census);
  s.gaps.insert(s.gaps.end(), std::make_move_iterator(evidence.gaps.begin()),
                std::make_move_iterator(evidence.gaps.end()));
  return s;
}

}  // namespace tcptune::platform

// Finding network namespaces: /run/netns bind mounts (iproute2 `ip netns add`) and the ns/net
// link of every process, deduplicated by the nsfs inode (what readlink shows as net:[INODE]).
#include <dirent.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "platform/fs_util.h"
#include "platform/netns.h"

namespace tcptune::platform {
namespace {

// statfs(2) f_type of nsfs (include/uapi/linux/magic.h NSFS_MAGIC); a /run/netns entry that is
// not a mounted namespace (left over after a failed `ip netns add`) is a plain tmpfs file.
constexpr long kNsfsMagic = 0x6e736673;

std::optional<uint64_t> ns_inode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

std::string first_line(std::string s) {
  const size_t nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

std::vector<std::string> dir_entries(const std::string& path) {
  std::vector<std::string> names;
  DIR* d = ::opendir(path.c_str());
  if (!d) return names;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') names.emplace_back(e->d_name);
  }
  ::closedir(d);
  return names;
}

bool is_pid(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

core::Result<std::vector<core::NetnsInfo>> discover_netns(const std::string& root) {
  const std::string self = join_root(root, "proc/self/ns/net");
  const auto host_inode = ns_inode(self);
  if (!host_inode) return core::make_error(self, "cannot identify this network namespace", errno);
  std::map<uint64_t, core::NetnsInfo> by_inode;
  auto entry = [&](uint64_t ino) -> core::NetnsInfo& {
    auto& ns = by_inode[ino];
    ns.inode = ino;
    return ns;
  };
  entry(*host_inode).is_host = true;
  entry(*host_inode).open_path = self;

  const std::string run = join_root(root, "run/netns");
  for (const auto& name : dir_entries(run)) {
    const std::string path = run + "/" + name;
    struct statfs sf {};
    if (::statfs(path.c_str(), &sf) != 0 || sf.f_type != kNsfsMagic) continue;
    const auto ino = ns_inode(path);
    if (!ino) continue;
    auto& ns = entry(*ino);
    ns.names.push_back(name);
    if (ns.open_path.empty() || ns.open_path == self) ns.open_path = ns.is_host ? self : path;
  }

  const std::string proc = join_root(root, "proc");
  std::vector<int32_t> pids;
  for (const auto& name : dir_entries(proc)) {
    if (is_pid(name)) pids.push_back(static_cast<int32_t>(std::stol(name)));
  }
  std::sort(pids.begin(), pids.end());
  for (const int32_t pid : pids) {
    const std::string dir = fmt::format("{}/{}", proc, pid);
    const auto ino = ns_inode(dir + "/ns/net");
    if (!ino) continue;  // exited, or a kernel thread we may not inspect
    core::NetnsProcess p;
    p.pid = pid;
    if (auto comm = read_file(dir + "/comm", 4096)) p.command = first_line(*comm);
    if (auto cg = read_file(dir + "/cgroup", 64u << 10)) p.container_id = core::container_id_from_cgroup(*cg);
    auto& ns = entry(*ino);
    if (ns.open_path.empty()) ns.open_path = dir + "/ns/net";
    ns.processes.push_back(std::move(p));
  }

  std::vector<core::NetnsInfo> out;
  out.push_back(std::move(by_inode[*host_inode]));
  for (auto& [ino, ns] : by_inode) {
    if (ino == *host_inode) continue;
    std::sort(ns.names.begin(), ns.names.end());
    out.push_back(std::move(ns));
  }
  return out;
}

core::Result<core::NetnsInfo> netns_by_name(const std::string& root, const std::string& name) {
  const std::string path = join_root(root, "run/netns/" + name);
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    return core::make_error("--netns", fmt::format("'{}' is not a namespace name", name));
  const auto ino = ns_inode(path);
  if (!ino)
    return core::make_error(path, "cannot open the named network namespace", errno, "list them with 'ip netns list'");
  auto all = discover_netns(root);
  if (!all) return all.error();
  for (auto& ns : *all) {
    if (ns.inode == *ino) return std::move(ns);
  }
  return core::make_error(path, "not a mounted network namespace", 0, "list them with 'ip netns list'");
}

core::Result<core::NetnsInfo> netns_by_pid(const std::string& root, int pid) {
  const std::string path = join_root(root, fmt::format("proc/{}/ns/net", pid));
  const auto ino = ns_inode(path);
  if (!ino) return core::make_error(path, "cannot read the process's network namespace", errno);
  auto all = discover_netns(root);
  if (!all) return all.error();
  for (auto& ns : *all) {
    if (ns.inode == *ino) {
      ns.open_path = ns.is_host ? ns.open_path : path;
      return std::move(ns);
    }
  }
  return core::make_error(path, "the process exited while namespaces were listed");
}

}  // namespace tcptune::platform

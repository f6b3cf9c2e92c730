#include "platform/proc_owner.h"

#include <cerrno>
#include <charconv>
#include <memory>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "platform/fs_util.h"

namespace tcptune::platform {

namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using Dir = std::unique_ptr<DIR, DirCloser>;

template <class T>
bool parse_num(std::string_view s, T* v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Socket fds read back as "socket:[INODE]" (fs/proc/fd.c, net/socket.c sockfs_dname()).
bool socket_inode(std::string_view link, uint32_t* inode) {
  constexpr std::string_view kPrefix = "socket:[";
  if (!link.starts_with(kPrefix) || !link.ends_with(']')) return false;
  return parse_num(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1), inode);
}

std::string command_of(const std::string& proc, std::string_view pid) {
  auto text = read_file(proc + "/" + std::string(pid) + "/comm", 4096);
  if (!text) return {};
  std::string c = std::move(*text);
  while (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

}  // namespace

core::Status walk_socket_fds(const std::string& root, const std::function<bool(int32_t, uint32_t)>& claim,
                             const std::function<void(int32_t, std::string)>& name, uint64_t* unreadable) {
  uint64_t skipped = 0;
  const std::string proc = join_root(root, "proc");
  Dir top(::opendir(proc.c_str()));
  if (!top) return core::make_error(proc, "cannot list processes", errno);
  while (dirent* e = ::readdir(top.get())) {
    int32_t pid = 0;
    if (!parse_num(std::string_view(e->d_name), &pid)) continue;
    const std::string fd_dir = proc + "/" + e->d_name + "/fd";
    Dir fds(::opendir(fd_dir.c_str()));
    if (!fds) {
      ++skipped;
      continue;
    }
    bool holder = false;
    while (dirent* f = ::readdir(fds.get())) {
      if (f->d_name[0] == '.') continue;
      char link[64];
      const ssize_t n = ::readlinkat(::dirfd(fds.get()), f->d_name, link, sizeof link);
      if (n <= 0 || static_cast<size_t>(n) >= sizeof link) continue;
      uint32_t inode = 0;
      if (!socket_inode(std::string_view(link, static_cast<size_t>(n)), &inode)) continue;
      holder = claim(pid, inode) || holder;
    }
    if (holder) name(pid, command_of(proc, e->d_name));
  }
  if (unreadable) *unreadable = skipped;
  return core::ok_status();
}

core::Result<std::unordered_map<uint32_t, core::InodeOwner>> find_socket_owners(
    const std::string& root, const std::unordered_set<uint32_t>& wanted, uint64_t* unreadable) {
  std::unordered_map<uint32_t, core::InodeOwner> owners;
  std::vector<uint32_t> mine;  // inodes the current process claimed
  auto claim = [&](int32_t pid, uint32_t inode) {
    if (!wanted.contains(inode) || owners.contains(inode)) return false;
    owners.emplace(inode, core::InodeOwner{pid, {}});
    mine.push_back(inode);
    return true;
  };
  auto name = [&](int32_t, std::string command) {
    for (uint32_t i : mine) owners[i].command = command;
    mine.clear();
  };
  if (auto st = walk_socket_fds(root, claim, name, unreadable); !st) return st.error();
  return owners;
}

}  // namespace tcptune::platform

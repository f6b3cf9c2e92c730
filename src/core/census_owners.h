// The process view (--by process, audit --processes): joins the sockets of one dump with the
// processes that hold them (found through /proc/<pid>/fd), in memory bounded per socket.
//
// Only sockets with an inode can be held by a process (TIME-WAIT and FIN-WAIT-2 minisocks,
// request sockets and orphans have inode 0) and only those are kept: 4 bytes each, grouped by
// state and by the high 16 bits of the inode, so that the join needs no hash table and no
// per-socket record of the walk (1M sockets of which 400k have an inode: about 1.6 MB). Past a
// budget the join runs in passes over slices of the inodes (set_partitions()).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/census.h"

namespace tcptune::core {

struct SocketInode {
  uint32_t inode = 0;
  uint8_t state = 0;
  uint16_t port = 0;  // local port
  bool operator==(const SocketInode&) const = default;
};

// The ports whose owners are named in one state: the busiest ones, ranked by whoever counted
// every socket per port (the aggregator's port columns, core/census_aggregate.h), and how many
// ports had a socket in that state.
struct NamedPorts {
  std::vector<uint16_t> ports;
  uint64_t distinct = 0;
};
struct OwnerPorts {
  NamedPorts close_wait, established;
};

class SocketOwnerIndex {
 public:
  // During the dump: a socket in `state` (kernel value) on local `port`. Sockets with inode 0
  // have no holder; they are counted as sockets without an owner. With partitions, only the
  // sockets of the current one (inode % parts) are kept.
  void add(uint32_t inode, uint8_t state, uint16_t port);

  // Memory bounded at any number of sockets: the sockets with an inode are joined in `parts`
  // passes (a dump and a walk each), the pass k keeping the inodes with inode % parts == k.
  // Set before the first add(); next_partition() after a pass's walk frees its entries and starts
  // the next one. Processes, owner lists and counts add up across passes.
  void set_partitions(uint32_t parts) { parts_ = parts == 0 ? 1 : parts; }
  void next_partition();
  uint32_t partitions() const { return parts_; }
  uint32_t partition() const { return part_; }

  // After the dump, before the first claim(): sorts each group and names the owners of the
  // CLOSE-WAIT and ESTABLISHED sockets on the given ports (at most `ports_per_state` each, the
  // busiest first). Every process is still counted in full. Needs no memory of its own for the
  // ranking: the counts per port are the aggregator's (this once took 256 KB at the peak).
  void seal(size_t ports_per_state, const OwnerPorts& named);

  // The walk: process `pid` holds a socket fd with `inode`. True when that is a dumped socket no
  // other process claimed before (a socket shared across fork() goes to the first holder found).
  bool claim(int32_t pid, uint32_t inode);
  // The command of a process that claimed sockets (/proc/<pid>/comm).
  void name(int32_t pid, std::string command);

  // Fills processes, sockets_without_owner, close_wait_owners, established_owners and
  // owners_port_limit (set when some port's owners were not kept).
  void finish(Census* c) const;

  uint64_t held_sockets() const { return held_; }  // sockets with an inode
  uint64_t without_inode() const { return no_inode_; }
  // Every kept socket, sorted by inode (tests and the fuzz target compare decoders with it).
  std::vector<SocketInode> list() const;

 private:
  // Sockets of one state whose inodes share the high 16 bits: (low 16 bits << 16 | port),
  // sorted after seal(); claimed: one bit per entry.
  struct Group {
    std::vector<uint32_t> entries;
    std::vector<uint64_t> claimed;
  };
  struct Tally {
    std::map<std::pair<uint16_t, int32_t>, uint64_t> by_port_pid;
    std::vector<uint64_t> named_ports;  // 65536 bits: ports whose owners are kept
    uint64_t distinct_ports = 0;
  };
  static void name_ports(const NamedPorts& named, Tally* t);
  std::vector<PortOwner> port_owners(const Tally& t) const;

  std::array<std::map<uint16_t, Group>, kStateSlots> groups_;  // [state slot][inode >> 16]
  Group* last_ = nullptr;  // the group of the previous add() (map nodes do not move)
  uint32_t last_key_ = 0;  // its state slot << 16 | inode >> 16
  uint64_t held_ = 0;
  uint64_t no_inode_ = 0;
  uint64_t claimed_ = 0;
  std::map<int32_t, ProcessSockets> processes_;
  Tally close_wait_, established_;
  uint32_t ports_per_state_ = 0;
  uint32_t parts_ = 1, part_ = 0;
  bool sealed_ = false;
};

}  // namespace tcptune::core

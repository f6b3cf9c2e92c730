#include "core/census_owners.h"

#include <algorithm>

namespace tcptune::core {

namespace {

constexpr size_t kCloseWait = static_cast<size_t>(TcpState::kCloseWait);
constexpr size_t kEstablished = static_cast<size_t>(TcpState::kEstablished);
constexpr size_t kSmallGroup = 4096;  // entries (16 KB) before a group reserves 65536

bool test_bit(const std::vector<uint64_t>& bits, size_t i) { return (bits[i / 64] >> (i % 64)) & 1u; }
void set_bit(std::vector<uint64_t>& bits, size_t i) { bits[i / 64] |= uint64_t{1} << (i % 64); }

}  // namespace

void SocketOwnerIndex::add(uint32_t inode, uint8_t state, uint16_t port) {
  if (inode == 0) {
    if (part_ == 0) ++no_inode_;  // every pass sees them; count them once
    return;
  }
  if (parts_ > 1 && inode % parts_ != part_) return;
  // Inodes handed out together share their high bits: the previous socket's group is the likely one.
  const size_t slot = state_slot(state);
  const uint32_t key = static_cast<uint32_t>(slot << 16) | (inode >> 16);
  if (last_ == nullptr || key != last_key_) {
    last_ = &groups_[slot][static_cast<uint16_t>(inode >> 16)];
    last_key_ = key;
  }
  std::vector<uint32_t>& e = last_->entries;
  // A group holds at most 65536 inodes (duplicates aside). Once it is clearly a busy one, its
  // whole capacity is reserved at once: a block that large is mapped by the allocator, and only
  // the pages written become resident, where doubling would copy it five more times and leave
  // the smaller blocks behind in the heap.
  if (e.size() == kSmallGroup) e.reserve(65536);
  e.push_back(((inode & 0xffffu) << 16) | port);
  ++held_;
}

void SocketOwnerIndex::next_partition() {
  for (auto& by_hi : groups_) by_hi.clear();  // the pass's entries and claimed bits are freed
  last_ = nullptr;
  sealed_ = false;
  ++part_;
}

void SocketOwnerIndex::name_ports(const NamedPorts& named, Tally* t) {
  t->named_ports.assign(65536 / 64, 0);
  for (uint16_t port : named.ports) set_bit(t->named_ports, port);
  t->distinct_ports = named.distinct;
}

void SocketOwnerIndex::seal(size_t ports_per_state, const OwnerPorts& named) {
  for (auto& by_hi : groups_) {
    for (auto& [hi, g] : by_hi) {
      std::sort(g.entries.begin(), g.entries.end());
      g.claimed.assign((g.entries.size() + 63) / 64, 0);
    }
  }
  ports_per_state_ = static_cast<uint32_t>(ports_per_state);
  name_ports(named.close_wait, &close_wait_);
  name_ports(named.established, &established_);
  sealed_ = true;
}

bool SocketOwnerIndex::claim(int32_t pid, uint32_t inode) {
  if (!sealed_ || inode == 0) return false;
  const auto hi = static_cast<uint16_t>(inode >> 16);
  const uint32_t low = (inode & 0xffffu) << 16;
  for (size_t slot = 0; slot < kStateSlots; ++slot) {
    auto git = groups_[slot].find(hi);
    if (git == groups_[slot].end()) continue;
    Group& g = git->second;
    // Entries of one inode are adjacent (a socket can be dumped twice when it moves between
    // hash buckets during the walk): take the first one not yet claimed.
    for (auto it = std::lower_bound(g.entries.begin(), g.entries.end(), low);
         it != g.entries.end() && (*it & 0xffff0000u) == low; ++it) {
      const auto i = static_cast<size_t>(it - g.entries.begin());
      if (test_bit(g.claimed, i)) continue;
      set_bit(g.claimed, i);
      ++claimed_;
      ProcessSockets& ps = processes_[pid];
      ps.pid = pid;
      ++ps.states.n[slot];
      const auto port = static_cast<uint16_t>(*it & 0xffffu);
      Tally* t = slot == kCloseWait ? &close_wait_ : slot == kEstablished ? &established_ : nullptr;
      if (t && test_bit(t->named_ports, port)) ++t->by_port_pid[{port, pid}];
      return true;
    }
  }
  return false;
}

void SocketOwnerIndex::name(int32_t pid, std::string command) {
  auto it = processes_.find(pid);
  if (it != processes_.end()) it->second.command = std::move(command);
}

std::vector<PortOwner> SocketOwnerIndex::port_owners(const Tally& t) const {
  std::vector<PortOwner> out;
  out.reserve(t.by_port_pid.size());
  for (const auto& [key, n] : t.by_port_pid) {
    auto p = processes_.find(key.second);
    out.push_back(PortOwner{key.first, key.second, p != processes_.end() ? p->second.command : std::string(), n});
  }
  std::stable_sort(out.begin(), out.end(), [](const PortOwner& a, const PortOwner& b) { return a.sockets > b.sockets; });
  return out;
}

void SocketOwnerIndex::finish(Census* c) const {
  std::vector<ProcessSockets> procs;
  procs.reserve(processes_.size());
  for (const auto& [pid, ps] : processes_) procs.push_back(ps);
  std::stable_sort(procs.begin(), procs.end(),
                   [](const ProcessSockets& a, const ProcessSockets& b) { return a.states.total() > b.states.total(); });
  c->processes = std::move(procs);
  c->sockets_without_owner = no_inode_ + (held_ - claimed_);
  c->close_wait_owners = port_owners(close_wait_);
  c->established_owners = port_owners(established_);
  const bool capped = close_wait_.distinct_ports > ports_per_state_ || established_.distinct_ports > ports_per_state_;
  c->owners_port_limit = capped ? ports_per_state_ : 0;
}

std::vector<SocketInode> SocketOwnerIndex::list() const {
  std::vector<SocketInode> out;
  for (size_t slot = 0; slot < kStateSlots; ++slot)
    for (const auto& [hi, g] : groups_[slot])
      for (uint32_t e : g.entries)
        out.push_back(SocketInode{(uint32_t{hi} << 16) | (e >> 16), static_cast<uint8_t>(slot), static_cast<uint16_t>(e & 0xffffu)});
  std::stable_sort(out.begin(), out.end(), [](const SocketInode& a, const SocketInode& b) { return a.inode < b.inode; });
  return out;
}

}  // namespace tcptune::core

// The remote view's tallies (sockets on an ephemeral local port, per remote address and port) in
// one open-addressing array: linear probing, a power-of-two capacity at most half full, keys and
// counts inline (32 bytes a slot: 64 KiB for 800 remotes, 4 MiB at the cap of 65536). A socket
// costs one hash and nearly always one slot read, where std::unordered_map took a modulo, a
// bucket and a node (the audit at 1M sockets, bench/RESULTS.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace tcptune::core {

struct RemoteKey {
  std::array<uint8_t, 16> addr{};  // network order; IPv4 in the first 4 bytes, the rest zero
  uint16_t port = 0;
  uint8_t family = 0;  // AF_INET or AF_INET6
};

// 32-bit counts: one remote cannot hold 2^32 of this host's sockets (each costs kernel memory).
struct RemoteTally {
  uint32_t established = 0, time_wait = 0, syn_sent = 0;
};

class RemoteTable {
 public:
  // The tally of `key`, added at zero when new; null when it is new and the table already holds
  // `cap` remotes (the caller says the view is partial).
  RemoteTally* find_or_add(const RemoteKey& key, size_t cap) {
    Packed p;
    std::memcpy(&p.lo, key.addr.data(), 8);
    std::memcpy(&p.hi, key.addr.data() + 8, 8);
    p.tag = tag(key.port, key.family);
    return find_or_add(p, cap);
  }
  // The same for a remote read off the wire: `addr` holds 4 bytes (AF_INET) or 16, network
  // order. The key is built in registers, not in a struct copied twice; the lookup of a known
  // remote, what nearly every socket does, is inlined into the caller's loop, adding one is not.
  [[gnu::always_inline]] RemoteTally* find_or_add(const uint8_t* addr, uint8_t family, uint16_t port, size_t cap) {
    Packed p;
    if (family == kAfInet4) {
      std::memcpy(&p.lo, addr, 4);  // the other 12 bytes stay zero, as in RemoteKey
    } else {
      std::memcpy(&p.lo, addr, 8);
      std::memcpy(&p.hi, addr + 8, 8);
    }
    p.tag = tag(port, family);
    return find_or_add(p, cap);
  }
  size_t size() const { return size_; }
  // Calls f(key, tally) for every remote, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.tag == 0) continue;
      RemoteKey k;
      std::memcpy(k.addr.data(), &s.lo, 8);
      std::memcpy(k.addr.data() + 8, &s.hi, 8);
      k.port = static_cast<uint16_t>(s.tag >> 8);
      k.family = static_cast<uint8_t>(s.tag);
      f(k, s.tally);
    }
  }

 private:
  static constexpr uint8_t kAfInet4 = 2;  // AF_INET
  // A remote as three words: the address's two halves, and its port and family with a top bit
  // that marks a slot used (a free slot's tag is 0).
  struct Packed {
    uint64_t lo = 0, hi = 0;
    uint32_t tag = 0;
  };
  struct Slot {  // the key's words unpadded, then its tally: two slots to a cache line
    uint64_t lo = 0, hi = 0;
    uint32_t tag = 0;
    RemoteTally tally;
    Packed key() const { return Packed{lo, hi, tag}; }
  };
  static_assert(sizeof(Slot) == 32);
  static constexpr size_t kInitialSlots = 64;
  static uint32_t tag(uint16_t port, uint8_t family) { return 1u << 31 | uint32_t{port} << 8 | family; }
  static bool same(const Slot& a, const Packed& b) {
    return ((a.lo ^ b.lo) | (a.hi ^ b.hi) | (a.tag ^ b.tag)) == 0;
  }
  size_t mask() const { return slots_.size() - 1; }
  // Two 64-bit multiply-xorshift rounds over the key's words (the byte-wise FNV-1a before them
  // was a tenth of the audit's user time at 1M sockets); the last shift brings the high bits
  // down to the ones the mask keeps.
  static size_t hash(const Packed& k) {
    uint64_t h = (k.lo ^ k.tag) * 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 29) ^ k.hi) * 0xbf58476d1ce4e5b9ull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
  [[gnu::always_inline]] RemoteTally* find_or_add(const Packed& key, size_t cap) {
    if (!slots_.empty()) {
      for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
        Slot& s = slots_[i];
        if (s.tag == 0) break;
        if (same(s, key)) return &s.tally;
      }
    }
    return add(key, cap);
  }
  // A remote not in the table: takes the first free slot of its probe sequence, growing first
  // when the table would pass half full (linear probing's runs are short there; the cap of
  // 65536 remotes still fits 131072 slots).
  [[gnu::noinline]] RemoteTally* add(const Packed& key, size_t cap) {
    if (size_ >= cap) return nullptr;
    if (slots_.empty()) slots_.resize(kInitialSlots);
    if ((size_ + 1) * 2 > slots_.size()) grow();
    Slot& s = slots_[free_slot(key)];
    s.lo = key.lo;
    s.hi = key.hi;
    s.tag = key.tag;
    ++size_;
    return &s.tally;
  }
  size_t free_slot(const Packed& key) const {
    size_t i = hash(key) & mask();
    while (slots_[i].tag != 0) i = (i + 1) & mask();
    return i;
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.tag != 0) slots_[free_slot(s.key())] = s;
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace tcptune::core

// The remote view's tallies (sockets on an ephemeral local port, per remote address and port) in
// one open-addressing array: linear probing, a power-of-two capacity at most 3/4 full, keys and
// counts inline (36 bytes a slot: 72 KiB for 800 remotes, 4.5 MiB at the cap of 65536). A socket
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
    if (slots_.empty()) slots_.resize(kInitialSlots);
    for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (s.used && same(s.key, key)) return &s.tally;
      if (s.used) continue;
      if (size_ >= cap) return nullptr;
      if ((size_ + 1) * 4 > slots_.size() * 3) {
        grow();
        return find_or_add(key, cap);
      }
      s.key = key;
      s.used = true;
      ++size_;
      return &s.tally;
    }
  }
  size_t size() const { return size_; }
  // Calls f(key, tally) for every remote, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.used) f(s.key, s.tally);
  }

 private:
  struct Slot {  // 36 bytes
    RemoteKey key;
    RemoteTally tally;
    bool used = false;
  };
  static constexpr size_t kInitialSlots = 64;
  // operator== compares the address byte by byte (a memcmp call); two words do it here.
  static bool same(const RemoteKey& a, const RemoteKey& b) {
    uint64_t x[2], y[2];
    std::memcpy(x, a.addr.data(), 16);
    std::memcpy(y, b.addr.data(), 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0 && a.port == b.port && a.family == b.family;
  }
  size_t mask() const { return slots_.size() - 1; }
  // Two 64-bit multiply-xorshift rounds over the key's words (the byte-wise FNV-1a before them
  // was a tenth of the audit's user time at 1M sockets); the last shift brings the high bits
  // down to the ones the mask keeps.
  static size_t hash(const RemoteKey& k) {
    uint64_t a, b;
    std::memcpy(&a, k.addr.data(), 8);
    std::memcpy(&b, k.addr.data() + 8, 8);
    uint64_t h = (a ^ (uint64_t{k.port} << 8 | k.family)) * 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 29) ^ b) * 0xbf58476d1ce4e5b9ull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (!s.used) continue;
      size_t i = hash(s.key) & mask();
      while (slots_[i].used) i = (i + 1) & mask();
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace tcptune::core

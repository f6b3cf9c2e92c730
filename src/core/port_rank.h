// Ranking ports by a count without a list of every port: the ports seen are a 65536-bit map,
// the busiest `keep` a min-heap (memory O(keep) however many ports are in use).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace tcptune::core {

// Calls f(port) for every set bit of a 65536-bit map, in port order.
template <class F>
void for_each_port(const uint64_t* bits, F&& f) {
  for (uint32_t w = 0; w < 65536 / 64; ++w)
    for (uint64_t b = bits[w]; b != 0; b &= b - 1) f(static_cast<uint16_t>(w * 64 + static_cast<uint32_t>(std::countr_zero(b))));
}

// Keeps the `keep` ports with the largest counts offered; ties go to the lower port.
class TopPorts {
 public:
  explicit TopPorts(size_t keep) : keep_(keep) { heap_.reserve(std::min<size_t>(keep, 65536)); }
  void offer(uint16_t port, uint32_t count) {
    if (keep_ == 0) return;
    // A larger key is more sockets, then the lower port.
    const uint64_t key = (uint64_t{count} << 16) | (65535u - port);
    if (heap_.size() < keep_) {
      heap_.push_back(key);
      std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    } else if (key > heap_.front()) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      heap_.back() = key;
      std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    }
  }
  // The ports kept, the busiest first.
  std::vector<uint16_t> ports() const {
    std::vector<uint64_t> keys = heap_;
    std::sort(keys.begin(), keys.end(), std::greater<>());
    std::vector<uint16_t> out;
    out.reserve(keys.size());
    for (uint64_t k : keys) out.push_back(static_cast<uint16_t>(65535u - (k & 0xffffu)));
    return out;
  }

 private:
  size_t keep_;
  std::vector<uint64_t> heap_;
};

}  // namespace tcptune::core

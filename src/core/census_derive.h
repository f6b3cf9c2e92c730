// State totals the census derives from namespace counters instead of asking the kernel for a
// message per socket: TIME-WAIT from /proc/net/sockstat "tw", ESTABLISHED from /proc/net/snmp
// Tcp CurrEstab. Pure: the platform layer reads the counters before and after the dump.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tcptune::core {

// One counter read before and one after the dump.
struct CounterPair {
  int64_t before = 0;
  int64_t after = 0;
  bool moved() const { return before != after; }
};

struct DeriveInputs {
  std::optional<CounterPair> sockstat_tw;  // when TIME-WAIT is derived
  std::optional<CounterPair> curr_estab;   // when ESTABLISHED is derived
  uint64_t fin_wait2_minisocks = 0;        // in the dump, before any filter
  uint64_t close_wait = 0;                 // in the dump, before any filter
};

struct Derived {
  std::optional<uint64_t> time_wait;
  std::optional<uint64_t> established;
  std::vector<std::string> notes;  // when a counter moved during the dump
};

// TIME-WAIT = tw(after) - FIN-WAIT-2 minisocks: sockstat "tw" counts every timewait minisock,
// TIME-WAIT and orphaned FIN-WAIT-2 (net/ipv4/tcp_minisocks.c tcp_time_wait()).
// ESTABLISHED = CurrEstab(after) - CLOSE-WAIT: since upstream a46d0ea5c942 ("tcp: count
// CLOSE-WAIT sockets for TCP_MIB_CURRESTAB", mainline 6.10) tcp_set_state() in net/ipv4/tcp.c
// counts ESTABLISHED and CLOSE-WAIT in TCP_MIB_CURRESTAB, per namespace.
// Exact when the counters did not move; otherwise a note says the counts are approximate.
// nullopt when a result would be negative (the counters cannot describe this dump).
std::optional<Derived> derive_totals(const DeriveInputs& in);

}  // namespace tcptune::core

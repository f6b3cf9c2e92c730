// NETLINK_SOCK_DIAG plumbing (the only file that includes libmnl). It sends one TCP inet_diag
// dump request and streams every reply datagram into the census aggregator
// (CensusAggregator::consume, which runs the pure decoder).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "core/census_aggregate.h"
#include "core/result.h"

namespace tcptune::platform {

struct TcpDumpRequest {
  uint32_t states = 0xfff;  // idiag_states bitmask (1 << state)
  // 0 = both families in one hash walk (the TCPDIAG_GETSOCK compat request, which the kernel
  // runs with sdiag_family = AF_UNSPEC); 2 or 10 = one family (SOCK_DIAG_BY_FAMILY, v2 request).
  uint8_t family = 0;
};

struct DumpOutcome {
  uint64_t sockets = 0;      // socket messages decoded
  bool interrupted = false;  // NLM_F_DUMP_INTR seen
};

// Runs one dump in the caller's network namespace. Errors keep errno (EPERM in a restricted
// container, ENOENT/EOPNOTSUPP without inet_diag, EPROTONOSUPPORT without sock_diag).
// Each reply datagram goes to `consume` (called once per datagram, not per socket), which
// decodes it (core::decode_inet_diag) and says when the dump is done.
using DatagramSink = std::function<core::Result<core::DecodeStep>(std::span<const uint8_t>, uint16_t msg_type)>;
core::Result<DumpOutcome> dump_tcp_sockets(const TcpDumpRequest& req, const DatagramSink& consume);

// The census path: every datagram into the aggregator.
inline core::Result<DumpOutcome> dump_tcp_sockets(const TcpDumpRequest& req, core::CensusAggregator& sink) {
  return dump_tcp_sockets(req, [&sink](std::span<const uint8_t> d, uint16_t type) { return sink.consume(d, type); });
}

}  // namespace tcptune::platform

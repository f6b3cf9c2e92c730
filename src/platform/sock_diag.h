// The live TCP socket census. NetlinkSockDiag asks the kernel through NETLINK_SOCK_DIAG;
// ProcNetTcp parses /proc/net/tcp{,6} where sock_diag is unavailable. Both stream each socket
// into core::CensusAggregator and never store per-socket records unless the process view is
// asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/census.h"
#include "core/result.h"

namespace tcptune::platform {

enum class CensusSourceChoice : uint8_t { kAuto, kSockDiag, kProcNetTcp };

struct CensusOptions {
  std::string root = "/";       // where proc/ is (sockstat, port range, fds, /proc/net/tcp)
  uint32_t state_mask = 0;      // count only these states (1 << value); 0 = all
  std::optional<uint16_t> port; // count only this local port
  bool by_port = false;
  bool by_remote = false;
  bool by_process = false;      // walks /proc/*/fd: costly
  // The process view keeps 4 bytes per socket with an inode until their holders are found; past
  // this many sockets in use (sockstat TCP + TCP6 "inuse", which bounds them) it joins them in
  // passes of at most about this many, each a dump and a walk of /proc/*/fd of its own, so that
  // its memory stays bounded at any number of sockets. 0: one pass whatever the number.
  size_t owner_pass_sockets = size_t{1} << 19;
  size_t top_n = 10;
  CensusSourceChoice source = CensusSourceChoice::kAuto;
  // Allow counting TIME-WAIT as sockstat "tw" minus the FIN-WAIT-2 minisocks in the dump, so the
  // kernel does not build a message per TIME-WAIT socket. Used only for state totals, only when
  // sockstat "tw" is stable across the dump (exact on a static population).
  bool derive_time_wait = true;
  // Likewise ESTABLISHED as Tcp CurrEstab (/proc/net/snmp) minus the CLOSE-WAIT sockets in the
  // dump, on kernels whose CurrEstab counts ESTABLISHED + CLOSE-WAIT (>= 6.10, see
  // core/census_derive.h). Same conditions and the same note when the counter moved.
  bool derive_established = true;
};

class SocketCensus {
 public:
  virtual ~SocketCensus() = default;
  virtual core::Result<core::Census> take(const CensusOptions& opts) = 0;
};

class NetlinkSockDiag final : public SocketCensus {
 public:
  core::Result<core::Census> take(const CensusOptions& opts) override;
};

class ProcNetTcp final : public SocketCensus {
 public:
  core::Result<core::Census> take(const CensusOptions& opts) override;
};

// The census the snapshot collector and `tcptune sockets` use: sock_diag first, falling back to
// /proc/net/tcp{,6} when sock_diag is unavailable (EPERM, no inet_diag), with a note saying so.
core::Result<core::Census> take_census(const CensusOptions& opts);

}  // namespace tcptune::platform

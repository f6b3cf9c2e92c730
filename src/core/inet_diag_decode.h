// Pure decoder of NETLINK_SOCK_DIAG inet_diag dump replies (no OS headers: the wire layout of
// nlmsghdr and inet_diag_msg is a stable kernel ABI, restated in inet_diag_decode_loop.h with its
// offsets, and checked against the uapi headers by static_asserts in platform/netlink.cc).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/result.h"

namespace tcptune::core {

// Address families as the kernel numbers them (include/linux/socket.h).
inline constexpr uint8_t kAfInet = 2;
inline constexpr uint8_t kAfInet6 = 10;

// The fields of one inet_diag_msg the census uses. Ports are in host order.
struct DiagSocket {
  uint8_t family = 0;  // kAfInet or kAfInet6
  uint8_t state = 0;   // raw kernel state value (see TcpState)
  uint8_t timer = 0;   // idiag_timer: 0 off, 1 retransmit, 2 keepalive, 3 timewait, 4 probe0
  uint16_t sport = 0;
  uint16_t dport = 0;
  std::array<uint8_t, 16> src{};  // network order; IPv4 uses the first 4 bytes
  std::array<uint8_t, 16> dst{};
  uint32_t inode = 0;  // 0 for minisocks, request sockets and orphaned sockets
  // idiag_rqueue/idiag_wqueue. On a LISTEN socket: current accept-queue length and its limit
  // (sk_ack_backlog / sk_max_ack_backlog, net/ipv4/tcp_diag.c tcp_diag_get_info()).
  uint32_t rqueue = 0;
  uint32_t wqueue = 0;
};

struct DecodeStep {
  bool done = false;         // NLMSG_DONE seen: the dump is complete
  bool interrupted = false;  // a message carried NLM_F_DUMP_INTR: tables changed mid-dump
  size_t sockets = 0;        // socket messages decoded from this datagram
};

// Receives each decoded socket as it is decoded (streaming: nothing is stored by the decoder).
class DiagSink {
 public:
  virtual ~DiagSink() = default;
  virtual void on_socket(const DiagSocket& s) = 0;
  // Decodes one datagram into this sink; what the netlink reader calls. The default is
  // decode_inet_diag (one virtual on_socket per socket); a sink on the hot path overrides it
  // with decode_inet_diag_loop on a type of its own (core/inet_diag_decode_loop.h), which is
  // called directly and may read each socket's fields in place (DiagWireView).
  virtual Result<DecodeStep> consume(std::span<const uint8_t> datagram, uint16_t msg_type);
};

// Decodes one datagram of a dump reply. `msg_type` is the type socket messages carry
// (SOCK_DIAG_BY_FAMILY = 20, or TCPDIAG_GETSOCK = 18 for the compat request).
// Errors: NLMSG_ERROR or a negative NLMSG_DONE status (errno kept), a truncated message or
// payload, an unexpected message type.
Result<DecodeStep> decode_inet_diag(std::span<const uint8_t> datagram, uint16_t msg_type,
                                    DiagSink& sink);

}  // namespace tcptune::core

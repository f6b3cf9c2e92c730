// Pure decoder of NETLINK_SOCK_DIAG inet_diag dump replies (no OS headers: the wire layout of
// nlmsghdr and inet_diag_msg is a stable kernel ABI, restated below with its offsets and checked
// against the uapi headers by static_asserts in platform/netlink.cc).
//
// One decoder, decode_inet_diag, a template over its sink: the sink is called directly (no
// virtual call per socket), with a DiagWireView that reads fields in place when the sink takes
// one (on_wire; CensusAggregator::consume, the netlink reader's path), else with a DiagSocket
// (on_socket; tests that collect sockets).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

}  // namespace tcptune::core

namespace tcptune::core::diag_wire {

// include/uapi/linux/netlink.h: struct nlmsghdr is {u32 len; u16 type; u16 flags; u32 seq;
// u32 pid} = 16 bytes, messages aligned to 4 (NLMSG_ALIGNTO).
inline constexpr size_t kNlHdr = 16;
inline constexpr uint16_t kNlmFDumpIntr = 0x10;
// Control message types (NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE).
inline constexpr uint16_t kNlmsgNoop = 1;
inline constexpr uint16_t kNlmsgError = 2;
inline constexpr uint16_t kNlmsgDone = 3;

// include/uapi/linux/inet_diag.h: struct inet_diag_msg (72 bytes): family, state, timer,
// retrans, then inet_diag_sockid {be16 sport; be16 dport; be32 src[4]; be32 dst[4]; u32 if;
// u32 cookie[2]} at offset 4, then expires, rqueue, wqueue, uid, inode (u32 each) from 52.
// platform/netlink.cc checks every number here against the uapi headers at compile time.
inline constexpr size_t kDiagMsg = 72;
inline constexpr size_t kOffSport = 4;
inline constexpr size_t kOffDport = 6;
inline constexpr size_t kOffSrc = 8;
inline constexpr size_t kOffDst = 24;
inline constexpr size_t kOffRqueue = 56;
inline constexpr size_t kOffWqueue = 60;
inline constexpr size_t kOffInode = 68;

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint16_t load_be16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | uint16_t{p[1]});
}

}  // namespace tcptune::core::diag_wire

namespace tcptune::core {

// One inet_diag_msg read in place: each field is decoded when asked for, so a sink that needs
// four fields does not pay for copying the 16-byte addresses. socket() decodes all of them.
class DiagWireView {
 public:
  explicit DiagWireView(const uint8_t* payload) : p_(payload) {}
  uint8_t family() const { return p_[0]; }
  uint8_t state() const { return p_[1]; }
  uint8_t timer() const { return p_[2]; }
  uint16_t sport() const { return diag_wire::load_be16(p_ + diag_wire::kOffSport); }
  uint16_t dport() const { return diag_wire::load_be16(p_ + diag_wire::kOffDport); }
  uint32_t inode() const { return diag_wire::load<uint32_t>(p_ + diag_wire::kOffInode); }
  uint32_t rqueue() const { return diag_wire::load<uint32_t>(p_ + diag_wire::kOffRqueue); }
  uint32_t wqueue() const { return diag_wire::load<uint32_t>(p_ + diag_wire::kOffWqueue); }
  const uint8_t* dst() const { return p_ + diag_wire::kOffDst; }  // 16 bytes, network order
  DiagSocket socket() const {
    DiagSocket s;
    s.family = family();
    s.state = state();
    s.timer = timer();
    s.sport = sport();
    s.dport = dport();
    std::memcpy(s.src.data(), p_ + diag_wire::kOffSrc, 16);
    std::memcpy(s.dst.data(), p_ + diag_wire::kOffDst, 16);
    s.inode = inode();
    s.rqueue = rqueue();
    s.wqueue = wqueue();
    return s;
  }

 private:
  const uint8_t* p_;
};

}  // namespace tcptune::core

namespace tcptune::core::diag_wire {

// Out of line (inet_diag_decode.cc), off the per-socket path.
Error error(const char* what);
// A message that is not a socket: NLMSG_DONE (returns true), NLMSG_ERROR 0 or NLMSG_NOOP
// (false), or an error (a failed dump, a truncated payload, an unexpected type).
Result<bool> control_message(uint16_t type, const uint8_t* payload, size_t plen);

}  // namespace tcptune::core::diag_wire

namespace tcptune::core {

// Decodes one datagram of a dump reply into `sink`, socket by socket as it goes (streaming:
// nothing is stored). `msg_type` is the type socket messages carry (SOCK_DIAG_BY_FAMILY = 20, or
// TCPDIAG_GETSOCK = 18 for the compat request). Errors: NLMSG_ERROR or a negative NLMSG_DONE
// status (errno kept), a truncated message or payload, an unexpected message type.
template <class Sink>
Result<DecodeStep> decode_inet_diag(std::span<const uint8_t> datagram, uint16_t msg_type, Sink& sink) {
  using namespace diag_wire;
  DecodeStep step;
  size_t off = 0;
  while (off < datagram.size()) {
    const size_t left = datagram.size() - off;
    const uint8_t* h = datagram.data() + off;
    if (left < kNlHdr) return diag_wire::error("truncated netlink header");
    const uint32_t len = load<uint32_t>(h);
    const uint16_t type = load<uint16_t>(h + 4);
    const uint16_t flags = load<uint16_t>(h + 6);
    if (len < kNlHdr || len > left) return diag_wire::error("truncated netlink message");
    if (flags & kNlmFDumpIntr) step.interrupted = true;
    const uint8_t* payload = h + kNlHdr;
    const size_t plen = len - kNlHdr;
    if (type == msg_type) {
      if (plen < kDiagMsg) return diag_wire::error("truncated inet_diag_msg");
      // A sink that reads fields in place takes the view; any other gets a DiagSocket.
      if constexpr (requires { sink.on_wire(DiagWireView(payload)); }) {
        sink.on_wire(DiagWireView(payload));
      } else {
        sink.on_socket(DiagWireView(payload).socket());
      }
      ++step.sockets;
    } else {
      auto done = control_message(type, payload, plen);
      if (!done) return done.error();
      if (*done) {
        step.done = true;
        return step;
      }
    }
    off += (size_t{len} + 3u) & ~size_t{3};
  }
  return step;
}

}  // namespace tcptune::core

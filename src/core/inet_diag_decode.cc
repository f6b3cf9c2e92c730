#include "core/inet_diag_decode.h"

#include <cstring>
#include <string>

namespace tcptune::core {

namespace {

// include/uapi/linux/netlink.h: struct nlmsghdr is {u32 len; u16 type; u16 flags; u32 seq;
// u32 pid} = 16 bytes, messages aligned to 4 (NLMSG_ALIGNTO).
constexpr size_t kNlHdr = 16;
constexpr uint16_t kNlmsgNoop = 1;
constexpr uint16_t kNlmsgError = 2;
constexpr uint16_t kNlmsgDone = 3;
constexpr uint16_t kNlmFDumpIntr = 0x10;

// include/uapi/linux/inet_diag.h: struct inet_diag_msg (72 bytes): family, state, timer,
// retrans, then inet_diag_sockid {be16 sport; be16 dport; be32 src[4]; be32 dst[4]; u32 if;
// u32 cookie[2]} at offset 4, then expires, rqueue, wqueue, uid, inode (u32 each) from 52.
constexpr size_t kDiagMsg = 72;
constexpr size_t kOffSport = 4;
constexpr size_t kOffDport = 6;
constexpr size_t kOffSrc = 8;
constexpr size_t kOffDst = 24;
constexpr size_t kOffRqueue = 56;
constexpr size_t kOffWqueue = 60;
constexpr size_t kOffInode = 68;

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint16_t load_be16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | uint16_t{p[1]});
}

Error wire_error(std::string what, int err = 0) {
  return make_error("sock_diag", std::move(what), err);
}

// The kernel reports failure as -errno, and errno values are 1..MAX_ERRNO (4095,
// include/linux/err.h). Any other status is a corrupt reply: it is shown raw, never negated
// (negating INT32_MIN overflows).
constexpr int32_t kMaxErrno = 4095;
Error status_error(std::string what, int32_t status) {
  if (status < 0 && status >= -kMaxErrno) return wire_error(std::move(what), -status);
  return wire_error(what + " (malformed status " + std::to_string(status) + ")");
}

}  // namespace

Result<DecodeStep> decode_inet_diag(std::span<const uint8_t> datagram, uint16_t msg_type,
                                    DiagSink& sink) {
  DecodeStep step;
  size_t off = 0;
  while (off < datagram.size()) {
    const size_t left = datagram.size() - off;
    const uint8_t* h = datagram.data() + off;
    if (left < kNlHdr) return wire_error("truncated netlink header");
    const uint32_t len = load<uint32_t>(h);
    const uint16_t type = load<uint16_t>(h + 4);
    const uint16_t flags = load<uint16_t>(h + 6);
    if (len < kNlHdr || len > left) return wire_error("truncated netlink message");
    if (flags & kNlmFDumpIntr) step.interrupted = true;
    const uint8_t* payload = h + kNlHdr;
    const size_t plen = len - kNlHdr;
    if (type == msg_type) {
      if (plen < kDiagMsg) return wire_error("truncated inet_diag_msg");
      DiagSocket s;
      s.family = payload[0];
      s.state = payload[1];
      s.timer = payload[2];
      s.sport = load_be16(payload + kOffSport);
      s.dport = load_be16(payload + kOffDport);
      std::memcpy(s.src.data(), payload + kOffSrc, 16);
      std::memcpy(s.dst.data(), payload + kOffDst, 16);
      s.inode = load<uint32_t>(payload + kOffInode);
      s.rqueue = load<uint32_t>(payload + kOffRqueue);
      s.wqueue = load<uint32_t>(payload + kOffWqueue);
      sink.on_socket(s);
      ++step.sockets;
    } else if (type == kNlmsgDone) {
      // A dump's DONE carries an int status; negative means the dump failed part-way
      // (netlink_dump_done() in net/netlink/af_netlink.c).
      if (plen >= sizeof(int32_t)) {
        const int32_t status = load<int32_t>(payload);
        if (status < 0) return status_error("dump failed", status);
      }
      step.done = true;
      return step;
    } else if (type == kNlmsgError) {
      if (plen < sizeof(int32_t)) return wire_error("truncated netlink error");
      const int32_t e = load<int32_t>(payload);
      if (e != 0) return status_error("dump request failed", e);
      // error 0 is an acknowledgement; nothing to count.
    } else if (type != kNlmsgNoop) {
      return wire_error("unexpected netlink message type " + std::to_string(type));
    }
    off += (size_t{len} + 3u) & ~size_t{3};
  }
  return step;
}

}  // namespace tcptune::core

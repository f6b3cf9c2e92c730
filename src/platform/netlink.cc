#include "platform/netlink.h"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <vector>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "core/census.h"
#include "core/inet_diag_decode.h"

namespace tcptune::platform {

// core may not include OS headers, so it restates the wire layout it decodes
// (core/inet_diag_decode.h) and the kernel's numbering of families and TCP states
// (core/inet_diag_decode.h, core/census.h). Each restated number is tied to the uapi and libc
// definitions here, so a drift fails the build instead of miscounting sockets.
namespace wire = core::diag_wire;
static_assert(sizeof(nlmsghdr) == wire::kNlHdr && NLMSG_HDRLEN == wire::kNlHdr);
static_assert(NLM_F_DUMP_INTR == wire::kNlmFDumpIntr);
static_assert(NLMSG_NOOP == wire::kNlmsgNoop && NLMSG_ERROR == wire::kNlmsgError &&
              NLMSG_DONE == wire::kNlmsgDone);
static_assert(offsetof(nlmsghdr, nlmsg_len) == 0 && sizeof(nlmsghdr::nlmsg_len) == 4);
static_assert(offsetof(nlmsghdr, nlmsg_type) == 4 && sizeof(nlmsghdr::nlmsg_type) == 2);
static_assert(offsetof(nlmsghdr, nlmsg_flags) == 6 && sizeof(nlmsghdr::nlmsg_flags) == 2);
static_assert(sizeof(inet_diag_msg) == wire::kDiagMsg);
static_assert(offsetof(inet_diag_msg, idiag_family) == 0 && offsetof(inet_diag_msg, idiag_state) == 1 &&
              offsetof(inet_diag_msg, idiag_timer) == 2);
static_assert(offsetof(inet_diag_msg, id.idiag_sport) == wire::kOffSport &&
              sizeof(inet_diag_sockid::idiag_sport) == 2);
static_assert(offsetof(inet_diag_msg, id.idiag_dport) == wire::kOffDport &&
              sizeof(inet_diag_sockid::idiag_dport) == 2);
static_assert(offsetof(inet_diag_msg, id.idiag_src) == wire::kOffSrc && sizeof(inet_diag_sockid::idiag_src) == 16);
static_assert(offsetof(inet_diag_msg, id.idiag_dst) == wire::kOffDst && sizeof(inet_diag_sockid::idiag_dst) == 16);
static_assert(offsetof(inet_diag_msg, idiag_rqueue) == wire::kOffRqueue && sizeof(inet_diag_msg::idiag_rqueue) == 4);
static_assert(offsetof(inet_diag_msg, idiag_wqueue) == wire::kOffWqueue && sizeof(inet_diag_msg::idiag_wqueue) == 4);
static_assert(offsetof(inet_diag_msg, idiag_inode) == wire::kOffInode && sizeof(inet_diag_msg::idiag_inode) == 4);
static_assert(AF_INET == core::kAfInet && AF_INET6 == core::kAfInet6);
static_assert(TCP_ESTABLISHED == static_cast<int>(core::TcpState::kEstablished) &&
              TCP_SYN_SENT == static_cast<int>(core::TcpState::kSynSent) &&
              TCP_SYN_RECV == static_cast<int>(core::TcpState::kSynRecv) &&
              TCP_FIN_WAIT1 == static_cast<int>(core::TcpState::kFinWait1) &&
              TCP_FIN_WAIT2 == static_cast<int>(core::TcpState::kFinWait2) &&
              TCP_TIME_WAIT == static_cast<int>(core::TcpState::kTimeWait) &&
              TCP_CLOSE == static_cast<int>(core::TcpState::kClose) &&
              TCP_CLOSE_WAIT == static_cast<int>(core::TcpState::kCloseWait) &&
              TCP_LAST_ACK == static_cast<int>(core::TcpState::kLastAck) &&
              TCP_LISTEN == static_cast<int>(core::TcpState::kListen) &&
              TCP_CLOSING == static_cast<int>(core::TcpState::kClosing));

namespace {

struct MnlCloser {
  void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
using MnlSocket = std::unique_ptr<mnl_socket, MnlCloser>;

// The kernel sizes dump skbs from the reader's buffer but caps them near 32 KiB
// (netlink_recvmsg(): max_recvmsg_len, net/netlink/af_netlink.c); 64 KiB leaves headroom for a
// larger min_dump_alloc, and MSG_TRUNC (checked by mnl_socket_recvfrom, ENOSPC) catches the rest.
constexpr size_t kRecvBuffer = 64 * 1024;

void put_request(nlmsghdr* nlh, const TcpDumpRequest& req) {
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = 1;
  if (req.family == 0) {
    // inet_diag_dump_compat() (net/ipv4/inet_diag.c) turns this old-style request into a v2
    // request with sdiag_family = AF_UNSPEC, and inet_diag_dump_icsk() then reports both
    // families from a single walk of the TCP hash tables.
    nlh->nlmsg_type = TCPDIAG_GETSOCK;
    auto* r = static_cast<inet_diag_req*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req)));
    r->idiag_states = req.states;
  } else {
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    auto* r = static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
    r->sdiag_family = req.family;
    r->sdiag_protocol = IPPROTO_TCP;
    r->idiag_states = req.states;
  }
}

}  // namespace

core::Result<DumpOutcome> dump_tcp_sockets(const TcpDumpRequest& req, const DatagramSink& consume) {
  MnlSocket nl(mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC));
  if (!nl) return core::make_error("sock_diag", "cannot open netlink socket", errno);
  if (mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    return core::make_error("sock_diag", "cannot bind netlink socket", errno);

  std::vector<uint8_t> buf(kRecvBuffer);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  put_request(nlh, req);
  const uint16_t reply_type = nlh->nlmsg_type;
  if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0)
    return core::make_error("sock_diag", "cannot send dump request", errno);

  DumpOutcome out;
  for (;;) {
    const ssize_t n = mnl_socket_recvfrom(nl.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::make_error("sock_diag", "cannot receive dump", errno);
    }
    if (n == 0) return core::make_error("sock_diag", "dump ended without NLMSG_DONE");
    auto step = consume(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)), reply_type);
    if (!step) return step.error();
    out.sockets += step->sockets;
    out.interrupted = out.interrupted || step->interrupted;
    if (step->done) return out;
  }
}

}  // namespace tcptune::platform

// Keepalive against CLOSE-WAIT, and what keepalive does when it gives up (rules/close_wait.toml,
// rules/keepalive.toml). Short per-socket timers (TCP_KEEPIDLE/TCP_KEEPINTVL) and a short
// tcp_fin_timeout in the namespace make each experiment last a few seconds.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/inet_diag_decode.h"
#include "kernel_experiment.h"
#include "platform/netlink.h"

namespace tcptune::kernel_test {
namespace {

void keepalive(int fd, int idle_s, int intvl_s, int count) {
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl_s, sizeof intvl_s);
  if (count > 0) ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

Pair pair_or_fail(std::string& error) {
  Pair p = connected_pair();
  error += p.error;
  return p;
}

// The server fully closes; the client leaks its socket in CLOSE-WAIT but has SO_KEEPALIVE. Once
// the server's orphaned FIN-WAIT-2 minisock has expired (tcp_fin_timeout = 1 here), the next
// probe finds no socket, draws a RST, and the client's socket goes to CLOSE (EPIPE): the port is
// freed although the application never called close().
TEST(KernelKeepalive, KeepaliveEndsCloseWaitWhenPeerFullyClosed) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/ipv4/tcp_fin_timeout", "1");
    const Pair p = pair_or_fail(out);
    if (!out.empty()) return out;
    keepalive(p.c, 2, 1, 3);
    ::close(p.s);
    if (!wait_state(p.c, TCP_CLOSE_WAIT, 1000)) return std::string("client did not reach CLOSE-WAIT\n");
    const auto before = counters();
    if (!wait_state(p.c, TCP_CLOSE, 6000)) return std::string("keepalive did not end the CLOSE-WAIT within 6 s\n");
    const int err = so_error(p.c);
    const auto after = counters();
    if (err != EPIPE) out += fmt::format("SO_ERROR is {}, expected EPIPE (reset in CLOSE-WAIT)\n", std::strerror(err));
    if (delta(before, after, "TcpExtTCPKeepAlive") < 1) out += "no keepalive probe was counted\n";
    return out;
  });
}

// The server only half-closes (shutdown(SHUT_WR)) and keeps its socket: it answers every probe,
// so the client's CLOSE-WAIT stays (and the server stays in FIN-WAIT-2, with no timer).
TEST(KernelKeepalive, KeepaliveKeepsCloseWaitWhenPeerHalfClosed) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/ipv4/tcp_fin_timeout", "1");
    const Pair p = pair_or_fail(out);
    if (!out.empty()) return out;
    keepalive(p.c, 1, 1, 2);
    ::shutdown(p.s, SHUT_WR);
    if (!wait_state(p.c, TCP_CLOSE_WAIT, 1000)) return std::string("client did not reach CLOSE-WAIT\n");
    const auto before = counters();
    sleep_ms(3500);
    const auto after = counters();
    if (tcp_state(p.c) != TCP_CLOSE_WAIT) out += "the client left CLOSE-WAIT\n";
    if (tcp_state(p.s) != TCP_FIN_WAIT2) out += "the half-closed server left FIN-WAIT-2\n";
    if (delta(before, after, "TcpExtTCPKeepAlive") < 2) out += "fewer than 2 keepalive probes were sent\n";
    if (delta(before, after, "TcpExtTCPAbortOnTimeout") != 0) out += "a connection was aborted\n";
    return out;
  });
}

// When keepalive gives up it sends a RST (the peer sees ECONNRESET) and the application gets
// ETIMEDOUT. With tcp_keepalive_probes = 0 that happens at the first expiry of the idle time,
// without a single probe, although the peer is alive.
TEST(KernelKeepalive, KeepaliveGivingUpSendsRst) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/ipv4/tcp_keepalive_probes", "0");
    const Pair p = pair_or_fail(out);
    if (!out.empty()) return out;
    keepalive(p.c, 1, 1, 0);  // probes from the sysctl
    const auto before = counters();
    if (!wait_state(p.c, TCP_CLOSE, 4000)) return std::string("the connection was not aborted within 4 s\n");
    const int err = so_error(p.c);
    sleep_ms(50);
    const auto after = counters();
    if (err != ETIMEDOUT) out += fmt::format("SO_ERROR is {}, expected ETIMEDOUT\n", std::strerror(err));
    if (delta(before, after, "TcpExtTCPKeepAlive") != 0) out += "a probe was sent\n";
    if (delta(before, after, "TcpExtTCPAbortOnTimeout") != 1) out += "TcpExtTCPAbortOnTimeout did not move by 1\n";
    if (delta(before, after, "TcpOutRsts") != 1) out += "TcpOutRsts did not move by 1\n";
    char buf[4];
    if (::recv(p.s, buf, sizeof buf, MSG_DONTWAIT) != -1 || errno != ECONNRESET) out += "the peer did not see ECONNRESET\n";
    return out;
  });
}

uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) < 0) return 0;
  return ntohs(a.sin_port);
}

// The idiag_timer sock_diag reports for the ESTABLISHED socket bound to local port `port` (the
// census's source, core::DiagSocket::timer); -1 when there is none, -2 when the dump failed.
int diag_timer(uint16_t port) {
  struct Sink {
    uint16_t port;
    int timer = -1;
    void on_socket(const core::DiagSocket& s) {
      if (s.sport == port && s.state == TCP_ESTABLISHED) timer = s.timer;
    }
  } sink{port};
  auto r = platform::dump_tcp_sockets(platform::TcpDumpRequest{1u << TCP_ESTABLISHED, 2},
                                      [&sink](std::span<const uint8_t> d, uint16_t type) {
                                        return core::decode_inet_diag(d, type, sink);
                                      });
  return r ? sink.timer : -2;
}

// What the keepalive view of the census counts (TT-KEEPALIVE-004): an idle ESTABLISHED socket
// without SO_KEEPALIVE shows no timer (0), one with SO_KEEPALIVE shows the keepalive timer (2),
// whatever the sysctls say; an accepted socket inherits SO_KEEPALIVE from its listener.
TEST(KernelKeepalive, DiagShowsKeepaliveTimerOnlyWithSoKeepalive) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out;
    uint16_t plain_port = 0, ka_port = 0;
    const int plain = listener(8, &plain_port);
    const int ka = listener(8, &ka_port);
    const int on = 1;
    if (plain < 0 || ka < 0 || ::setsockopt(ka, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0)
      return std::string("listeners could not be set up\n");
    const int c1 = connect_to(plain_port), s1 = accept_one(plain);
    const int c2 = connect_to(ka_port), s2 = accept_one(ka);
    if (c1 < 0 || s1 < 0 || c2 < 0 || s2 < 0) return std::string("connections could not be set up\n");
    if (::setsockopt(c1, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0) return std::string("SO_KEEPALIVE failed\n");
    sleep_ms(100);  // let the handshakes' last ACKs settle: no retransmission timer pending
    const struct {
      const char* what;
      int fd;
      int want;
    } cases[] = {{"accepted socket of a plain listener", s1, 0},
                 {"client socket with SO_KEEPALIVE", c1, 2},
                 {"accepted socket of a listener with SO_KEEPALIVE", s2, 2},
                 {"client socket without SO_KEEPALIVE", c2, 0}};
    for (const auto& k : cases) {
      const int t = diag_timer(local_port(k.fd));
      if (t != k.want) out += fmt::format("{}: idiag_timer {}, expected {}\n", k.what, t, k.want);
    }
    return out;
  });
}

}  // namespace
}  // namespace tcptune::kernel_test

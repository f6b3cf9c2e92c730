// Which resets the kernel sends, and which counter each one moves (rules/resets.toml).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kernel_experiment.h"

namespace tcptune::kernel_test {
namespace {

std::string expect_reset(int fd) {
  char buf[16];
  for (int i = 0; i < 50; ++i) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == ECONNRESET) return "";
    if (n < 0 && errno != EAGAIN) return fmt::format("recv failed with {}, expected ECONNRESET\n", std::strerror(errno));
    sleep_ms(20);
  }
  return "the peer never saw ECONNRESET\n";
}

// A socket in CLOSE-WAIT (it had the FIN) that receives a RST goes to CLOSE with EPIPE
// (tcp_input.c tcp_reset()).
std::string expect_reset_in_close_wait(int fd) {
  if (!wait_state(fd, TCP_CLOSE, 1000)) return "the peer did not leave CLOSE-WAIT\n";
  const int err = so_error(fd);
  return err == EPIPE ? "" : fmt::format("the peer's SO_ERROR is {}, expected EPIPE\n", std::strerror(err));
}

// The server closes; the client, in CLOSE-WAIT, then sends data to the server's orphaned
// FIN-WAIT-2 socket. Returns the counters' movement, or nullopt with `error` set.
std::optional<Movement> data_into_orphaned_fin_wait2(std::string& error) {
  Pair p = connected_pair();
  error += p.error;
  if (!error.empty()) return std::nullopt;
  ::close(p.s);
  if (!wait_state(p.c, TCP_CLOSE_WAIT, 1000)) {
    error += "client did not reach CLOSE-WAIT\n";
    return std::nullopt;
  }
  sleep_ms(50);
  Movement m([&] { ::send(p.c, "late", 4, 0); }, 100);
  error += expect_reset_in_close_wait(p.c);
  return m;
}

// Closes a server socket with TCP_LINGER2 = -1, after `half_close_first` a shutdown(SHUT_WR)
// that takes it to FIN-WAIT-2 first.
std::optional<Movement> close_with_negative_linger2(bool half_close_first, std::string& error) {
  Pair p = connected_pair();
  error += p.error;
  if (!error.empty()) return std::nullopt;
  const int minus_one = -1;
  ::setsockopt(p.s, IPPROTO_TCP, TCP_LINGER2, &minus_one, sizeof minus_one);
  if (half_close_first) {
    ::shutdown(p.s, SHUT_WR);
    if (!wait_state(p.s, TCP_FIN_WAIT2, 1000)) {
      error += "server did not reach FIN-WAIT-2\n";
      return std::nullopt;
    }
  }
  return Movement([&] { ::close(p.s); }, 400);  // the client's ACK of the FIN may be delayed
}

TEST(KernelResets, LingerZeroCountsAbortOnData) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    Pair p = connected_pair();
    if (!p.error.empty()) return p.error;
    const linger lg{1, 0};
    ::setsockopt(p.c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    const Movement m([&] { ::close(p.c); }, 100);
    return m.expect("TcpExtTCPAbortOnData", 1) + m.expect("TcpExtTCPAbortOnClose", 0) + m.expect("TcpOutRsts", 1) +
           expect_reset(p.s);
  });
}

TEST(KernelResets, CloseWithUnreadDataCountsAbortOnClose) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    Pair p = connected_pair();
    if (!p.error.empty()) return p.error;
    if (::send(p.c, "unread", 6, 0) != 6) return std::string("send failed\n");
    sleep_ms(50);
    const Movement m([&] { ::close(p.s); }, 100);  // without reading
    return m.expect("TcpExtTCPAbortOnClose", 1) + m.expect("TcpExtTCPAbortOnData", 0) + expect_reset(p.c);
  });
}

TEST(KernelResets, DataAfterShutdownWrDrawsNoRst) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    Pair p = connected_pair();
    if (!p.error.empty()) return p.error;
    ::shutdown(p.s, SHUT_WR);
    if (!wait_state(p.s, TCP_FIN_WAIT2, 1000)) return std::string("server did not reach FIN-WAIT-2\n");
    const Movement m([&] { ::send(p.c, "late", 4, 0); }, 100);
    char buf[8] = {};
    std::string out = m.expect("TcpOutRsts", 0) + m.expect("TcpExtTCPAbortOnData", 0);
    if (::recv(p.s, buf, sizeof buf, MSG_DONTWAIT) != 4) out += "the half-closed socket did not receive the data\n";
    if (tcp_state(p.s) != TCP_FIN_WAIT2) out += "the half-closed socket left FIN-WAIT-2\n";
    return out;
  });
}

// With tcp_fin_timeout <= 60 s an orphaned FIN-WAIT-2 socket is replaced by a timewait minisock;
// data reaching it is answered with a RST that no TCPAbortOn* counter sees.
TEST(KernelResets, DataIntoFinWait2MinisockMovesOnlyOutRsts) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out;
    const auto m = data_into_orphaned_fin_wait2(out);
    if (!m) return out;
    return out + m->expect("TcpOutRsts", 1) + m->expect("TcpExtTCPAbortOnData", 0) +
           m->expect("TcpExtTCPAbortOnClose", 0) + m->expect("TcpExtTCPAbortOnLinger", 0);
  });
}

// Above 60 s the full socket stays in FIN-WAIT-2; data reaching it counts TCPAbortOnData.
TEST(KernelResets, DataIntoFullFinWait2CountsAbortOnData) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/ipv4/tcp_fin_timeout", "120");
    const auto m = data_into_orphaned_fin_wait2(out);
    if (!m) return out;
    return out + m->expect("TcpExtTCPAbortOnData", 1) + m->expect("TcpOutRsts", 1);
  });
}

// TCP_LINGER2 < 0 on a socket closed while ESTABLISHED: the reset comes when the ACK of its FIN
// arrives (tcp_rcv_state_process(), case TCP_FIN_WAIT1) and is counted as TCPAbortOnData.
TEST(KernelResets, NegativeLinger2CountsAbortOnData) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out;
    const auto m = close_with_negative_linger2(false, out);
    if (!m) return out;
    return m->expect("TcpExtTCPAbortOnData", 1) + m->expect("TcpExtTCPAbortOnLinger", 0) + m->expect("TcpOutRsts", 1);
  });
}

// TCPAbortOnLinger needs close() of a socket already in FIN-WAIT-2 (tcp.c __tcp_close()).
TEST(KernelResets, NegativeLinger2CloseInFinWait2CountsAbortOnLinger) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out;
    const auto m = close_with_negative_linger2(true, out);
    if (!m) return out;
    return m->expect("TcpExtTCPAbortOnLinger", 1) + m->expect("TcpExtTCPAbortOnData", 0) + m->expect("TcpOutRsts", 1);
  });
}

// A write that cannot be delivered within TCP_USER_TIMEOUT fails with ETIMEDOUT and counts
// TCPAbortOnTimeout, and the kernel sends no RST (tcp_write_err()); OutRsts would count a RST even
// if it could not leave. Loopback is taken down, so the segment never leaves and the timer that
// gives up is the probe timer (tcp_probe_timer()); the retransmission timer ends in the same
// tcp_write_err() (tcp_write_timeout()), which this kernel offers no loss emulation to exercise.
TEST(KernelResets, UndeliverableWriteTimeoutSendsNoRst) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    Pair p = connected_pair();
    if (!p.error.empty()) return p.error;
    const unsigned timeout_ms = 500;
    ::setsockopt(p.c, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout_ms, sizeof timeout_ms);
    bool closed = false;
    const Movement m(
        [&] {
          if (!loopback(false)) return;
          ::send(p.c, "lost", 4, MSG_DONTWAIT);
          closed = wait_state(p.c, TCP_CLOSE, 4000);
        },
        0);
    const int err = so_error(p.c);
    std::string out;
    if (!closed) out += "the connection was not aborted within 4 s (or loopback could not be taken down)\n";
    if (err != ETIMEDOUT) out += fmt::format("SO_ERROR is {}, expected ETIMEDOUT\n", std::strerror(err));
    return out + m.expect("TcpExtTCPAbortOnTimeout", 1) + m.expect("TcpOutRsts", 0);
  });
}

// A connect() whose SYNs go unanswered (the listener's accept queue is full, so they are dropped)
// fails with ETIMEDOUT after TCP_SYNCNT retransmissions, through the retransmission timer's
// tcp_write_timeout() and tcp_write_err(): no RST is sent.
TEST(KernelResets, SynTimeoutSendsNoRst) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out;
    if (!read_sysctl("net/ipv4/tcp_syn_linear_timeouts").empty()) out += set_sysctl("net/ipv4/tcp_syn_linear_timeouts", "0");
    uint16_t port = 0;
    const int l = listener(0, &port);  // holds one connection
    if (l < 0 || connect_to(port) < 0) return out + "cannot fill the accept queue\n";
    const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int err = 0;
    const Movement m(
        [&] {
          if (::connect(c, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) err = errno;
        },
        0);
    if (err != ETIMEDOUT) out += fmt::format("connect failed with {}, expected ETIMEDOUT\n", std::strerror(err));
    return out + m.expect("TcpExtTCPAbortOnTimeout", 1) + m.expect("TcpOutRsts", 0) + m.expect("TcpAttemptFails", 1);
  });
}

}  // namespace
}  // namespace tcptune::kernel_test

// How long the kernel keeps trying before a connection attempt fails, as the latent-risk rules
// compute it (rules/latent.toml): a connect() whose SYNs are never answered.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kernel_experiment.h"

namespace tcptune::kernel_test {
namespace {

// Milliseconds a connect() to a listener whose accept queue is full (its SYNs are dropped)
// takes to fail with TCP_SYNCNT = `syncnt`; negative with `error` set when the setup failed.
int64_t unanswered_connect_ms(int syncnt, std::string& error) {
  uint16_t port = 0;
  const int l = listener(0, &port);  // holds one connection
  if (l < 0 || connect_to(port) < 0) {
    error = "cannot fill the accept queue\n";
    return -1;
  }
  const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ::setsockopt(c, IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof syncnt);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = ::connect(c, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  const int err = errno;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ::close(c);
  ::close(l);
  if (rc == 0 || err != ETIMEDOUT) {
    error = fmt::format("connect ended with {}, expected ETIMEDOUT\n", rc == 0 ? "success" : std::strerror(err));
    return -1;
  }
  return ms;
}

// Since 6.5 (commit ccce324dabfe) the first tcp_syn_linear_timeouts SYN retransmissions keep the
// initial 1 s timeout and are allowed on top of tcp_syn_retries, but tcp_write_timeout() also
// gives up once tcp_model_timeout(tcp_syn_retries, 1 s) has passed (retransmits_timed_out()):
// with 2 retries a connect() fails after 1 + 2 + 4 = 7 s without linear timeouts and after
// 1 + 1 + 1 + 2 + 4 = 9 s with 2 of them; with 1 retry and 2 linear timeouts the 3 s model ends
// it after 1 + 1 + 1 = 3 s (net/ipv4/tcp_timer.c). The rules' syn_timeout_ms follows this.
TEST(KernelLatent, SynLinearTimeoutsAddRetransmissions) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    if (read_sysctl("net/ipv4/tcp_syn_linear_timeouts").empty()) return std::string();  // before 6.5: nothing to show
    std::string out;
    const struct {
      const char* linear;
      int syncnt;
      int64_t want_ms;
    } cases[] = {{"0", 2, 7000}, {"2", 2, 9000}, {"2", 1, 3000}};
    for (const auto& c : cases) {
      out += set_sysctl("net/ipv4/tcp_syn_linear_timeouts", c.linear);
      std::string error;
      const int64_t ms = unanswered_connect_ms(c.syncnt, error);
      if (ms < 0) return out + error;
      if (ms < c.want_ms - 200 || ms > c.want_ms + 800) {
        out += fmt::format("TCP_SYNCNT {}, {} linear timeouts: {} ms, expected ~{}\n", c.syncnt, c.linear, ms, c.want_ms);
      }
    }
    return out;
  });
}

// The local port of a socket; 0 on failure.
uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  return ntohs(a.sin_port);
}

// errno of bind() to 0.0.0.0:port without SO_REUSEADDR (0 on success).
int bind_error(uint16_t port) {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  const int rc = ::bind(s, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  const int err = rc == 0 ? 0 : errno;
  ::close(s);
  return err;
}

// An outgoing connect() takes a port of ip_local_port_range that a service wants to listen on,
// and the service's bind() fails with EADDRINUSE; once the port is in ip_local_reserved_ports
// connect() no longer picks it (here: EADDRNOTAVAIL, no other port left) while an explicit
// bind() still gets it (net/ipv4/inet_hashtables.c __inet_hash_connect()).
TEST(KernelLatent, EphemeralPortBlocksListenerUnlessReserved) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    uint16_t port = 0;
    const int l = listener(8, &port);  // bound before the range is narrowed to one port
    if (l < 0) return std::string("no listener\n");
    std::string out = set_sysctl("net/ipv4/ip_local_port_range", "40000 40000");
    const int c = connect_to(port);
    if (c < 0) return out + "connect failed\n";
    if (local_port(c) != 40000) out += fmt::format("connect() took port {}, expected 40000\n", local_port(c));
    if (const int err = bind_error(40000); err != EADDRINUSE) {
      out += fmt::format("bind(40000) while a connection holds it: {}, expected EADDRINUSE\n", std::strerror(err));
    }
    const linger abort_now{1, 0};
    ::setsockopt(c, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    ::close(c);  // RST: the port is free at once
    out += set_sysctl("net/ipv4/ip_local_reserved_ports", "40000");
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int rc = ::connect(s, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    if (rc == 0 || errno != EADDRNOTAVAIL) {
      out += fmt::format("connect() with the only port reserved: {}, expected EADDRNOTAVAIL\n",
                         rc == 0 ? fmt::format("took port {}", local_port(s)) : std::strerror(errno));
    }
    ::close(s);
    if (const int err = bind_error(40000); err != 0) {
      out += fmt::format("explicit bind(40000) of a reserved port failed: {}\n", std::strerror(err));
    }
    ::close(l);
    return out;
  });
}

}  // namespace
}  // namespace tcptune::kernel_test

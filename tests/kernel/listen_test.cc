// Listen backlogs (rules/listen.toml).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kernel_experiment.h"

namespace tcptune::kernel_test {
namespace {

// For a listener TCP_INFO reports the accept queue in tcpi_unacked and its limit in tcpi_sacked.
tcp_info listener_info(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len);
  return info;
}

TEST(KernelListen, SomaxconnClampsBacklog) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/core/somaxconn", "8");
    uint16_t port = 0;
    const int big = listener(1000, &port);
    const int small = listener(4, &port);
    if (big < 0 || small < 0) return out + "listen failed\n";
    if (listener_info(big).tcpi_sacked != 8) out += fmt::format("backlog 1000 became {}, expected 8\n", listener_info(big).tcpi_sacked);
    if (listener_info(small).tcpi_sacked != 4) out += fmt::format("backlog 4 became {}, expected 4\n", listener_info(small).tcpi_sacked);
    return out;
  });
}

// somaxconn is read when listen() is called: raising it leaves a listening socket's backlog
// as it was until the application calls listen() again on it (a restart does), which takes the
// new value (net/socket.c __sys_listen(); net/ipv4/af_inet.c inet_listen() updates
// sk_max_ack_backlog on a socket already listening).
TEST(KernelListen, RaisedSomaxconnAppliesAtTheNextListen) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/core/somaxconn", "8");
    uint16_t port = 0;
    const int l = listener(1000, &port);
    if (l < 0) return out + "listen failed\n";
    out += set_sysctl("net/core/somaxconn", "64");
    if (listener_info(l).tcpi_sacked != 8)
      out += fmt::format("after raising somaxconn the backlog is {}, expected 8 still\n", listener_info(l).tcpi_sacked);
    if (::listen(l, 1000) != 0) return out + "second listen() failed\n";
    if (listener_info(l).tcpi_sacked != 64)
      out += fmt::format("after listen() again the backlog is {}, expected 64\n", listener_info(l).tcpi_sacked);
    return out;
  });
}

// The accept queue holds backlog + 1 connections (sk_acceptq_is_full() is "greater than"); SYNs
// beyond it are dropped and counted in ListenOverflows.
TEST(KernelListen, AcceptQueueHoldsBacklogPlusOne) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out;
    uint16_t port = 0;
    const int l = listener(2, &port);
    if (l < 0) return std::string("listen failed\n");
    const auto before = counters();
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 6; ++i) {
      const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      ::connect(c, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    }
    sleep_ms(200);
    const auto after = counters();
    const auto queued = listener_info(l).tcpi_unacked;
    if (queued != 3) out += fmt::format("{} connections queued, expected 3 (backlog 2 + 1)\n", queued);
    if (delta(before, after, "TcpExtListenOverflows") < 1) out += "TcpExtListenOverflows did not move\n";
    return out;
  });
}

}  // namespace
}  // namespace tcptune::kernel_test

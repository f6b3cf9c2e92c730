// Tcp CurrEstab (/proc/net/snmp, TCP_MIB_CURRESTAB, per namespace) counts ESTABLISHED and
// CLOSE-WAIT sockets: tcp_set_state() in net/ipv4/tcp.c increments it on entering ESTABLISHED
// (or CLOSE-WAIT straight from SYN-RECV) and decrements it only on leaving ESTABLISHED for a
// state other than CLOSE-WAIT, or on leaving CLOSE-WAIT (upstream a46d0ea5c942, mainline 6.10;
// before it, entering CLOSE-WAIT decremented the counter). The census derives ESTABLISHED from
// it (core/census_derive.h, src/platform/sock_diag.cc).
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kernel_experiment.h"

namespace tcptune::kernel_test {
namespace {

int64_t curr_estab() { return counters()["TcpCurrEstab"]; }

TEST(KernelCurrEstab, CountsEstablishedAndCloseWait) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out;
    if (curr_estab() != 0) return fmt::format("fresh namespace starts with CurrEstab {}\n", curr_estab());
    Pair a = connected_pair(), b = connected_pair();
    if (!a.error.empty() || !b.error.empty()) return a.error + b.error;
    // Two pairs: four ESTABLISHED sockets.
    if (curr_estab() != 4) out += fmt::format("4 ESTABLISHED: CurrEstab {}\n", curr_estab());
    // b's client half-closes: client FIN-WAIT-2 (leaves the count), server CLOSE-WAIT (stays).
    ::shutdown(b.c, SHUT_WR);
    if (!wait_state(b.s, TCP_CLOSE_WAIT, 1000)) return out + "server did not reach CLOSE-WAIT\n";
    sleep_ms(50);
    if (curr_estab() != 3) out += fmt::format("2 ESTABLISHED + 1 CLOSE-WAIT: CurrEstab {}, expected 3\n", curr_estab());
    // The CLOSE-WAIT server closes: LAST-ACK, then CLOSE; it leaves the count.
    ::close(b.s);
    sleep_ms(50);
    if (curr_estab() != 2) out += fmt::format("2 ESTABLISHED: CurrEstab {}, expected 2\n", curr_estab());
    ::close(b.c);
    ::close(a.c);
    ::close(a.s);
    sleep_ms(50);
    if (curr_estab() != 0) out += fmt::format("all closed: CurrEstab {}, expected 0\n", curr_estab());
    return out;
  });
}

}  // namespace
}  // namespace tcptune::kernel_test

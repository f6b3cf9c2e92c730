// TIME-WAIT: its length, the tcp_max_tw_buckets cap and tcp_tw_reuse (rules/close_wait.toml,
// rules/tw_buckets.toml, rules/ports.toml).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kernel_experiment.h"

namespace tcptune::kernel_test {
namespace {

// Opens a connection and closes it from the client first, so the client's side ends in
// TIME-WAIT. Returns "" or what failed.
std::string client_closes_first(uint16_t port, int l, int* errno_out = nullptr) {
  const int c = connect_to(port);
  if (c < 0) {
    if (errno_out) *errno_out = errno;
    return fmt::format("connect failed: {}\n", std::strerror(errno));
  }
  const int s = accept_one(l);
  if (s < 0) return "accept failed\n";
  ::close(c);
  if (!wait_state(s, TCP_CLOSE_WAIT, 1000)) return "server did not reach CLOSE-WAIT\n";
  ::close(s);
  sleep_ms(50);
  return "";
}

// Timer of every TIME-WAIT socket in /proc/net/tcp, in USER_HZ ticks (1/100 s).
std::vector<long> time_wait_timers() {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);
  std::vector<long> out;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, timer;
    f >> sl >> local >> remote >> st >> queues >> timer;
    if (st != "06") continue;
    const auto colon = timer.find(':');
    if (colon != std::string::npos) out.push_back(std::stol(timer.substr(colon + 1), nullptr, 16));
  }
  return out;
}

TEST(KernelTimeWait, FinTimeoutDoesNotChangeTimeWaitTimer) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/ipv4/tcp_fin_timeout", "3");
    uint16_t port = 0;
    const int l = listener(4, &port);
    out += client_closes_first(port, l);
    if (!out.empty()) return out;
    const auto timers = time_wait_timers();
    if (timers.size() != 1) return fmt::format("{} TIME-WAIT sockets, expected 1\n", timers.size());
    // 60 s (TCP_TIMEWAIT_LEN) less the few milliseconds spent here; far above 3 s.
    if (timers[0] < 5500) out += fmt::format("TIME-WAIT timer is {} s, expected about 60\n", timers[0] / 100);
    return out;
  });
}

// At the cap, closing sockets are destroyed instead of entering TIME-WAIT and only
// TcpExtTCPTimeWaitOverflow counts it.
TEST(KernelTimeWait, TimeWaitOverflowDestroysSocketsBeyondTheCap) {
  TCPTUNE_KERNEL_EXPERIMENT([] {
    std::string out = set_sysctl("net/ipv4/tcp_max_tw_buckets", "2");
    uint16_t port = 0;
    const int l = listener(8, &port);
    const auto before = counters();
    for (int i = 0; i < 5 && out.empty(); ++i) out += client_closes_first(port, l);
    const auto after = counters();
    if (!out.empty()) return out;
    const auto timers = time_wait_timers();
    if (timers.size() != 2) out += fmt::format("{} TIME-WAIT sockets, expected 2 (the cap)\n", timers.size());
    const int64_t overflow = delta(before, after, "TcpExtTCPTimeWaitOverflow");
    if (overflow != 3) out += fmt::format("TcpExtTCPTimeWaitOverflow moved by {}, expected 3\n", overflow);
    return out;
  });
}

// connect() may take over a TIME-WAIT 4-tuple with tcp_tw_reuse = 1 only when the old
// connection carried timestamps. One local port makes the reuse decision visible.
std::string reuse_with_timestamps(const char* timestamps, const char* port_range, bool want_reuse) {
  uint16_t port = 0;
  const int l = listener(4, &port);  // before narrowing the range, so it does not take the port
  std::string out = set_sysctl("net/ipv4/tcp_timestamps", timestamps) + set_sysctl("net/ipv4/tcp_tw_reuse", "1") +
                    set_sysctl("net/ipv4/ip_local_port_range", port_range);
  out += client_closes_first(port, l);
  if (!out.empty()) return out;
  // Reuse needs the TIME-WAIT to be older than tcp_tw_reuse_delay (1 s; whole seconds before 6.14).
  sleep_ms(read_sysctl("net/ipv4/tcp_tw_reuse_delay").empty() ? 2100 : 1100);
  const int c = connect_to(port);
  const int err = errno;
  if (want_reuse && c < 0) return fmt::format("timestamps {}: connect failed ({}), expected reuse\n", timestamps, std::strerror(err));
  if (!want_reuse && (c >= 0 || err != EADDRNOTAVAIL)) {
    return fmt::format("timestamps {}: connect {}, expected EADDRNOTAVAIL\n", timestamps,
                       c >= 0 ? "succeeded" : std::strerror(err));
  }
  return "";
}

TEST(KernelTimeWait, TwReuseNeedsTimestamps) {
  TCPTUNE_KERNEL_EXPERIMENT([] { return reuse_with_timestamps("0", "40000 40000", false); });
  TCPTUNE_KERNEL_EXPERIMENT([] { return reuse_with_timestamps("1", "40001 40001", true); });
}

}  // namespace
}  // namespace tcptune::kernel_test

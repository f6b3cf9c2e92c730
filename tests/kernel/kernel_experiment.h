// Helpers for tests/kernel/: each test is one small experiment, run in a forked child inside a
// fresh network namespace (loopback only), that demonstrates one claim the shipped advice makes
// about the running kernel. Sysctls are written only in that namespace's /proc/sys/net, and the
// counters read are the namespace's own (/proc/net/netstat and /proc/net/snmp are per netns).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace tcptune::kernel_test {

// Every counter of /proc/net/netstat and /proc/net/snmp, keyed "TcpExtTCPAbortOnData",
// "TcpOutRsts", ... as nstat names them.
std::map<std::string, int64_t> counters();

// How much `name` moved between two counters() readings.
int64_t delta(const std::map<std::string, int64_t>& before, const std::map<std::string, int64_t>& after,
              const std::string& name);

// The namespace's counters before and after an experiment step: runs `action`, waits
// `settle_ms`, and answers how much each counter moved.
class Movement {
 public:
  Movement(const std::function<void()>& action, int settle_ms);
  int64_t of(const std::string& name) const { return delta(before_, after_, name); }
  // "" when `name` moved by exactly `want`, otherwise a line saying how it moved.
  std::string expect(const std::string& name, int64_t want) const;

 private:
  std::map<std::string, int64_t> before_, after_;
};

// Writes a sysctl of the current (fresh) namespace, e.g. set_sysctl("net/ipv4/tcp_fin_timeout",
// "3"); returns "" or what failed.
std::string set_sysctl(const std::string& path, const std::string& value);
std::string read_sysctl(const std::string& path);

// Brings loopback up (a new namespace starts with it down); false on failure.
bool loopback(bool up);

// A listening socket on 127.0.0.1 with an ephemeral port, and its port; -1 on failure.
int listener(int backlog, uint16_t* port);
// A connected client socket to 127.0.0.1:port (blocking connect); -1 on failure.
int connect_to(uint16_t port);
// accept() with a bounded wait; -1 on failure.
int accept_one(int listen_fd);

// An accepted connection on loopback: the client `c` and the server's socket `s`; `error` says
// what failed ("" when both exist).
struct Pair {
  int c = -1, s = -1;
  std::string error;
};
Pair connected_pair();

// The TCP state of a socket (TCP_ESTABLISHED, TCP_CLOSE_WAIT, ... from <netinet/tcp.h>).
int tcp_state(int fd);
// Waits up to `ms` for the socket to reach `state`; true when it did.
bool wait_state(int fd, int state, int ms);
// SO_ERROR of the socket (clears it).
int so_error(int fd);
void sleep_ms(int ms);

// Runs `body` in a forked child in a new network namespace with loopback up; the child returns
// "" for success or what went wrong. Returns {skipped, report}.
struct Outcome {
  bool skipped = false;
  std::string report;
};
Outcome in_fresh_netns(const std::function<std::string()>& body);

}  // namespace tcptune::kernel_test

// Runs an experiment body as a gtest: skips where namespaces cannot be created, fails with the
// child's report otherwise.
#define TCPTUNE_KERNEL_EXPERIMENT(...)                                                         \
  do {                                                                                         \
    const auto outcome_ = ::tcptune::kernel_test::in_fresh_netns(__VA_ARGS__);                      \
    if (outcome_.skipped) GTEST_SKIP() << "cannot create a network namespace (needs root or " \
                                          "CAP_SYS_ADMIN): kernel experiment not run";         \
    EXPECT_EQ(outcome_.report, "");                                                            \
  } while (0)

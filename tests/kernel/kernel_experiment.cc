#include "kernel_experiment.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "../integration/netns_child.h"

namespace tcptune::kernel_test {
namespace {

// /proc/net/netstat and /proc/net/snmp come in pairs of lines: "Prefix: name name ..." then
// "Prefix: value value ...".
void read_pairs(const std::string& path, std::map<std::string, int64_t>& out) {
  std::ifstream in(path);
  std::string names, values;
  while (std::getline(in, names) && std::getline(in, values)) {
    std::istringstream n(names), v(values);
    std::string prefix, vprefix, name;
    n >> prefix;
    v >> vprefix;
    if (prefix != vprefix || prefix.empty()) continue;
    prefix.pop_back();  // the ':'
    int64_t value = 0;
    while (n >> name && v >> value) out[prefix + name] = value;
  }
}

sockaddr_in loopback_addr(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

}  // namespace

std::map<std::string, int64_t> counters() {
  std::map<std::string, int64_t> out;
  read_pairs("/proc/net/netstat", out);
  read_pairs("/proc/net/snmp", out);
  return out;
}

int64_t delta(const std::map<std::string, int64_t>& before, const std::map<std::string, int64_t>& after,
              const std::string& name) {
  const auto a = after.find(name);
  const auto b = before.find(name);
  return (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
}

Movement::Movement(const std::function<void()>& action, int settle_ms) : before_(counters()) {
  action();
  sleep_ms(settle_ms);
  after_ = counters();
}

std::string Movement::expect(const std::string& name, int64_t want) const {
  const int64_t got = of(name);
  return got == want ? "" : name + " moved by " + std::to_string(got) + ", expected " + std::to_string(want) + "\n";
}

std::string set_sysctl(const std::string& path, const std::string& value) {
  std::ofstream out("/proc/sys/" + path);
  out << value << "\n";
  out.flush();
  if (!out) return "cannot write " + path + " = " + value + "\n";
  return "";
}

std::string read_sysctl(const std::string& path) {
  std::ifstream in("/proc/sys/" + path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool loopback(bool up) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
  if (up) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  } else {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags & ~IFF_UP);
  }
  ok = ok && ::ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
  ::close(fd);
  return ok;
}

int listener(int backlog, uint16_t* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a = loopback_addr(0);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

int connect_to(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_in a = loopback_addr(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int accept_one(int listen_fd) {
  pollfd p{listen_fd, POLLIN, 0};
  if (::poll(&p, 1, 2000) != 1) return -1;
  return ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
}

Pair connected_pair() {
  Pair p;
  uint16_t port = 0;
  const int l = listener(16, &port);
  if (l >= 0) p.c = connect_to(port);
  if (p.c >= 0) p.s = accept_one(l);
  if (p.s < 0) p.error = std::string("no connected pair: ") + std::strerror(errno) + "\n";
  return p;
}

int tcp_state(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  return info.tcpi_state;
}

bool wait_state(int fd, int state, int ms) {
  for (int waited = 0; waited <= ms; waited += 20) {
    if (tcp_state(fd) == state) return true;
    sleep_ms(20);
  }
  return false;
}

int so_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err;
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

Outcome in_fresh_netns(const std::function<std::string()>& body) {
  const auto r = testing::in_namespaces(CLONE_NEWNET, [&]() -> std::string {
    if (!loopback(true)) return "cannot bring loopback up in the new namespace\n";
    return body();
  });
  return {r.skipped, r.report};
}

}  // namespace tcptune::kernel_test

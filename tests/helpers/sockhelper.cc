// sockhelper: opens an exact population of TCP sockets on loopback, then runs a command (or
// waits for stdin to close) while holding them. Used by the census integration tests and the
// census benchmark; run it inside a fresh network namespace (it brings `lo` up).
//
//   sockhelper [--v4 PORT] [--v6 PORT] [--ports K] [--estab N] [--tw N] [--cw N]
//              [--fw2-orphan N] [--synrecv N] [--queue N] [--keepalive N]
//              [--syn-sent N] [-- COMMAND ARGS...]
//
// Per family, with base port P: K listeners on P..P+K-1 and one TCP_DEFER_ACCEPT listener on P+K.
// Connections go round-robin over the K listeners and give (client side = ephemeral port):
//   --estab N       N ESTABLISHED clients + N ESTABLISHED accepted sockets
//   --tw N          N TIME-WAIT clients (client closes first; server closes after EOF)
//   --cw N          N FIN-WAIT-2 clients (shutdown(SHUT_WR), fd kept) + N CLOSE-WAIT servers
//   --fw2-orphan N  N orphaned FIN-WAIT-2 client minisocks (close()) + N CLOSE-WAIT servers
//   --synrecv N     N ESTABLISHED clients + N SYN-RECV request sockets on the defer listener
//   --queue N       a listener on P+K+1 with backlog 1 that never accepts, and N non-blocking
//                   connects to it: its accept queue is full (2 queued) and the other clients
//                   stay in SYN-SENT while their SYNs are dropped (TcpExtListenOverflows)
//   --keepalive N   SO_KEEPALIVE on the first N accepted sockets of --estab (per family)
//   --syn-sent N    N non-blocking connects (IPv4 only) to 10.9.0.2:443, which the caller routes
//                   to a device that drops everything (an ifb or dummy interface with 10.9.0.1/24):
//                   the SYNs are never answered and the sockets stay in SYN-SENT
// It prints its pid on the first stdout line, then "ready", then runs COMMAND (stdout shared);
// without COMMAND it holds the sockets until killed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Spec {
  int v4 = 0, v6 = 0, ports = 1;
  long estab = 0, tw = 0, cw = 0, fw2_orphan = 0, synrecv = 0, queue = 0, keepalive = 0, syn_sent = 0;
  char** command = nullptr;
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "sockhelper: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

sockaddr_storage address(int family, int port) {
  sockaddr_storage ss{};
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    a->sin6_addr = in6addr_loopback;
  }
  return ss;
}

socklen_t addr_len(int family) {
  return family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
}

int listener(int family, int port, bool defer) {
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  // TCP_DEFER_ACCEPT drops the bare final ACK, so the request socket stays SYN-RECV
  // (tcp_check_req(), LINUX_MIB_TCPDEFERACCEPTDROP) while the client sends nothing.
  const int secs = 60;
  if (defer && ::setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs) < 0) die("TCP_DEFER_ACCEPT");
  const sockaddr_storage a = address(family, port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), addr_len(family)) < 0) die("bind");
  // The kernel caps the backlog at net.core.somaxconn; large SYN-RECV populations raise it.
  if (::listen(fd, 1 << 20) < 0) die("listen");
  return fd;
}

int connect_to(int family, int port) {
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  const sockaddr_storage a = address(family, port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), addr_len(family)) < 0) die("connect");
  return fd;
}

struct Pair {
  int client, server;
};

Pair open_pair(int family, int lfd, int port) {
  const int c = connect_to(family, port);
  const int s = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  if (s < 0) die("accept");
  return {c, s};
}

void wait_eof(int fd) {
  char b;
  while (::recv(fd, &b, 1, 0) > 0) {
  }
}

void populate_queue(const Spec& sp, int family, int port, std::vector<int>& keep) {
  const int lfd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0) die("socket");
  const int one = 1;
  if (family == AF_INET6) ::setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  const sockaddr_storage a = address(family, port);
  if (::bind(lfd, reinterpret_cast<const sockaddr*>(&a), addr_len(family)) < 0) die("bind");
  if (::listen(lfd, 1) < 0) die("listen");
  keep.push_back(lfd);
  for (long i = 0; i < sp.queue; ++i) {
    const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), addr_len(family)) < 0 && errno != EINPROGRESS)
      die("connect");
    keep.push_back(fd);
    // Give the handshake time to complete (or the SYN to be dropped) before the next one.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void populate(const Spec& sp, int family, int base, std::vector<int>& keep) {
  std::vector<int> lfds;
  for (int i = 0; i < sp.ports; ++i) lfds.push_back(listener(family, base + i, false));
  keep.insert(keep.end(), lfds.begin(), lfds.end());
  keep.push_back(listener(family, base + sp.ports, true));
  long k = 0;
  auto next = [&](int* lfd) {
    const int i = static_cast<int>(k++ % sp.ports);
    *lfd = lfds[static_cast<size_t>(i)];
    return base + i;
  };
  int lfd = -1;
  for (long i = 0; i < sp.estab; ++i) {
    const int port = next(&lfd);
    Pair p = open_pair(family, lfd, port);
    const int on = 1;
    if (i < sp.keepalive && ::setsockopt(p.server, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0) die("SO_KEEPALIVE");
    keep.push_back(p.client), keep.push_back(p.server);
  }
  for (long i = 0; i < sp.tw; ++i) {
    const int port = next(&lfd);
    Pair p = open_pair(family, lfd, port);
    ::close(p.client);  // active close: the client ends in TIME-WAIT
    wait_eof(p.server);
    ::close(p.server);  // LAST-ACK, then gone once the client ACKs
  }
  for (long i = 0; i < sp.cw; ++i) {
    const int port = next(&lfd);
    Pair p = open_pair(family, lfd, port);
    if (::shutdown(p.client, SHUT_WR) < 0) die("shutdown");
    keep.push_back(p.client), keep.push_back(p.server);
  }
  for (long i = 0; i < sp.fw2_orphan; ++i) {
    const int port = next(&lfd);
    Pair p = open_pair(family, lfd, port);
    ::close(p.client);  // orphaned FIN-WAIT-2 -> timewait minisock (tcp_fin_timeout <= 60 s)
    keep.push_back(p.server);
  }
  for (long i = 0; i < sp.synrecv; ++i) keep.push_back(connect_to(family, base + sp.ports));
  if (sp.queue > 0) populate_queue(sp, family, base + sp.ports + 1, keep);
}

void populate_syn_sent(long n, std::vector<int>& keep) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(443);
  a.sin_addr.s_addr = htonl(0x0a090002);  // 10.9.0.2
  for (long i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) < 0 && errno != EINPROGRESS)
      die("connect 10.9.0.2:443");
    keep.push_back(fd);
  }
}

// A fresh network namespace has `lo` down; bring it up without needing ip(8).
void loopback_up() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) die("SIOCGIFFLAGS lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) die("SIOCSIFFLAGS lo");
  ::close(fd);
}

Spec parse(int argc, char** argv) {
  Spec sp;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") {
      sp.command = argv + i + 1;
      break;
    }
    if (i + 1 >= argc) die("missing value");
    const long v = std::strtol(argv[++i], nullptr, 10);
    if (a == "--v4") sp.v4 = static_cast<int>(v);
    else if (a == "--v6") sp.v6 = static_cast<int>(v);
    else if (a == "--ports") sp.ports = static_cast<int>(v);
    else if (a == "--estab") sp.estab = v;
    else if (a == "--tw") sp.tw = v;
    else if (a == "--cw") sp.cw = v;
    else if (a == "--fw2-orphan") sp.fw2_orphan = v;
    else if (a == "--synrecv") sp.synrecv = v;
    else if (a == "--queue") sp.queue = v;
    else if (a == "--keepalive") sp.keepalive = v;
    else if (a == "--syn-sent") sp.syn_sent = v;
    else {
      std::fprintf(stderr, "sockhelper: unknown option %s\n", a.c_str());
      std::exit(2);
    }
  }
  if (sp.ports < 1) sp.ports = 1;
  return sp;
}

}  // namespace

int main(int argc, char** argv) {
  const Spec sp = parse(argc, argv);
  // Root may raise its own hard limit up to fs.nr_open; large populations need it.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rlimit want{1048576, 1048576};
    if (::setrlimit(RLIMIT_NOFILE, &want) != 0) {
      rl.rlim_cur = rl.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &rl);
    }
  }
  loopback_up();
  std::vector<int> keep;
  if (sp.v4) populate(sp, AF_INET, sp.v4, keep);
  if (sp.v6) populate(sp, AF_INET6, sp.v6, keep);
  populate_syn_sent(sp.syn_sent, keep);
  // Let loopback finish the last FIN/ACK exchanges before anyone counts.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::printf("%d\nready\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
  if (!sp.command) {
    for (;;) ::pause();  // hold the sockets until a signal (SIGTERM) ends the process
  }
  const pid_t child = ::fork();
  if (child < 0) die("fork");
  if (child == 0) {
    ::execvp(sp.command[0], sp.command);
    die("exec");
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

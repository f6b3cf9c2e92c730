// Reproduces one cause of TCP resets on a loopback address, for the trace tests:
//   resethelper MODE ADDRESS COUNT
// listens on ADDRESS (port chosen by the kernel), prints "port=P pid=X", waits for SIGUSR1,
// then makes COUNT connections end the MODE way, prints "done" and holds every socket it still
// has until SIGTERM (so their owner can be named).
//   linger    the server closes each accepted connection with SO_LINGER {1, 0}
//   unread    the client sends data; the server closes without reading it
//   mixed     the first half as linger, the second half as unread
//   linger2   the server sets TCP_LINGER2 to -1, half-closes, and closes in FIN-WAIT-2
//   noport    the client connects to a port with no listener (the listener's port + 1 closed)
//   received  like linger after holding each connection 1.5 s; the reset that matters is the
//             client's received one (same process)
//   exhaust   sets the namespace's ip_local_port_range to "40000 40001" (refused unless the
//             namespace is fresh: lo only, still down), holds two connections to its listener, then makes COUNT
//             connect() calls that fail with EADDRNOTAVAIL (no reset: no port, no packet)
// RESETHELPER_RATE=N in the environment paces the connections at N per second (bench/); the
// time they took is printed on stderr ("elapsed_us=N").
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t g_go = 0;
void on_usr1(int) { g_go = 1; }

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "resethelper: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

sockaddr_in address(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) die("address");
  return a;
}

int connect_to(const char* ip, uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = address(ip, port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != ECONNREFUSED) die("connect");
  return fd;
}

void close_linger0(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

void close_unread(int client, int fd) {
  if (write(client, "request", 7) != 7) die("write");
  usleep(20000);  // the data is in the server's receive queue
  close(fd);
}

void close_linger2(int fd) {
  int minus_one = -1;
  setsockopt(fd, IPPROTO_TCP, TCP_LINGER2, &minus_one, sizeof minus_one);
  shutdown(fd, SHUT_WR);
  usleep(20000);  // the peer's ACK of the FIN moves it to FIN-WAIT-2
  close(fd);
}

// A fresh network namespace starts with lo down.
void loopback_up() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) die("SIOCGIFFLAGS lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) die("SIOCSIFFLAGS lo");
  close(fd);
}

// A fresh network namespace: lo is its only interface and still down. The host's namespace
// fails this (its lo is up), so the helper never writes the host's port range. (/proc/1/ns/net
// cannot be compared: it may be unreadable, e.g. from a container.)
bool fresh_namespace() {
  struct if_nameindex* names = if_nameindex();
  if (!names) return false;
  bool only_lo = names[0].if_name != nullptr && std::strcmp(names[0].if_name, "lo") == 0 && names[1].if_name == nullptr;
  if_freenameindex(names);
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  const bool down = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) == 0;
  close(fd);
  return only_lo && down;
}

// Writes the port range of this network namespace, which must be a fresh one.
void narrow_port_range(bool fresh) {
  if (!fresh) {
    errno = EPERM;
    die("exhaust: refusing to change ip_local_port_range outside a fresh network namespace");
  }
  FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "w");
  if (!f || std::fputs("40000 40001\n", f) < 0 || std::fclose(f) != 0) die("ip_local_port_range");
}

void exhaust(bool fresh, const char* ip, uint16_t port, int lfd, int count, std::vector<int>* keep) {
  narrow_port_range(fresh);
  for (int i = 0; i < 2; ++i) {
    keep->push_back(connect_to(ip, port));
    const int fd = accept(lfd, nullptr, nullptr);
    if (fd < 0) die("accept");
    keep->push_back(fd);
  }
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = address(ip, port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 || errno != EADDRNOTAVAIL) {
      die("exhaust: connect() did not fail with EADDRNOTAVAIL");
    }
    close(fd);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: resethelper MODE ADDRESS COUNT\n");
    return 2;
  }
  const std::string mode = argv[1];
  const char* ip = argv[2];
  const int count = std::atoi(argv[3]);
  // SIGUSR1 stays blocked until sigsuspend() waits for it. With `while (!g_go) pause();` a
  // SIGUSR1 delivered between the test of g_go and pause() set g_go, and pause() then waited
  // for a second signal that never came (the stall of bench/trace_overhead.sh).
  sigset_t usr1;
  sigset_t waiting;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, &waiting);
  sigdelset(&waiting, SIGUSR1);
  signal(SIGUSR1, on_usr1);
  const bool fresh = fresh_namespace();
  loopback_up();
  const int lfd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = address(ip, 0);
  socklen_t len = sizeof a;
  if (bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(lfd, 128) != 0) die("listen");
  getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  const uint16_t port = ntohs(a.sin_port);
  std::printf("port=%u pid=%d\n", port, getpid());
  std::fflush(stdout);
  while (!g_go) sigsuspend(&waiting);
  std::vector<int> keep;
  const char* rate_env = std::getenv("RESETHELPER_RATE");
  const long rate = rate_env ? std::atol(rate_env) : 0;
  timespec t0{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (mode == "exhaust") exhaust(fresh, ip, port, lfd, count, &keep);
  for (int i = 0; mode != "exhaust" && i < count; ++i) {
    if (rate > 0) {
      timespec due = t0;
      const long long ns = static_cast<long long>(i) * 1000000000LL / rate;
      due.tv_sec += static_cast<time_t>(ns / 1000000000LL);
      due.tv_nsec += static_cast<long>(ns % 1000000000LL);
      if (due.tv_nsec >= 1000000000L) {
        due.tv_sec += 1;
        due.tv_nsec -= 1000000000L;
      }
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nullptr);
    }
    if (mode == "noport") {
      const int fd = connect_to(ip, static_cast<uint16_t>(port + 1));
      if (count <= 64) {
        keep.push_back(fd);
      } else {
        close(fd);  // a storm: keep the descriptor table small
      }
      continue;
    }
    const int client = connect_to(ip, port);
    keep.push_back(client);
    const int fd = accept(lfd, nullptr, nullptr);
    if (fd < 0) die("accept");
    const bool linger = mode == "linger" || mode == "received" || (mode == "mixed" && i < count / 2);
    if (mode == "received") usleep(1500000);  // a long-lived connection, seen by a census
    if (linger) {
      close_linger0(fd);
    } else if (mode == "unread" || mode == "mixed") {
      close_unread(client, fd);
    } else if (mode == "linger2") {
      close_linger2(fd);
    } else {
      die("unknown mode");
    }
  }
  timespec t1{};
  clock_gettime(CLOCK_MONOTONIC, &t1);
  std::fprintf(stderr, "elapsed_us=%lld\n",
               static_cast<long long>(t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000);
  usleep(100000);
  std::printf("done\n");
  std::fflush(stdout);
  for (;;) pause();
}

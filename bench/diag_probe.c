/* diag_probe: one TCP inet_diag dump with a chosen request form, state mask, recv length and
 * SO_RCVBUF(FORCE); prints sockets, recvmsg calls, bytes, bytes per socket, wall, sys and user time.
 *   diag_probe compat|v4v6 STATES [RECV_LEN] [RCVBUF]     Build: cc -O2 -o diag_probe diag_probe.c */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static unsigned long counts[16], calls, bytes;
static int dump(int family, unsigned states, size_t len, int rcvbuf) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (rcvbuf) setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  char q[256]; memset(q, 0, sizeof q);
  struct nlmsghdr *h = (void *)q;
  if (family == 0) {
    struct inet_diag_req *r = NLMSG_DATA(h);
    h->nlmsg_len = NLMSG_LENGTH(sizeof *r); h->nlmsg_type = TCPDIAG_GETSOCK; r->idiag_states = states;
  } else {
    struct inet_diag_req_v2 *r = NLMSG_DATA(h);
    h->nlmsg_len = NLMSG_LENGTH(sizeof *r); h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    r->sdiag_family = family; r->sdiag_protocol = IPPROTO_TCP; r->idiag_states = states;
  }
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP; h->nlmsg_seq = 1;
  if (send(fd, q, h->nlmsg_len, 0) < 0) return perror("send"), -1;
  char *buf = malloc(len);
  for (;;) {
    ssize_t n = recv(fd, buf, len, 0);
    if (n <= 0) return perror("recv"), -1;
    calls++; bytes += n;
    for (struct nlmsghdr *m = (void *)buf; NLMSG_OK(m, n); m = NLMSG_NEXT(m, n)) {
      if (m->nlmsg_type == NLMSG_DONE) { close(fd); free(buf); return 0; }
      if (m->nlmsg_type == NLMSG_ERROR) return fprintf(stderr, "NLMSG_ERROR\n"), -1;
      counts[((struct inet_diag_msg *)NLMSG_DATA(m))->idiag_state & 15]++;
    }
  }
}
int main(int argc, char **argv) {

  unsigned states = strtoul(argv[2], 0, 0);
  size_t len = argc > 3 ? strtoul(argv[3], 0, 0) : 32768;
  int rcvbuf = argc > 4 ? atoi(argv[4]) : 0;
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  int rc = strcmp(argv[1], "compat") == 0 ? dump(0, states, len, rcvbuf)
                                          : (dump(AF_INET, states, len, rcvbuf) || dump(AF_INET6, states, len, rcvbuf));
  clock_gettime(CLOCK_MONOTONIC, &b);
  struct rusage ru; getrusage(RUSAGE_SELF, &ru);
  unsigned long tot = 0; for (int i = 0; i < 16; i++) tot += counts[i];
  printf("%s states=%#x len=%zu rcvbuf=%d: socks=%lu calls=%lu bytes=%lu B/sock=%.1f wall=%.1fms sys=%.1fms user=%.1fms\n",
         argv[1], states, len, rcvbuf, tot, calls, bytes, tot ? (double)bytes / tot : 0,
         (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6,
         ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3, ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3);
  return rc;
}

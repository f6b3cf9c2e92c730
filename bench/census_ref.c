/* Minimal references for the census benchmark: what a naive tool does to count TCP states.
 *   census_ref                one inet_diag_req_v2 dump per family (AF_INET, then AF_INET6),
 *                             idiag_states = 0xfff as ss asks, no extensions (the reference)
 *   census_ref compat         one old-style TCPDIAG_GETSOCK request: both families, one walk
 *   census_ref compat MASK    the same with idiag_states = MASK (e.g. 0x800: a walk that
 *                             matches nothing in a population without CLOSING sockets)
 * It only counts states. Build: cc -O2 -o census_ref census_ref.c */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned long counts[16];

static int dump(int family, unsigned states) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return perror("socket"), -1;
  struct {
    struct nlmsghdr h;
    union {
      struct inet_diag_req_v2 v2;
      struct inet_diag_req compat;
    } r;
  } q;
  memset(&q, 0, sizeof q);
  q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  q.h.nlmsg_seq = 1;
  if (family == AF_UNSPEC) {
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.r.compat);
    q.h.nlmsg_type = TCPDIAG_GETSOCK;
    q.r.compat.idiag_states = states;
  } else {
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.r.v2);
    q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    q.r.v2.sdiag_family = (unsigned char)family;
    q.r.v2.sdiag_protocol = IPPROTO_TCP;
    q.r.v2.idiag_states = states;
  }
  if (send(fd, &q, q.h.nlmsg_len, 0) < 0) return perror("send"), -1;
  static char buf[32768];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return perror("recv"), -1;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return close(fd), 0;
      if (h->nlmsg_type == NLMSG_ERROR) return fprintf(stderr, "NLMSG_ERROR\n"), -1;
      counts[((struct inet_diag_msg *)NLMSG_DATA(h))->idiag_state & 15]++;
    }
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "compat") == 0) {
    if (dump(AF_UNSPEC, argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 0xfff)) return 1;
  } else if (dump(AF_INET, 0xfff) || dump(AF_INET6, 0xfff)) {
    return 1;
  }
  for (int i = 0; i < 16; i++)
    if (counts[i]) printf("%d %lu\n", i, counts[i]);
  return 0;
}

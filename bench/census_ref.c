/* Minimal reference for the census benchmark: what a naive tool does to count TCP states.
 * One inet_diag_req_v2 dump per family (AF_INET, then AF_INET6), idiag_states = 0xfff as ss
 * asks, no extensions; it only counts states. Build: cc -O2 -o census_ref census_ref.c */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned long counts[16];

static int dump(int family) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return perror("socket"), -1;
  struct {
    struct nlmsghdr h;
    struct inet_diag_req_v2 r;
  } q;
  memset(&q, 0, sizeof q);
  q.h.nlmsg_len = sizeof q;
  q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  q.h.nlmsg_seq = 1;
  q.r.sdiag_family = (unsigned char)family;
  q.r.sdiag_protocol = IPPROTO_TCP;
  q.r.idiag_states = 0xfff;
  if (send(fd, &q, sizeof q, 0) < 0) return perror("send"), -1;
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

int main(void) {
  if (dump(AF_INET) || dump(AF_INET6)) return 1;
  for (int i = 0; i < 16; i++)
    if (counts[i]) printf("%d %lu\n", i, counts[i]);
  return 0;
}

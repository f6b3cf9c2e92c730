#include "core/sysctl_key.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

TEST(SysctlKey, NormalizesSlashFormWithLiteralDots) {
  EXPECT_EQ(normalize_key("net/ipv4/conf/eth0.1/rp_filter"), "net.ipv4.conf.eth0/1.rp_filter");
  EXPECT_EQ(normalize_key("  net.ipv4.tcp_fin_timeout "), "net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(key_to_proc_path("net.ipv4.conf.eth0/1.rp_filter"), "net/ipv4/conf/eth0.1/rp_filter");
  EXPECT_EQ(proc_path_to_key("/net/ipv4/tcp_rmem"), "net.ipv4.tcp_rmem");
}

TEST(SysctlKey, GlobMatchesLikeFnmatchWithoutPathname) {
  EXPECT_TRUE(glob_match("net.ipv4.conf.*.rp_filter", "net.ipv4.conf.eth0.rp_filter"));
  EXPECT_TRUE(glob_match("net.ipv4.conf.*.rp_filter", "net.ipv4.conf.a.b.rp_filter"));
  EXPECT_FALSE(glob_match("net.ipv4.conf.*.rp_filter", "net.ipv4.conf.eth0.log_martians"));
  EXPECT_TRUE(glob_match("net.ipv4.tcp_[fk]*", "net.ipv4.tcp_keepalive_time"));
  EXPECT_FALSE(glob_match("net.ipv4.tcp_[!fk]*", "net.ipv4.tcp_keepalive_time"));
  EXPECT_TRUE(glob_match("net.ipv?.tcp_rmem", "net.ipv4.tcp_rmem"));
  EXPECT_TRUE(is_glob_key("a.*.b"));
  EXPECT_FALSE(is_glob_key("a.b"));
}

}  // namespace
}  // namespace tcptune::core

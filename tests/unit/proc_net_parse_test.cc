#include "core/proc_net_parse.h"

#include <gtest/gtest.h>

#include "core/census_aggregate.h"

namespace tcptune::core {
namespace {

TEST(ProcNetParse, SockstatTcpLine) {
  const char* text =
      "sockets: used 290\nTCP: inuse 5 orphan 1 tw 7 alloc 9 mem 3\nUDP: inuse 2 mem 1\n";
  auto st = parse_sockstat(text, "sockstat");
  ASSERT_TRUE(st.ok()) << st.error().render();
  EXPECT_EQ(*st, (SockStat{5, 1, 7, 9, 3}));
  auto bad = parse_sockstat("UDP: inuse 2\n", "/proc/net/sockstat");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().render(), "tcptune: error: /proc/net/sockstat: no TCP line");
}

TEST(ProcNetParse, NetstatIsParsedByHeaderName) {
  // Two kernels with different column sets and orders must give the same named values.
  const char* older = "TcpExt: SyncookiesSent TW ListenOverflows\nTcpExt: 0 11 3\n"
                      "IpExt: InOctets\nIpExt: 100\n";
  const char* newer = "TcpExt: ListenOverflows PAWSTimewait TW\nTcpExt: 3 0 11\n";
  auto a = parse_netstat(older, "netstat");
  auto b = parse_netstat(newer, "netstat");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->at("TcpExtTW"), 11);
  EXPECT_EQ(b->at("TcpExtTW"), 11);
  EXPECT_EQ(a->at("TcpExtListenOverflows"), b->at("TcpExtListenOverflows"));
  EXPECT_EQ(a->at("IpExtInOctets"), 100);
  EXPECT_FALSE(a->contains("TcpExtPAWSTimewait"));
  auto snmp = parse_netstat("Tcp: RtoAlgorithm MaxConn CurrEstab\nTcp: 1 -1 4\n", "snmp");
  ASSERT_TRUE(snmp.ok());
  EXPECT_EQ(snmp->at("TcpMaxConn"), -1);
  EXPECT_EQ(snmp->at("TcpCurrEstab"), 4);
}

TEST(ProcNetParse, NetstatColumnMismatchNamesTheLine) {
  auto r = parse_netstat("TcpExt: A B\nTcpExt: 1\n", "/proc/net/netstat");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "/proc/net/netstat:2:1: error: 'TcpExt' has 2 names but 1 values");
  r = parse_netstat("TcpExt: A B\n", "/proc/net/netstat");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "/proc/net/netstat:2:1: error: missing value line for 'TcpExt'");
  r = parse_netstat("Tcp: A\nTcp: x\n", "snmp");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "snmp:2:1: error: bad value 'x' for 'TcpA'");
}

TEST(ProcNetParse, ProcNetTcpLines) {
  DiagSocket s;
  EXPECT_FALSE(parse_proc_net_tcp_line(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", 2, &s));
  ASSERT_TRUE(parse_proc_net_tcp_line(
      "   0: 0100007F:2382 0100007F:BF32 06 00000000:00000000 03:00001770 00000000     0        0 0 3 "
      "0000000000000000",
      2, &s));
  EXPECT_EQ(s.state, 6);
  EXPECT_EQ(s.timer, 3);
  EXPECT_EQ(s.sport, 0x2382);
  EXPECT_EQ(s.dport, 0xBF32);
  EXPECT_EQ(format_address(2, s.src), "127.0.0.1");
  EXPECT_EQ(s.inode, 0u);
  ASSERT_TRUE(parse_proc_net_tcp_line(
      "   1: 00000000000000000000000001000000:2383 00000000000000000000000000000000:0000 0A "
      "00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0",
      10, &s));
  EXPECT_EQ(s.state, 10);
  EXPECT_EQ(s.inode, 4242u);
  EXPECT_EQ(format_address(10, s.src), "::1");
  EXPECT_FALSE(parse_proc_net_tcp_line("   2: garbage", 2, &s));
}

TEST(ProcNetParse, PortRange) {
  EXPECT_EQ(parse_port_range("32768\t60999\n"), (PortRange{32768, 60999}));
  EXPECT_EQ(parse_port_range("32768\t60999\n")->size(), 28232u);
  EXPECT_FALSE(parse_port_range("60999 32768").has_value());
  EXPECT_FALSE(parse_port_range("1").has_value());
}

}  // namespace
}  // namespace tcptune::core

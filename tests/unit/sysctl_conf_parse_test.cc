#include "core/sysctl_conf_parse.h"

#include <string>

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

constexpr std::string_view kOrigin = "/etc/sysctl.d/50-test.conf";

ConfAssignment assign(std::string key, std::string value, int line, int col) {
  ConfAssignment a;
  a.key = std::move(key);
  a.value = std::move(value);
  a.where = SourceLoc{std::string(kOrigin), line, col};
  return a;
}

ConfIssue issue(int line, int col, std::string message) {
  return ConfIssue{SourceLoc{std::string(kOrigin), line, col}, std::move(message)};
}

TEST(SysctlConfParse, CommentsBlankLinesAndSpacingAroundEquals) {
  const auto p = parse_sysctl_conf(
      "# comment\n"
      "   ; indented comment\n"
      "\n"
      "  \t \n"
      "net.ipv4.tcp_fin_timeout=30\n"
      "  net.core.somaxconn   =   4096  \n",
      kOrigin);
  EXPECT_TRUE(p.issues.empty());
  ASSERT_EQ(p.assignments.size(), 2u);
  EXPECT_EQ(p.assignments[0], assign("net.ipv4.tcp_fin_timeout", "30", 5, 1));
  EXPECT_EQ(p.assignments[1], assign("net.core.somaxconn", "4096", 6, 3));
}

TEST(SysctlConfParse, ValueWhitespaceIsNormalised) {
  const auto p = parse_sysctl_conf("net.ipv4.tcp_rmem =  4096\t131072   6291456\t\n", kOrigin);
  ASSERT_EQ(p.assignments.size(), 1u);
  EXPECT_EQ(p.assignments[0].value, "4096 131072 6291456");
}

TEST(SysctlConfParse, SlashFormKeysAreCanonicalised) {
  const auto p = parse_sysctl_conf(
      "net/ipv4/conf/eth0.100/rp_filter = 2\n"
      "net.ipv4.conf.eth0/100.forwarding = 1\n",
      kOrigin);
  ASSERT_EQ(p.assignments.size(), 2u);
  EXPECT_EQ(p.assignments[0].key, "net.ipv4.conf.eth0/100.rp_filter");
  EXPECT_EQ(p.assignments[1].key, "net.ipv4.conf.eth0/100.forwarding");
}

TEST(SysctlConfParse, LeadingDashIgnoresFailures) {
  const auto p = parse_sysctl_conf("-net.ipv4.tcp_ecn = 1\n", kOrigin);
  ASSERT_EQ(p.assignments.size(), 1u);
  auto want = assign("net.ipv4.tcp_ecn", "1", 1, 2);
  want.ignore_failure = true;
  EXPECT_EQ(p.assignments[0], want);
  EXPECT_TRUE(p.issues.empty());
}

TEST(SysctlConfParse, DashWithoutEqualsIsAnExclusion) {
  const auto p = parse_sysctl_conf("-net.ipv4.conf.lo.rp_filter\n", kOrigin);
  ASSERT_EQ(p.assignments.size(), 1u);
  auto want = assign("net.ipv4.conf.lo.rp_filter", "", 1, 2);
  want.exclude = true;
  EXPECT_EQ(p.assignments[0], want);
  EXPECT_TRUE(p.issues.empty());
}

TEST(SysctlConfParse, GlobKeysAndDashBeforeGlob) {
  const auto p = parse_sysctl_conf(
      "net.ipv4.conf.*.rp_filter = 2\n"
      "-net.ipv4.conf.[ae]*.arp_ignore = 1\n"
      "-net.ipv4.conf.e?h0.rp_filter\n",
      kOrigin);
  ASSERT_EQ(p.assignments.size(), 3u);
  EXPECT_TRUE(p.assignments[0].glob);
  EXPECT_FALSE(p.assignments[0].ignore_failure);
  EXPECT_TRUE(p.assignments[1].glob);
  EXPECT_TRUE(p.assignments[1].ignore_failure);
  EXPECT_EQ(p.assignments[1].value, "1");
  EXPECT_TRUE(p.assignments[2].glob);
  EXPECT_TRUE(p.assignments[2].exclude);
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0], issue(3, 2,
                               "exclusion '-net.ipv4.conf.e?h0.rp_filter' is a pattern; systemd-sysctl "
                               "252 and procps 4.0.2 only exclude a key spelled exactly like it, so it "
                               "excludes nothing"));
}

TEST(SysctlConfParse, MalformedLinesAreIssuesNotFatal) {
  const auto p = parse_sysctl_conf(
      "garbage\n"
      "  = 5\n"
      "-\n"
      "net.ipv4.tcp_syncookies = 1\n",
      kOrigin);
  ASSERT_EQ(p.assignments.size(), 1u);
  EXPECT_EQ(p.assignments[0], assign("net.ipv4.tcp_syncookies", "1", 4, 1));
  ASSERT_EQ(p.issues.size(), 3u);
  EXPECT_EQ(p.issues[0], issue(1, 1, "line has no '=' (ignored)"));
  EXPECT_EQ(p.issues[1], issue(2, 3, "empty key before '=' (nothing is set)"));
  EXPECT_EQ(p.issues[2], issue(3, 1, "'-' without a key (ignored)"));
}

TEST(SysctlConfParse, EmptyValueIsKeptAndReported) {
  const auto p = parse_sysctl_conf("net.ipv4.tcp_synack_retries =\n", kOrigin);
  ASSERT_EQ(p.assignments.size(), 1u);
  EXPECT_EQ(p.assignments[0], assign("net.ipv4.tcp_synack_retries", "", 1, 1));
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0].message,
            "empty value for 'net.ipv4.tcp_synack_retries': both readers write an empty string, "
            "which integer keys reject");
}

TEST(SysctlConfParse, DuplicateKeysAreAllKeptInOrder) {
  const auto p = parse_sysctl_conf("net.ipv4.tcp_syn_retries = 5\nnet.ipv4.tcp_syn_retries = 4\n", kOrigin);
  ASSERT_EQ(p.assignments.size(), 2u);
  EXPECT_EQ(p.assignments[0].value, "5");
  EXPECT_EQ(p.assignments[1].value, "4");
}

TEST(SysctlConfParse, TrailingBackslashIsNotAContinuation) {
  // Neither reader joins lines (checked with systemd-sysctl 252 and procps 4.0.2).
  const auto p = parse_sysctl_conf(
      "net.ipv4.tcp_keepalive_time = 7000 \\\n"
      "  net.ipv4.tcp_keepalive_intvl = 11\n",
      kOrigin);
  ASSERT_EQ(p.assignments.size(), 2u);
  EXPECT_EQ(p.assignments[0].value, "7000 \\");
  EXPECT_EQ(p.assignments[1], assign("net.ipv4.tcp_keepalive_intvl", "11", 2, 3));
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0], issue(1, 1, "trailing '\\' is not a line continuation; it is part of the value"));
}

TEST(SysctlConfParse, HashInsideValueIsReported) {
  const auto p = parse_sysctl_conf("net.core.somaxconn = 4096 # more queue\n", kOrigin);
  ASSERT_EQ(p.assignments.size(), 1u);
  EXPECT_EQ(p.assignments[0].value, "4096 # more queue");
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0].message, "'#' inside a value is not a comment; it is part of the value");
}

TEST(SysctlConfParse, CrlfAndFinalLineWithoutNewline) {
  const auto p = parse_sysctl_conf("a.b = 1\r\n\r\nc.d = 2", kOrigin);
  EXPECT_TRUE(p.issues.empty());
  ASSERT_EQ(p.assignments.size(), 2u);
  EXPECT_EQ(p.assignments[0], assign("a.b", "1", 1, 1));
  EXPECT_EQ(p.assignments[1], assign("c.d", "2", 3, 1));
}

TEST(SysctlConfParse, LoneCarriageReturnSplitsLikeSystemd) {
  const auto p = parse_sysctl_conf("a.b = 40\rc.d = 2\n", kOrigin);
  ASSERT_EQ(p.assignments.size(), 2u);
  EXPECT_EQ(p.assignments[1], assign("c.d", "2", 2, 1));
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0], issue(1, 1, "carriage return without line feed: systemd-sysctl starts a new "
                                     "line after it, procps sysctl does not"));
}

TEST(SysctlConfParse, NulByteEndsTheLineLikeSystemd) {
  const char raw[] = "a.b = 12\0" "0034\nc.d = 1\n";
  const std::string text(raw, sizeof raw - 1);
  const auto p = parse_sysctl_conf(text, kOrigin);
  ASSERT_EQ(p.assignments.size(), 2u);
  EXPECT_EQ(p.assignments[0], assign("a.b", "12", 1, 1));
  EXPECT_EQ(p.assignments[1], assign("c.d", "1", 3, 1));
  ASSERT_EQ(p.issues.size(), 2u);
  EXPECT_EQ(p.issues[0], issue(1, 1, "NUL byte: systemd-sysctl starts a new line after it, procps "
                                     "sysctl ignores the rest of the line"));
  EXPECT_EQ(p.issues[1], issue(2, 1, "line has no '=' (ignored)"));
}

TEST(SysctlConfParse, BlankAfterDashIsAReaderDifference) {
  const auto p = parse_sysctl_conf("- net.ipv4.tcp_synack_retries = 3\n", kOrigin);
  ASSERT_EQ(p.assignments.size(), 1u);
  auto want = assign("net.ipv4.tcp_synack_retries", "3", 1, 3);
  want.ignore_failure = true;
  EXPECT_EQ(p.assignments[0], want);
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0].message, "blank after '-': procps sysctl keeps it in the key and silently "
                                 "sets nothing (systemd-sysctl strips it)");
}

TEST(SysctlConfParse, VeryLongLineStopsTheFile) {
  std::string text = "a.b = 1\nc.d = " + std::string(kSysctlConfMaxLine, '9') + "\ne.f = 3\n";
  const auto p = parse_sysctl_conf(text, kOrigin);
  ASSERT_EQ(p.assignments.size(), 1u);
  EXPECT_EQ(p.assignments[0].key, "a.b");
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0], issue(2, 1, "line is 1048576 bytes or longer; systemd-sysctl stops reading "
                                     "the file here (procps sysctl reads on)"));
  // Just under the limit is an ordinary (if silly) line.
  text = "c.d = " + std::string(kSysctlConfMaxLine - 7, '9') + "\n";
  EXPECT_EQ(parse_sysctl_conf(text, kOrigin).assignments.size(), 1u);
}

TEST(SysctlConfParse, NonUtf8AndBinaryGarbageDoNotCrash) {
  std::string text;
  for (int i = 0; i < 4096; ++i) text += static_cast<char>((i * 131 + 7) % 256);
  const auto p = parse_sysctl_conf(text, kOrigin);
  for (const auto& a : p.assignments) EXPECT_FALSE(a.key.empty());
  const auto q = parse_sysctl_conf("k\xff\xfe.x = \xc3\x28\n", kOrigin);
  ASSERT_EQ(q.assignments.size(), 1u);
  EXPECT_EQ(q.assignments[0].value, "\xc3\x28");
}

TEST(SysctlConfParse, EmptyInput) {
  const auto p = parse_sysctl_conf("", kOrigin);
  EXPECT_TRUE(p.assignments.empty());
  EXPECT_TRUE(p.issues.empty());
}

}  // namespace
}  // namespace tcptune::core

#include "core/sysctl_conf_resolve.h"
#include "platform/config_dirs.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/sysctl_conf_parse.h"

namespace tcptune::core {
namespace {

struct FileSpec {
  std::string path;
  std::string text;
  bool dev_null = false;  // a symlink to /dev/null
};

// Builds a SysctlConfig the way ConfigDirs does, from a table of files.
SysctlConfig make_config(const std::vector<FileSpec>& specs) {
  SysctlConfig c;
  c.layout = platform::debian_layout();
  for (const auto& s : specs) {
    ConfFile f;
    f.path = s.path;
    if (s.dev_null) {
      f.symlink_target = "/dev/null";
      f.masked_null = true;
    } else {
      auto p = parse_sysctl_conf(s.text, s.path);
      c.assignments.insert(c.assignments.end(), p.assignments.begin(), p.assignments.end());
    }
    c.files.push_back(f);
  }
  annotate_files(c);
  return c;
}

const std::vector<std::string> kKnown = {
    "net.ipv4.tcp_fin_timeout",       "net.ipv4.tcp_syn_retries",
    "net.ipv4.tcp_keepalive_time",    "net.ipv4.conf.all.rp_filter",
    "net.ipv4.conf.default.rp_filter", "net.ipv4.conf.lo.rp_filter",
    "net.ipv4.conf.all.arp_ignore",   "net.ipv4.conf.default.arp_ignore",
    "net.ipv4.conf.lo.arp_ignore",    "net.ipv4.conf.eth0/100.rp_filter"};

std::string where(const ConfAssignment& a) { return a.where.file + ":" + std::to_string(a.where.line); }

TEST(SysctlConfOrder, SortedByNameAcrossDirectoriesWithMasking) {
  const auto c = make_config({
      {"/usr/lib/sysctl.d/50-pid-max.conf", ""},
      {"/usr/lib/sysctl.d/10-a.conf", ""},
      {"/etc/sysctl.d/10-a.conf", ""},
      {"/run/sysctl.d/10-a.conf", ""},
      {"/run/sysctl.d/20-b.conf", ""},
      {"/usr/local/lib/sysctl.d/30-c.conf", ""},
      {"/usr/local/lib/sysctl.d/20-b.conf", ""},
  });
  const std::vector<std::string> want = {"/etc/sysctl.d/10-a.conf", "/run/sysctl.d/20-b.conf",
                                         "/usr/local/lib/sysctl.d/30-c.conf",
                                         "/usr/lib/sysctl.d/50-pid-max.conf"};
  EXPECT_EQ(systemd_order(c), want);
  EXPECT_EQ(procps_order(c), want);
  EXPECT_EQ(c.files[1].masked_by, "/etc/sysctl.d/10-a.conf");
  EXPECT_EQ(c.files[3].masked_by, "/etc/sysctl.d/10-a.conf");
  EXPECT_EQ(c.files[6].masked_by, "/run/sysctl.d/20-b.conf");
  EXPECT_EQ(c.files[2].readers, ConfReader::kBoth);
  EXPECT_EQ(c.files[1].readers, ConfReader::kNone);
}

TEST(SysctlConfOrder, SortIsBytewiseNotNatural) {
  const auto c = make_config({{"/etc/sysctl.d/9-x.conf", ""},
                              {"/etc/sysctl.d/10-x.conf", ""},
                              {"/etc/sysctl.d/Z.conf", ""},
                              {"/etc/sysctl.d/a.conf", ""}});
  const std::vector<std::string> want = {"/etc/sysctl.d/10-x.conf", "/etc/sysctl.d/9-x.conf",
                                         "/etc/sysctl.d/Z.conf", "/etc/sysctl.d/a.conf"};
  EXPECT_EQ(systemd_order(c), want);
}

TEST(SysctlConfOrder, DevNullLinkMasksAndIsReadAsEmpty) {
  const auto c = make_config({{"/etc/sysctl.d/50-pid-max.conf", "", true},
                              {"/usr/lib/sysctl.d/50-pid-max.conf", "net.ipv4.tcp_fin_timeout = 5\n"}});
  EXPECT_EQ(systemd_order(c), std::vector<std::string>{"/etc/sysctl.d/50-pid-max.conf"});
  EXPECT_EQ(c.files[1].masked_by, "/etc/sysctl.d/50-pid-max.conf");
  EXPECT_TRUE(resolve_config(c, kKnown).settings.empty());
}

TEST(SysctlConfOrder, SysctlConfIsLastForProcpsOnly) {
  const auto c = make_config({{"/etc/sysctl.conf", ""}, {"/usr/lib/sysctl.d/zz.conf", ""}});
  EXPECT_EQ(systemd_order(c), std::vector<std::string>{"/usr/lib/sysctl.d/zz.conf"});
  EXPECT_EQ(procps_order(c), (std::vector<std::string>{"/usr/lib/sysctl.d/zz.conf", "/etc/sysctl.conf"}));
  EXPECT_EQ(c.files[0].readers, ConfReader::kProcps);
}

TEST(SysctlConfOrder, HiddenFilesAndLibDirAreProcpsOnly) {
  const auto c = make_config({{"/etc/sysctl.d/.hidden.conf", ""}, {"/lib/sysctl.d/60-old.conf", ""}});
  EXPECT_TRUE(systemd_order(c).empty());
  EXPECT_EQ(procps_order(c),
            (std::vector<std::string>{"/etc/sysctl.d/.hidden.conf", "/lib/sysctl.d/60-old.conf"}));
}

TEST(SysctlConfResolve, LaterAssignmentWinsAndShadowsEarlier) {
  const auto c = make_config({
      {"/usr/lib/sysctl.d/10-vendor.conf", "net.ipv4.tcp_fin_timeout = 60\n"},
      {"/etc/sysctl.d/20-admin.conf", "net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.tcp_fin_timeout = 20\n"},
  });
  const auto r = resolve_config(c, kKnown);
  ASSERT_EQ(r.settings.size(), 1u);
  const auto& s = r.settings.at("net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(s.winner.value, "20");
  EXPECT_EQ(where(s.winner), "/etc/sysctl.d/20-admin.conf:2");
  ASSERT_EQ(s.shadowed.size(), 2u);
  EXPECT_EQ(where(s.shadowed[0]), "/usr/lib/sysctl.d/10-vendor.conf:1");
  EXPECT_EQ(where(s.shadowed[1]), "/etc/sysctl.d/20-admin.conf:1");
  EXPECT_FALSE(s.procps_winner.has_value());
  EXPECT_FALSE(s.procps_only);
}

TEST(SysctlConfResolve, DebianSysctlConfLinkAndFilesAfterIt) {
  // Debian: /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf. systemd reads it at "99-sysctl";
  // procps reads it there and again at the very end, so it beats 99-zz.conf for procps only.
  const std::string conf = "net.ipv4.tcp_fin_timeout = 45\nnet.ipv4.tcp_syn_retries = 4\n";
  const auto c = make_config({
      {"/etc/sysctl.d/99-sysctl.conf", conf},
      {"/etc/sysctl.conf", conf},
      {"/etc/sysctl.d/99-zz.conf", "net.ipv4.tcp_fin_timeout = 15\n"},
  });
  const auto r = resolve_config(c, kKnown);
  const auto& fin = r.settings.at("net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(where(fin.winner), "/etc/sysctl.d/99-zz.conf:1");
  ASSERT_TRUE(fin.procps_winner.has_value());
  EXPECT_EQ(where(*fin.procps_winner), "/etc/sysctl.conf:1");
  EXPECT_EQ(fin.procps_winner->value, "45");
  // Same value through both paths: no difference reported.
  const auto& syn = r.settings.at("net.ipv4.tcp_syn_retries");
  EXPECT_EQ(where(syn.winner), "/etc/sysctl.d/99-sysctl.conf:2");
  EXPECT_FALSE(syn.procps_winner.has_value());
}

TEST(SysctlConfResolve, SysctlConfWithoutLinkIsProcpsOnly) {
  const auto c = make_config({{"/etc/sysctl.conf", "net.ipv4.tcp_keepalive_time = 600\n"}});
  const auto r = resolve_config(c, kKnown);
  const auto& s = r.settings.at("net.ipv4.tcp_keepalive_time");
  EXPECT_TRUE(s.procps_only);
  EXPECT_EQ(where(s.winner), "/etc/sysctl.conf:1");
}

TEST(SysctlConfResolve, ExplicitKeyBeatsGlobWhateverTheOrder) {
  const auto c = make_config({
      {"/etc/sysctl.d/10-lo.conf", "net.ipv4.conf.lo.rp_filter = 0\n"},
      {"/etc/sysctl.d/90-all.conf", "net.ipv4.conf.*.rp_filter = 2\n"},
  });
  const auto r = resolve_config(c, kKnown);
  EXPECT_EQ(r.settings.at("net.ipv4.conf.lo.rp_filter").winner.value, "0");
  const auto& lo = r.settings.at("net.ipv4.conf.lo.rp_filter");
  ASSERT_EQ(lo.shadowed.size(), 1u);
  EXPECT_TRUE(lo.shadowed[0].glob);
  EXPECT_EQ(r.settings.at("net.ipv4.conf.all.rp_filter").winner.value, "2");
  EXPECT_EQ(r.settings.at("net.ipv4.conf.default.rp_filter").winner.key, "net.ipv4.conf.*.rp_filter");
  EXPECT_EQ(r.settings.at("net.ipv4.conf.eth0/100.rp_filter").winner.value, "2");
  EXPECT_EQ(r.settings.size(), 4u);
}

TEST(SysctlConfResolve, ExclusionKeepsKeyOutOfGlobs) {
  const auto c = make_config({{"/etc/sysctl.d/10.conf",
                               "net.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.rp_filter\n"}});
  const auto r = resolve_config(c, kKnown);
  EXPECT_FALSE(r.settings.contains("net.ipv4.conf.all.rp_filter"));
  EXPECT_TRUE(r.settings.contains("net.ipv4.conf.lo.rp_filter"));
}

TEST(SysctlConfResolve, PatternExclusionExcludesNothing) {
  const auto c = make_config({{"/etc/sysctl.d/10.conf",
                               "-net.ipv4.conf.d*.rp_filter\nnet.ipv4.conf.*.rp_filter = 1\n"}});
  const auto r = resolve_config(c, kKnown);
  EXPECT_EQ(r.settings.at("net.ipv4.conf.default.rp_filter").winner.value, "1");
}

TEST(SysctlConfResolve, ExclusionAfterAssignmentCancelsItForSystemdOnly) {
  const auto c = make_config({{"/etc/sysctl.d/10.conf",
                               "net.ipv4.tcp_syn_retries = 3\n-net.ipv4.tcp_syn_retries\n"}});
  const auto r = resolve_config(c, kKnown);
  const auto& s = r.settings.at("net.ipv4.tcp_syn_retries");
  EXPECT_TRUE(s.procps_only);
  EXPECT_EQ(s.winner.value, "3");
}

TEST(SysctlConfResolve, RepeatedGlobWithSameValueKeepsItsPlaceInSystemd) {
  // Verified on systemd 252 / procps 4.0.2: systemd ends with all/default = 2, procps with 1.
  const auto c = make_config({{"/etc/sysctl.d/10.conf",
                               "net.ipv4.conf.*.arp_ignore = 1\n"
                               "net.ipv4.conf.[ad]*.arp_ignore = 2\n"
                               "net.ipv4.conf.*.arp_ignore = 1\n"}});
  const auto r = resolve_config(c, kKnown);
  const auto& all = r.settings.at("net.ipv4.conf.all.arp_ignore");
  EXPECT_EQ(all.winner.value, "2");
  ASSERT_TRUE(all.procps_winner.has_value());
  EXPECT_EQ(where(*all.procps_winner), "/etc/sysctl.d/10.conf:3");
  EXPECT_EQ(all.shadowed.size(), 2u);
  const auto& lo = r.settings.at("net.ipv4.conf.lo.arp_ignore");
  EXPECT_EQ(lo.winner.value, "1");
  EXPECT_EQ(where(lo.winner), "/etc/sysctl.d/10.conf:1");
  EXPECT_FALSE(lo.procps_winner.has_value());
}

TEST(SysctlConfResolve, GlobStarDoesNotCrossPathComponents) {
  EXPECT_TRUE(sysctl_glob_match("net.ipv4.conf.*.rp_filter", "net.ipv4.conf.eth0/100.rp_filter"));
  EXPECT_FALSE(sysctl_glob_match("net.*", "net.ipv4.tcp_fin_timeout"));
  EXPECT_FALSE(sysctl_glob_match("net.ipv4.*", "net.ipv4.conf.lo.rp_filter"));
  EXPECT_TRUE(sysctl_glob_match("net.ipv4.tcp_*", "net.ipv4.tcp_fin_timeout"));
  EXPECT_TRUE(sysctl_glob_match("net.ipv4.conf.?o.rp_filter", "net.ipv4.conf.lo.rp_filter"));
}

TEST(SysctlConfResolve, UnmatchedGlobsAndUnknownExplicitKeys) {
  const auto c = make_config({{"/etc/sysctl.d/10.conf",
                               "net.ipv6.conf.*.use_tempaddr = 2\nnet.ipv4.tcp_nonexistent = 1\n"}});
  const auto r = resolve_config(c, kKnown);
  ASSERT_EQ(r.unmatched_globs.size(), 1u);
  EXPECT_EQ(r.unmatched_globs[0].key, "net.ipv6.conf.*.use_tempaddr");
  EXPECT_TRUE(r.settings.contains("net.ipv4.tcp_nonexistent"));
}

TEST(SysctlConfResolve, IgnoreFailureOfIdenticalReassignmentIsMerged) {
  const auto c = make_config({{"/etc/sysctl.d/10.conf", "net.ipv4.tcp_fin_timeout = 30\n"},
                              {"/etc/sysctl.d/20.conf", "-net.ipv4.tcp_fin_timeout = 30\n"}});
  const auto r = resolve_config(c, kKnown);
  const auto& s = r.settings.at("net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(where(s.winner), "/etc/sysctl.d/10.conf:1");
  EXPECT_TRUE(s.winner.ignore_failure);
}

TEST(SysctlValueDrift, WhitespaceAndNumbers) {
  const auto live = parse_sysctl_value("4096\t131072\t6291456");
  EXPECT_EQ(value_differs(live, "4096 131072   6291456"), false);
  EXPECT_EQ(value_differs(live, "4096 131072 4194304"), true);
  EXPECT_EQ(value_differs(parse_sysctl_value("8"), "010"), false);  // kernel parses base 0
  EXPECT_EQ(value_differs(parse_sysctl_value("32"), "0x20"), false);
  EXPECT_EQ(value_differs(parse_sysctl_value("10"), "010"), true);
  EXPECT_EQ(value_differs(parse_sysctl_value("-1"), "-1"), false);
  EXPECT_EQ(value_differs(parse_sysctl_value("bbr"), "bbr"), false);
  EXPECT_EQ(value_differs(parse_sysctl_value("cubic"), "bbr"), true);
  EXPECT_EQ(value_differs(parse_sysctl_value("1"), ""), std::nullopt);
  EXPECT_EQ(value_differs(parse_sysctl_value("1"), "yes"), std::nullopt);
}

}  // namespace
}  // namespace tcptune::core

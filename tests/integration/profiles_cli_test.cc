// The profile subcommands of the built binary against copies of the fixture trees (--root):
// no namespace needed, nothing of the host is read or written.
#include <filesystem>

#include <gtest/gtest.h>

#include "run_binary.h"

namespace tcptune {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_tcptune;
using testing::TempDir;
using testing::write_text;

// A writable copy of tests/fixtures/trees/NAME (symlinks kept as links).
std::string copy_tree(const TempDir& tmp, const std::string& name) {
  const std::string dst = tmp.path() + "/" + name;
  fs::copy(std::string(TCPTUNE_SOURCE_DIR) + "/tests/fixtures/trees/" + name, dst,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  return dst;
}

TEST(ProfilesCli, ListAndShow) {
  auto list = run_tcptune({"profiles"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const char* n : {"chat-long", "common", "http-client", "http-short", "kernel-defaults", "reverse-proxy"}) {
    EXPECT_NE(list.out.find(std::string("\n") + n + " "), std::string::npos) << n;
  }
  auto show = run_tcptune({"profiles", "show", "reverse-proxy"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("Applied in order: common, http-short, http-client, reverse-proxy\n"), std::string::npos);
  EXPECT_NE(show.out.find("via reverse-proxy -> http-short -> common"), std::string::npos) << show.out;
  auto missing = run_tcptune({"profiles", "show", "chat-lnog"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "tcptune: error: profile 'chat-lnog': no such profile\nhint: did you mean 'chat-long'?\n");
}

TEST(ProfilesCli, BrokenUserProfileIsALocatedError) {
  TempDir tmp;
  write_text(tmp.path() + "/mine.toml",
             "name = \"mine\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_tw_recycle\"\n"
             "value = 1\nreason = \"old advice\"\n");
  auto r = run_tcptune({"profiles", "--profiles", tmp.path()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, tmp.path() + "/mine.toml:4:7: error: net.ipv4.tcp_tw_recycle was removed in Linux 4.12; "
                                "a profile never sets it\n");
}

TEST(ProfilesCli, RecommendShowsDiffAndAlreadyAtTarget) {
  TempDir tmp;
  const std::string root = copy_tree(tmp, "linux-6.18");
  auto r = run_tcptune({"--root", root, "recommend", "--profile", "http-client"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Profile 'http-client' against root " + root + " (Linux 6.18.44)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("net.ipv4.tcp_timestamps       1 (already at target)  [from common]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("net.ipv4.ip_local_port_range  32768 60999 -> 16384 65535\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 of 3 settings differ from the profile.\n"), std::string::npos);
}

TEST(ProfilesCli, RecommendRefusesAKeyTheKernelLacks) {
  TempDir tmp;
  const std::string root = copy_tree(tmp, "linux-4.9");
  auto r = run_tcptune({"--root", root, "recommend", "--profile", "kernel-defaults"});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // kernel_defaults entries the kernel lacks are left out
  EXPECT_NE(r.out.find("net.ipv4.tcp_tw_reuse_delay: not present on this kernel"), std::string::npos) << r.out;
  write_text(tmp.path() + "/p.toml", "name = \"delay\"\ndescription = \"d\"\n[[setting]]\n"
                                     "key = \"net.ipv4.tcp_tw_reuse_delay\"\nvalue = 2000\nreason = \"r\"\n");
  auto bad = run_tcptune({"--root", root, "recommend", "--profile", "delay", "--profiles", tmp.path()});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.err, "tcptune: error: net.ipv4.tcp_tw_reuse_delay: the running kernel (Linux 4.9) does not have "
                     "this key (profile 'delay' sets it at " + tmp.path() + "/p.toml:3)\n"
                     "hint: the key was added in Linux 6.14\n");
}

TEST(ProfilesCli, ApplyPersistChoosesAWinningNameAndRollbackRestores) {
  TempDir tmp;
  const std::string root = copy_tree(tmp, "linux-6.18");
  // /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf sets one of chat-long's keys.
  write_text(root + "/etc/sysctl.conf", "net.ipv4.tcp_keepalive_time = 600\n");
  const std::string state = tmp.path() + "/state";
  auto r = run_tcptune({"--root", root, "apply", "--profile", "chat-long", "--yes", "--persist", "--state-dir", state});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: /etc/sysctl.d/90-tcptune-chat-long.conf would be overridden at boot; using "
                       "/etc/sysctl.d/99-tcptune-chat-long.conf instead\n"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/etc/sysctl.conf:1: warning: net.ipv4.tcp_keepalive_time = 600 here overrides "
                       "/etc/sysctl.d/99-tcptune-chat-long.conf (read later by sysctl --system (procps))\n"),
            std::string::npos) << r.err;
  const std::string file = root + "/etc/sysctl.d/99-tcptune-chat-long.conf";
  EXPECT_NE(read_text(file).find("\nnet.ipv4.tcp_keepalive_time = 120\n"), std::string::npos);
  EXPECT_EQ(read_text(root + "/proc/sys/net/ipv4/tcp_keepalive_time"), "120\n");
  EXPECT_NE(r.out.find("Applied 5 changes:\n  net.ipv4.tcp_keepalive_time: 7200 -> 120\n"), std::string::npos) << r.out;

  auto rb = run_tcptune({"--root", root, "rollback", "--yes", "--state-dir", state});
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_EQ(read_text(root + "/proc/sys/net/ipv4/tcp_keepalive_time"), "7200\n");
  EXPECT_NE(rb.out.find("Restored 5 settings: "), std::string::npos);
}

TEST(ProfilesCli, GenerateRefusesToWriteThroughASymlink) {
  TempDir tmp;
  const std::string root = copy_tree(tmp, "linux-6.18");
  write_text(tmp.path() + "/victim", "keep me\n");
  fs::create_symlink(tmp.path() + "/victim", tmp.path() + "/out.conf");
  auto r = run_tcptune({"--root", root, "generate", "--profile", "http-short", "-o", tmp.path() + "/out.conf"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("refusing to replace a symbolic link"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(tmp.path() + "/victim"), "keep me\n");
  auto ok = run_tcptune({"--root", root, "generate", "--profile", "http-short", "-o", root + "/etc/sysctl.d/90-web.conf"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(read_text(root + "/etc/sysctl.d/90-web.conf").rfind("# Generated by tcptune ", 0), 0u);
}

}  // namespace
}  // namespace tcptune

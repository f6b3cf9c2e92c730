#include "platform/config_dirs.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/sysctl_conf_resolve.h"

namespace tcptune::platform {
namespace {

namespace fs = std::filesystem;

class ConfigDirsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tcptune-confdirs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& path, const std::string& text) {
    const fs::path p = fs::path(root_) / path.substr(1);
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  void link(const std::string& path, const std::string& target) {
    const fs::path p = fs::path(root_) / path.substr(1);
    fs::create_directories(p.parent_path());
    fs::create_symlink(target, p);
  }
  const core::ConfFile* file(const core::SysctlConfig& c, const std::string& path) {
    for (const auto& f : c.files)
      if (f.path == path) return &f;
    return nullptr;
  }

  std::string root_;
};

TEST_F(ConfigDirsTest, EmptyRootIsNormal) {
  const auto c = ConfigDirs(root_).load();
  EXPECT_TRUE(c.files.empty());
  EXPECT_TRUE(c.assignments.empty());
  EXPECT_TRUE(c.issues.empty());
}

TEST_F(ConfigDirsTest, DebianLayoutWithMaskingAndDevNull) {
  write("/etc/sysctl.conf", "net.ipv4.tcp_fin_timeout = 45\n");
  link("/etc/sysctl.d/99-sysctl.conf", "../sysctl.conf");
  write("/etc/sysctl.d/README.sysctl", "not a conf file\n");
  write("/usr/lib/sysctl.d/50-pid-max.conf", "kernel.pid_max = 4194304\n");
  link("/etc/sysctl.d/50-pid-max.conf", "/dev/null");
  write("/usr/lib/sysctl.d/10-a.conf", "net.core.somaxconn = 1024\n");
  write("/run/sysctl.d/10-a.conf", "net.core.somaxconn = 2048\n");
  fs::create_directories(fs::path(root_) / "etc/sysctl.d/dir.conf");

  const auto c = ConfigDirs(root_).load();
  EXPECT_TRUE(c.issues.empty());
  ASSERT_EQ(c.files.size(), 6u);
  const auto* deb = file(c, "/etc/sysctl.d/99-sysctl.conf");
  ASSERT_NE(deb, nullptr);
  EXPECT_EQ(deb->symlink_target, "../sysctl.conf");
  EXPECT_EQ(deb->readers, core::ConfReader::kBoth);
  const auto* null = file(c, "/etc/sysctl.d/50-pid-max.conf");
  ASSERT_NE(null, nullptr);
  EXPECT_TRUE(null->masked_null);
  EXPECT_EQ(file(c, "/usr/lib/sysctl.d/50-pid-max.conf")->masked_by, "/etc/sysctl.d/50-pid-max.conf");
  EXPECT_EQ(file(c, "/usr/lib/sysctl.d/10-a.conf")->masked_by, "/run/sysctl.d/10-a.conf");
  EXPECT_EQ(file(c, "/etc/sysctl.conf")->readers, core::ConfReader::kProcps);

  const std::vector<std::string> sd = {"/run/sysctl.d/10-a.conf", "/etc/sysctl.d/50-pid-max.conf",
                                       "/etc/sysctl.d/99-sysctl.conf"};
  EXPECT_EQ(core::systemd_order(c), sd);
  auto pp = sd;
  pp.emplace_back("/etc/sysctl.conf");
  EXPECT_EQ(core::procps_order(c), pp);

  // Every readable file is parsed, masked ones included (so "explain" can show them).
  const auto r = core::resolve_config(c, {"net.core.somaxconn", "net.ipv4.tcp_fin_timeout", "kernel.pid_max"});
  EXPECT_EQ(r.settings.at("net.core.somaxconn").winner.value, "2048");
  EXPECT_EQ(r.settings.at("net.ipv4.tcp_fin_timeout").winner.where.file, "/etc/sysctl.d/99-sysctl.conf");
  EXPECT_FALSE(r.settings.contains("kernel.pid_max"));
}

TEST_F(ConfigDirsTest, AbsoluteLinksResolveInsideTheRoot) {
  write("/etc/sysctl.conf", "net.ipv4.tcp_syn_retries = 4\n");
  link("/etc/sysctl.d/99-sysctl.conf", "/etc/sysctl.conf");
  link("/run/sysctl.d/20-escape.conf", "../../../../../../../../etc/sysctl.conf");
  const auto c = ConfigDirs(root_).load();
  EXPECT_TRUE(c.issues.empty());
  ASSERT_EQ(c.assignments.size(), 3u);
  for (const auto& a : c.assignments) EXPECT_EQ(a.value, "4");
  auto r = resolve_in_root(root_, "/run/sysctl.d/20-escape.conf");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "/etc/sysctl.conf");
}

TEST_F(ConfigDirsTest, LinkedDirectoryIsFollowedInsideTheRoot) {
  write("/usr/lib/sysctl.d/50-x.conf", "net.core.somaxconn = 4096\n");
  link("/lib", "/usr/lib");  // usr-merge, with an absolute link
  const auto c = ConfigDirs(root_).load();
  ASSERT_NE(file(c, "/lib/sysctl.d/50-x.conf"), nullptr);
  EXPECT_EQ(file(c, "/lib/sysctl.d/50-x.conf")->masked_by, "/usr/lib/sysctl.d/50-x.conf");
  EXPECT_EQ(c.assignments.size(), 2u);
}

TEST_F(ConfigDirsTest, LoopsDanglingLinksAndDirectoriesAreIssues) {
  link("/etc/sysctl.d/10-loop.conf", "20-loop.conf");
  link("/etc/sysctl.d/20-loop.conf", "10-loop.conf");
  link("/etc/sysctl.d/30-dangling.conf", "/nowhere/x.conf");
  fs::create_directories(fs::path(root_) / "srv/adir");
  link("/etc/sysctl.d/40-dir.conf", "/srv/adir");
  write("/etc/sysctl.d/50-ok.conf", "net.core.somaxconn = 4096\n");
  const auto c = ConfigDirs(root_).load();
  ASSERT_EQ(c.files.size(), 5u);
  EXPECT_EQ(file(c, "/etc/sysctl.d/10-loop.conf")->read_error, "Too many levels of symbolic links");
  EXPECT_EQ(file(c, "/etc/sysctl.d/30-dangling.conf")->read_error, "No such file or directory");
  EXPECT_EQ(file(c, "/etc/sysctl.d/40-dir.conf")->read_error, "Is a directory");
  ASSERT_EQ(c.issues.size(), 4u);
  EXPECT_EQ(c.issues[0].where.file, "/etc/sysctl.d/10-loop.conf");
  EXPECT_EQ(c.issues[0].message, "cannot read: Too many levels of symbolic links");
  EXPECT_EQ(c.issues[2].message, "cannot read: No such file or directory");
  ASSERT_EQ(c.assignments.size(), 1u);  // the good file is still read
  EXPECT_EQ(c.assignments[0].where.file, "/etc/sysctl.d/50-ok.conf");
}

TEST_F(ConfigDirsTest, FifoIsNotOpened) {
  const fs::path p = fs::path(root_) / "etc/sysctl.d/10-fifo.conf";
  fs::create_directories(p.parent_path());
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  const auto c = ConfigDirs(root_).load();  // would block forever if opened
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].read_error, "not a regular file");
  ASSERT_EQ(c.issues.size(), 1u);
  EXPECT_EQ(c.issues[0].message, "cannot read: not a regular file");
}

TEST_F(ConfigDirsTest, UnreadableFileIsRecordedNotFatal) {
  write("/etc/sysctl.d/10-secret.conf", "net.core.somaxconn = 1\n");
  write("/etc/sysctl.d/20-open.conf", "net.core.somaxconn = 2\n");
  ASSERT_EQ(::chmod((root_ + "/etc/sysctl.d/10-secret.conf").c_str(), 0), 0);
  ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);
  // Root reads mode 000 anyway (CAP_DAC_OVERRIDE), so load as "nobody" in a child process and
  // report the outcome through the exit status.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0))
      ::_exit(2);
    const auto c = ConfigDirs(root_).load();
    const bool ok = c.files.size() == 2 && c.files[0].read_error == "Permission denied" &&
                    c.issues.size() == 1 && c.issues[0].message == "cannot read: Permission denied" &&
                    c.assignments.size() == 1 && c.assignments[0].value == "2";
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "cannot drop privileges to uid 65534";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "unreadable file not recorded as expected";
}

TEST_F(ConfigDirsTest, ParseIssuesCarryTheTargetPath) {
  write("/etc/sysctl.d/10-bad.conf", "garbage\n");
  const auto c = ConfigDirs(root_).load();
  ASSERT_EQ(c.issues.size(), 1u);
  EXPECT_EQ(c.issues[0], (core::ConfIssue{core::SourceLoc{"/etc/sysctl.d/10-bad.conf", 1, 1},
                                          "line has no '=' (ignored)"}));
}

}  // namespace
}  // namespace tcptune::platform

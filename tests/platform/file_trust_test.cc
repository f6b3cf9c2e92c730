// check_trusted on real files: modes, owners, parent directories, symlinks, sticky directories,
// and read_toml_dir refusing an untrusted rule file. Ownership cases need root (chown).
#include "platform/file_trust.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "../integration/run_binary.h"
#include "platform/data_dirs.h"

namespace tcptune::platform {
namespace {

namespace fs = std::filesystem;
using tcptune::testing::TempDir;
using tcptune::testing::write_text;

constexpr unsigned kNobody = 65534;

// A temporary tree (mkdtemp: 0700, ours) with rules.d/x.toml at mode 0644.
class FileTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir(dir().c_str(), 0755), 0);
    write_text(file(), "# rule\n");
    ASSERT_EQ(::chmod(file().c_str(), 0644), 0);
  }
  std::string dir() const { return tmp_.path() + "/rules.d"; }
  std::string file() const { return dir() + "/x.toml"; }
  // The policy as the current user sees it (root: root only; others: root or themselves).
  static std::string check(const std::string& p) {
    auto st = check_trusted_for(p, ::geteuid());
    return st.ok() ? "ok" : st.error().render();
  }
  TempDir tmp_;
};

TEST_F(FileTrust, PrivateFileInPrivateDirectoriesIsTrusted) {
  EXPECT_EQ(check(file()), "ok");
  EXPECT_EQ(check(dir()), "ok");
}

TEST_F(FileTrust, FileWritableByOthersOrGroupIsRefusedWithItsMode) {
  ASSERT_EQ(::chmod(file().c_str(), 0666), 0);
  EXPECT_EQ(check(file()), "tcptune: error: " + file() + ": refusing to load: writable by others (mode 0666)\n"
                           "hint: chmod o-w " + file());
  ASSERT_EQ(::chmod(file().c_str(), 0664), 0);
  EXPECT_EQ(check(file()), "tcptune: error: " + file() + ": refusing to load: writable by group (mode 0664)\n"
                           "hint: chmod g-w " + file());
}

TEST_F(FileTrust, WritableParentDirectoryIsRefusedNamingBoth) {
  ASSERT_EQ(::chmod(dir().c_str(), 0777), 0);
  EXPECT_EQ(check(file()), "tcptune: error: " + dir() + ": refusing to load " + file() +
                               ": directory writable by others (mode 0777)\nhint: chmod o-w " + dir());
  ASSERT_EQ(::chmod(dir().c_str(), 0775), 0);
  EXPECT_EQ(check(file()), "tcptune: error: " + dir() + ": refusing to load " + file() +
                               ": directory writable by group (mode 0775)\nhint: chmod g-w " + dir());
}

TEST_F(FileTrust, StickyWorldWritableDirectoryIsRefusedUnlessOwnedByRoot) {
  ASSERT_EQ(::chmod(dir().c_str(), 01777), 0);
  if (::geteuid() == 0) {
    EXPECT_EQ(check(file()), "ok");  // like /tmp: others cannot replace root's entries
  } else {
    EXPECT_EQ(check(file()), "tcptune: error: " + dir() + ": refusing to load " + file() +
                                 ": directory writable by others (mode 1777)\nhint: chmod o-w " + dir());
  }
}

TEST_F(FileTrust, SymlinkIntoAnUntrustedDirectoryIsRefused) {
  const std::string open_dir = tmp_.path() + "/open";
  ASSERT_EQ(::mkdir(open_dir.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);
  write_text(open_dir + "/planted.toml", "# planted\n");
  ASSERT_EQ(::chmod((open_dir + "/planted.toml").c_str(), 0644), 0);
  const std::string link = dir() + "/link.toml";
  ASSERT_EQ(::symlink((open_dir + "/planted.toml").c_str(), link.c_str()), 0);
  EXPECT_EQ(check(link), "tcptune: error: " + open_dir + ": refusing to load " + link +
                             ": directory writable by others (mode 0777)\nhint: chmod o-w " + open_dir);
}

TEST_F(FileTrust, MissingFileIsAnErrorWithErrno) {
  EXPECT_EQ(check(dir() + "/nope.toml"),
            "tcptune: error: " + dir() + "/nope.toml: cannot check ownership and mode: No such file or directory");
}

TEST_F(FileTrust, FileOrDirectoryOwnedByAnotherUserIsRefusedForRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown files to another user";
  ASSERT_EQ(::chown(file().c_str(), kNobody, 0), 0);
  EXPECT_EQ(check_trusted(file()).error().render(),
            "tcptune: error: " + file() + ": refusing to load: owned by uid 65534, not root (mode 0644)\n"
                                          "hint: chown root " + file());
  ASSERT_EQ(::chown(file().c_str(), 0, 0), 0);
  ASSERT_EQ(::chown(dir().c_str(), kNobody, 0), 0);
  EXPECT_EQ(check_trusted(file()).error().render(),
            "tcptune: error: " + dir() + ": refusing to load " + file() +
                ": directory owned by uid 65534, not root (mode 0755)\nhint: chown root " + dir());
  // The same tree is fine for the user who owns it.
  EXPECT_TRUE(check_trusted_for(file(), kNobody).ok());
}

TEST_F(FileTrust, ReadTomlDirRefusesAnUntrustedRuleFileAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "the check only applies when running as root";
  write_text(dir() + "/a.toml", "# fine\n");
  ASSERT_EQ(::chmod((dir() + "/a.toml").c_str(), 0644), 0);
  ASSERT_TRUE(read_toml_dir(dir(), false).ok());
  ASSERT_EQ(::chmod(file().c_str(), 0646), 0);
  auto r = read_toml_dir(dir(), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: " + file() + ": refusing to load: writable by others (mode 0646)\n"
                                "hint: chmod o-w " + file());
  ASSERT_EQ(::chmod(file().c_str(), 0644), 0);
  ASSERT_EQ(::chmod(dir().c_str(), 0757), 0);
  r = read_toml_dir(dir(), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "tcptune: error: " + dir() + ": refusing to load: writable by others (mode 0757)\n"
                                "hint: chmod o-w " + dir());
}

}  // namespace
}  // namespace tcptune::platform

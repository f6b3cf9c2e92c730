// write_file_atomic against a hostile directory: a symlink at the target, and a symlink or
// another user's file planted at the temporary names the writer tries (detail::
// write_file_atomic_named chooses the names, so the test knows them). Nothing is ever written
// through a link and nothing planted is touched.
#include "platform/atomic_file.h"

#include <cerrno>
#include <dirent.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../integration/run_binary.h"

namespace tcptune::platform {
namespace {

using testing::read_text;
using testing::TempDir;
using testing::write_text;

constexpr uid_t kNobody = 65534;

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") out.insert(n);
    }
    ::closedir(d);
  }
  return out;
}

// Hands out the given names in order, then fresh ones.
auto names(const std::string& dir, std::vector<std::string> planted) {
  return [dir, planted, i = size_t{0}]() mutable {
    const std::string n = i < planted.size() ? planted[i] : fmt::format(".fresh{}", i);
    ++i;
    return dir + "/" + n;
  };
}

std::string link_target(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

TEST(AtomicFile, PlantedLinkAndForeignFileAtTheTemporaryNamesAreLeftAlone) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to plant a file owned by nobody";
  TempDir tmp;
  const std::string dir = tmp.path() + "/sysctl.d", victim = tmp.path() + "/victim";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  const std::string target = dir + "/90-tcptune.conf";
  write_text(target, "old\n");
  write_text(victim, "victim\n");
  ASSERT_EQ(::symlink(victim.c_str(), (dir + "/.link").c_str()), 0);
  write_text(dir + "/.foreign", "planted\n");
  ASSERT_EQ(::chown((dir + "/.foreign").c_str(), kNobody, kNobody), 0);
  ASSERT_EQ(::chmod((dir + "/.foreign").c_str(), 0666), 0);

  ASSERT_TRUE(detail::write_file_atomic_named(target, "new\n", 0644, names(dir, {".link", ".foreign"})));
  EXPECT_EQ(read_text(target), "new\n");
  EXPECT_EQ(read_text(victim), "victim\n");
  EXPECT_EQ(link_target(dir + "/.link"), victim);
  EXPECT_EQ(read_text(dir + "/.foreign"), "planted\n");
  struct stat st{};
  ASSERT_EQ(::stat((dir + "/.foreign").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(entries(dir), (std::set<std::string>{".foreign", ".link", "90-tcptune.conf"}));
}

TEST(AtomicFile, EveryTemporaryNameTakenIsAnErrorAndTheTargetIsIntact) {
  TempDir tmp;
  const std::string target = tmp.path() + "/journal.json", victim = tmp.path() + "/victim";
  write_text(target, "old\n");
  write_text(victim, "victim\n");
  std::vector<std::string> planted;
  for (int i = 0; i < 16; ++i) {
    planted.push_back(fmt::format(".t{}", i));
    ASSERT_EQ(::symlink(victim.c_str(), (tmp.path() + "/" + planted.back()).c_str()), 0);
  }
  auto st = detail::write_file_atomic_named(target, "new\n", 0600, names(tmp.path(), planted));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().render(), fmt::format("tcptune: error: {}: cannot create temporary file: File exists", target));
  EXPECT_EQ(read_text(target), "old\n");
  EXPECT_EQ(read_text(victim), "victim\n");
  EXPECT_EQ(entries(tmp.path()).size(), 18u);
}

TEST(AtomicFile, DanglingLinkAtTheTemporaryNameIsNotFollowed) {
  TempDir tmp;
  const std::string target = tmp.path() + "/out.conf", dangling = tmp.path() + "/would-be-created";
  ASSERT_EQ(::symlink(dangling.c_str(), (tmp.path() + "/.d").c_str()), 0);
  ASSERT_TRUE(detail::write_file_atomic_named(target, "new\n", 0644, names(tmp.path(), {".d"})));
  EXPECT_EQ(read_text(target), "new\n");
  EXPECT_NE(::access(dangling.c_str(), F_OK), 0) << "a file was created through the dangling link";
  EXPECT_EQ(link_target(tmp.path() + "/.d"), dangling);
}

TEST(AtomicFile, TargetThatIsALinkIsRefusedAndTheLinkedFileIsUntouched) {
  TempDir tmp;
  const std::string target = tmp.path() + "/90-tcptune.conf", victim = tmp.path() + "/victim";
  write_text(victim, "victim\n");
  ASSERT_EQ(::symlink(victim.c_str(), target.c_str()), 0);
  auto st = write_file_atomic(target, "new\n", 0644);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().render(), fmt::format("tcptune: error: {}: refusing to replace a symbolic link\n"
                                             "hint: remove the link or choose another output path", target));
  EXPECT_EQ(read_text(victim), "victim\n");
  EXPECT_EQ(entries(tmp.path()), (std::set<std::string>{"90-tcptune.conf", "victim"}));
}

TEST(AtomicFile, ForeignFileAtTheTargetIsReplacedNotWrittenInto) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to plant a file owned by nobody";
  TempDir tmp;
  const std::string target = tmp.path() + "/90-tcptune.conf", hardlink = tmp.path() + "/kept";
  write_text(target, "planted\n");
  ASSERT_EQ(::chown(target.c_str(), kNobody, kNobody), 0);
  ASSERT_EQ(::link(target.c_str(), hardlink.c_str()), 0);  // the planter keeps a handle on the inode
  ASSERT_TRUE(write_file_atomic(target, "new\n", 0644));
  EXPECT_EQ(read_text(target), "new\n");
  EXPECT_EQ(read_text(hardlink), "planted\n");  // the planted inode was not written
  struct stat st{};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_nlink, 1u);
}

TEST(AtomicFile, TwoWritesLeaveNoTemporaryFileAndOldFixedNamesAreUntouched) {
  // The real writer's names are not predictable: two writes leave no file behind and a file
  // planted at a name of the old fixed form ("<name>.tmp") is not touched.
  TempDir tmp;
  const std::string target = tmp.path() + "/a.conf";
  write_text(target + ".tmp", "planted\n");
  write_text(tmp.path() + "/.a.conf.tmp", "planted\n");
  ASSERT_TRUE(write_file_atomic(target, "1\n", 0644));
  ASSERT_TRUE(write_file_atomic(target, "2\n", 0644));
  EXPECT_EQ(read_text(target), "2\n");
  EXPECT_EQ(read_text(target + ".tmp"), "planted\n");
  EXPECT_EQ(read_text(tmp.path() + "/.a.conf.tmp"), "planted\n");
  EXPECT_EQ(entries(tmp.path()), (std::set<std::string>{".a.conf.tmp", "a.conf", "a.conf.tmp"}));
}

}  // namespace
}  // namespace tcptune::platform

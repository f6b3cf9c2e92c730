// Every place the shipped advice cites a kernel experiment ("tests/kernel/keepalive_test.cc:
// KeepaliveEndsCloseWaitWhenPeerFullyClosed, ...") names a test that exists, so a renamed or
// removed experiment cannot leave a claim pointing at nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(KernelCitations, EveryCitedExperimentExists) {
  const fs::path src = TCPTUNE_SOURCE_DIR;
  std::vector<fs::path> files = {src / "docs" / "kernel-claims.md", src / "docs" / "profiles.md"};
  for (const char* dir : {"rules", "profiles"}) {
    for (const auto& e : fs::directory_iterator(src / dir)) {
      if (e.path().extension() == ".toml") files.push_back(e.path());
    }
  }
  // "tests/kernel/FILE_test.cc: Name, Name" in data files; "`FILE_test.cc: Name`" in the claims table.
  const std::regex cite(R"((?:tests/kernel/|`)(\w+_test\.cc):? ((?:[A-Z]\w+(?:, )?)+))");
  const std::regex name(R"([A-Z]\w+)");
  size_t cited = 0;
  for (const auto& f : files) {
    const std::string text = read(f);
    for (auto m = std::sregex_iterator(text.begin(), text.end(), cite); m != std::sregex_iterator(); ++m) {
      const fs::path test = src / "tests" / "kernel" / (*m)[1].str();
      ASSERT_TRUE(fs::exists(test)) << f << " cites " << test;
      const std::string code = read(test);
      const std::string names = (*m)[2].str();
      for (auto n = std::sregex_iterator(names.begin(), names.end(), name); n != std::sregex_iterator(); ++n) {
        EXPECT_NE(code.find(", " + n->str() + ")"), std::string::npos)
            << f.filename() << " cites " << (*m)[1] << ": " << n->str() << ", which is not a test there";
        ++cited;
      }
    }
  }
  EXPECT_GE(cited, 30u);
}

}  // namespace

// DESIGN.md: src/core is pure. It must not include platform or CLI headers, OS headers, or
// name host paths; this test reads the sources and fails on any such include.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

TEST(Layering, CoreIncludesNoPlatformCliOrOsHeaders) {
  const std::regex forbidden(
      R"re(#\s*include\s*[<"](sys/|linux/|fstream|filesystem|unistd\.h|fcntl\.h|dirent\.h|libmnl|netinet/|arpa/|platform/|cli/|CLI/)|"/(proc|etc|sys|run)/)re");
  std::vector<std::string> offenders;
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(fs::path(TCPTUNE_SOURCE_DIR) / "src/core")) {
    ++files;
    std::ifstream in(e.path());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (std::regex_search(line, forbidden)) offenders.push_back(e.path().filename().string() + ":" + std::to_string(n) + ": " + line);
    }
  }
  EXPECT_GT(files, 10u);
  EXPECT_TRUE(offenders.empty()) << ::testing::PrintToString(offenders);
}

TEST(Layering, SourceFilesStayWithinTheSizeBudget) {
  std::vector<std::string> too_big;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(TCPTUNE_SOURCE_DIR) / "src")) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path());
    size_t lines = 0;
    std::string line;
    while (std::getline(in, line)) ++lines;
    if (lines > 600) too_big.push_back(e.path().string() + " (" + std::to_string(lines) + " lines)");
  }
  EXPECT_TRUE(too_big.empty()) << ::testing::PrintToString(too_big);
}

}  // namespace

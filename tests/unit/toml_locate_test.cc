#include "core/toml_locate.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

SourceLoc at(std::string_view file, int line, int col, std::string_view decoded, size_t off) {
  return StringLocator(file, SourceLoc{"f", line, col}, decoded).at(off);
}

TEST(StringLocator, LiteralAndBasicStrings) {
  EXPECT_EQ(at("x = 'abc'", 1, 5, "abc", 2), (SourceLoc{"f", 1, 8}));
  // Each escape occupies two or more columns but one decoded byte (or a UTF-8 sequence).
  EXPECT_EQ(at(R"(x = "a\"b\\c")", 1, 5, "a\"b\\c", 4), (SourceLoc{"f", 1, 12}));
  EXPECT_EQ(at(R"(x = "\u00e9z")", 1, 5, "\xc3\xa9z", 2), (SourceLoc{"f", 1, 12}));
}

TEST(StringLocator, MultiLineStrings) {
  const std::string lit = "x = '''\nab\n  cd'''";
  EXPECT_EQ(at(lit, 1, 5, "ab\n  cd", 5), (SourceLoc{"f", 3, 3}));
  const std::string basic = "x = \"\"\"\\\n   ab \\\n   cd\"\"\"";
  EXPECT_EQ(at(basic, 1, 5, "ab cd", 3), (SourceLoc{"f", 3, 4}));
}

TEST(StringLocator, ColumnsCountCodePoints) {
  EXPECT_EQ(at("\xc3\xa9 = 'ab'", 1, 5, "ab", 1), (SourceLoc{"f", 1, 7}));
}

TEST(StringLocator, MismatchFallsBackToTheStringStart) {
  EXPECT_EQ(at("x = 'abc'", 1, 5, "something else", 3), (SourceLoc{"f", 1, 5}));
  EXPECT_EQ(at("x = 'abc'", 9, 1, "abc", 1), (SourceLoc{"f", 9, 1}));
}

}  // namespace
}  // namespace tcptune::core

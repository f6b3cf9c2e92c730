#include "core/toml_table.h"

#include <array>

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

constexpr std::array<TomlField, 3> kFields{{
    {"name", TomlKind::kString, true}, {"size", TomlKind::kInteger, false, "a size in bytes"}, {"tags", TomlKind::kAny}}};

// The first error of reading `text`'s root table against kFields, or "ok".
std::string error_of(const std::string& text, std::string_view noun = "field", std::string_view in = {}) {
  auto parsed = parse_toml(text, "t.toml");
  if (!parsed) return parsed.error().render();
  const TomlTable table("t.toml", parsed->table(), kFields, noun, in);
  if (auto st = table.check_required("thing", SourceLoc{"t.toml", 1, 1}); !st) return st.error().render();
  auto entries = table.entries();
  return entries ? "ok" : entries.error().render();
}

TEST(TomlTable, UnknownKeysAreLocatedWithDidYouMean) {
  EXPECT_EQ(error_of("name = \"a\"\nszie = 1\n"), "t.toml:2:1: error: unknown field 'szie' (did you mean 'size'?)");
  EXPECT_EQ(error_of("name = \"a\"\nzzz = 1\n", "section", " in [[thing]]"), "t.toml:2:1: error: unknown section 'zzz' in [[thing]]");
}

TEST(TomlTable, KindsRequiredFieldsAndFileOrder) {
  EXPECT_EQ(error_of("name = 1\n"), "t.toml:1:8: error: field 'name' must be a string, not an integer");
  EXPECT_EQ(error_of("name = \"a\"\nsize = \"big\"\n"), "t.toml:2:8: error: field 'size' must be a size in bytes, not a string");
  EXPECT_EQ(error_of("size = 2\n"), "t.toml:1:1: error: thing is missing required field 'name'");
  EXPECT_EQ(error_of("name = \"a\"\ntags = 1979-05-27\n"), "ok");  // kAny: the loader checks it
  // The first error in the file, not in key order.
  EXPECT_EQ(error_of("zz = 1\naa = 2\nname = \"a\"\n"), "t.toml:1:1: error: unknown field 'zz'");
  EXPECT_EQ(error_of("size = \"x\"\nname = 2\n"), "t.toml:1:8: error: field 'size' must be a size in bytes, not a string");
}

TEST(TomlTable, StringArraysAndParseErrors) {
  auto parsed = parse_toml("a = [\"x\", 2]\n", "t.toml");
  ASSERT_TRUE(parsed.ok());
  auto list = toml_strings("t.toml", "a", *parsed->table()["a"].as_array());
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().render(), "t.toml:1:11: error: elements of 'a' must be strings, not an integer");
  EXPECT_EQ(error_of("name = \n"), "t.toml:1:8: error: Error while parsing key-value pair: expected value, saw '\\n'");
}

}  // namespace
}  // namespace tcptune::core

// `tcptune explain KEY` speaks of the host it looks at: with --root TREE, the live value it shows
// for every catalogue key is the tree's, even when the tree holds values no real default has.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/catalogue_loader.h"
#include "platform/fs_util.h"
#include "run_binary.h"

namespace tcptune::testing {
namespace {

namespace fs = std::filesystem;

// A value the kernel default is not, in the format the key's file holds.
std::string odd_value(const core::CatalogueEntry& e, const std::string& current) {
  if (e.type == "tuple") return "20011\t50023";
  if (e.type == "list") return "8081,9091";
  if (e.type == "string") return current == "reno" ? "cubic" : "reno";
  return std::to_string(std::stoll(current.empty() ? "0" : current) + 7);
}

TEST(ExplainRoot, EveryKeyShowsTheValueOfTheTreeItLooksAt) {
  const std::string src = TCPTUNE_SOURCE_DIR;
  auto text = platform::read_file(src + "/rules/catalogue.toml");
  ASSERT_TRUE(text);
  auto cat = core::load_catalogue(*text, "rules/catalogue.toml");
  ASSERT_TRUE(cat);
  TempDir tmp;
  const std::string tree = tmp.path() + "/host";
  fs::copy(src + "/tests/fixtures/trees/linux-6.18", tree, fs::copy_options::recursive);
  size_t checked = 0;
  for (const auto& [key, e] : cat->entries) {
    std::string rel = key;
    for (char& ch : rel) {
      if (ch == '.') ch = '/';
    }
    const std::string file = tree + "/proc/sys/" + rel;
    auto r = run_tcptune({"--root", tree, "explain", key, "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << key << ": " << r.err;
    if (!fs::exists(file)) {
      EXPECT_EQ(nlohmann::json::parse(r.out)["live"]["state"], "absent") << key;
      continue;
    }
    std::string current = read_text(file);
    while (!current.empty() && current.back() == '\n') current.pop_back();
    const std::string odd = odd_value(e, current);
    write_text(file, odd + "\n");
    r = run_tcptune({"--root", tree, "explain", key, "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << key << ": " << r.err;
    std::string shown = odd;  // as sysctl(8) shows it: fields separated by one space
    std::replace(shown.begin(), shown.end(), '\t', ' ');
    EXPECT_EQ(nlohmann::json::parse(r.out)["live"]["value"], shown) << key;
    r = run_tcptune({"--root", tree, "explain", key});
    EXPECT_NE(r.out.find("Live value:  " + shown + "\n"), std::string::npos) << key << "\n" << r.out;
    ++checked;
  }
  EXPECT_GT(checked, 30u);
}

}  // namespace
}  // namespace tcptune::testing

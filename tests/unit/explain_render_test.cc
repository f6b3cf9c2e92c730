#include "cli/text_wrap.h"
#include "cli/explain_render.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/catalogue_loader.h"
#include "platform/fs_util.h"

namespace tcptune::cli {
namespace {

core::Catalogue shipped_catalogue() {
  auto text = platform::read_file(std::string(TCPTUNE_SOURCE_DIR) + "/rules/catalogue.toml");
  EXPECT_TRUE(text) << text.error().render();
  auto cat = core::load_catalogue(text ? *text : std::string(), "rules/catalogue.toml");
  EXPECT_TRUE(cat) << cat.error().render();
  if (!cat) return core::Catalogue{};
  auto notes = platform::read_file(std::string(TCPTUNE_SOURCE_DIR) + "/rules/catalogue-notes.toml");
  EXPECT_TRUE(notes) << notes.error().render();
  auto st = core::load_catalogue_notes(*cat, notes ? *notes : std::string(), "rules/catalogue-notes.toml");
  EXPECT_TRUE(st) << st.error().render();
  return std::move(*cat);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(WrapText, BreaksAtSpacesWithinTheWidth) {
  EXPECT_EQ(wrap_text("aa bb cc dd", "> ", "  ", 8), "> aa bb\n  cc dd\n");
  EXPECT_EQ(wrap_text("averyveryverylongword x", "", "", 8), "averyveryverylongword\nx\n");
  EXPECT_EQ(wrap_text("", "label: ", "  "), "label:\n");
}

TEST(ExplainRender, MatchesTheGoldenFileForTcpFinTimeout) {
  const auto cat = shipped_catalogue();
  const core::CatalogueEntry* e = cat.find("net.ipv4.tcp_fin_timeout");
  ASSERT_NE(e, nullptr);
  const auto live = core::SysctlReading::of("60\n");
  const std::string got = render_explain(*e, &live);
  const std::string golden =
      std::string(TCPTUNE_SOURCE_DIR) + "/tests/golden/explain_tcp_fin_timeout.txt";
  if (std::getenv("TCPTUNE_UPDATE_GOLDEN")) std::ofstream(golden, std::ios::binary) << got;
  auto want = platform::read_file(golden);
  ASSERT_TRUE(want) << want.error().render() << " (set TCPTUNE_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(got, *want);
}

TEST(ExplainRender, EveryShippedEntryFitsEightyColumnsAndNamesMisconceptions) {
  const auto cat = shipped_catalogue();
  ASSERT_FALSE(cat.entries.empty());
  for (const auto& [key, e] : cat.entries) {
    const std::string text = render_explain(e, nullptr);
    for (const auto& line : lines_of(text)) {
      // Only a single unbreakable word may exceed the width.
      if (line.size() > 80) {
        EXPECT_EQ(line.find(' ', line.find_first_not_of(' ')), std::string::npos)
            << key << ": " << line;
      }
    }
    EXPECT_NE(text.find(e.meaning.substr(0, 20)), std::string::npos) << key;
    EXPECT_EQ(text.find("Live value:"), std::string::npos) << key;
    if (!e.misconceptions.empty()) {
      EXPECT_NE(text.find("\nNot true (common misconceptions):\n"), std::string::npos) << key;
    }
  }
}

TEST(ExplainRender, ShowsRemovalScopeAndLiveStates) {
  const auto cat = shipped_catalogue();
  const core::CatalogueEntry* recycle = cat.find("net.ipv4.tcp_tw_recycle");
  ASSERT_NE(recycle, nullptr);
  const auto absent = core::SysctlReading::absent();
  const std::string text = render_explain(*recycle, &absent);
  EXPECT_NE(text.find("Removed:     4.12 (commit 4396e46187ca"), std::string::npos) << text;
  EXPECT_NE(text.find("Live value:  absent (no such key on this kernel or in this network "
                      "namespace)\n"),
            std::string::npos)
      << text;

  const core::CatalogueEntry* orphans = cat.find("net.ipv4.tcp_max_orphans");
  ASSERT_NE(orphans, nullptr);
  const auto denied = core::SysctlReading::unreadable(EACCES);
  const std::string t2 = render_explain(*orphans, &denied);
  EXPECT_NE(t2.find("Namespace:   global (one value for the whole host, not per network "
                    "namespace)\n"), std::string::npos) << t2;
  EXPECT_NE(t2.find("Live value:  unreadable: Permission denied\n"), std::string::npos) << t2;
}

TEST(ExplainRenderJson, CarriesMachineReadableFieldsAndLiveState) {
  const auto cat = shipped_catalogue();
  const core::CatalogueEntry* e = cat.find("net.core.somaxconn");
  ASSERT_NE(e, nullptr);
  const auto live = core::SysctlReading::of("4096");
  const nlohmann::json j = render_explain_json(*e, &live);
  EXPECT_EQ(j.at("key"), "net.core.somaxconn");
  EXPECT_EQ(j.at("min"), 0);
  EXPECT_TRUE(j.at("max").is_null());
  EXPECT_EQ(j.at("default_value"), "4096");
  EXPECT_EQ(j.at("older_defaults"), nlohmann::json::parse(R"([{"until":"5.4","value":"128"}])"));
  EXPECT_EQ(j.at("scope"), "netns");
  EXPECT_TRUE(j.at("removed_in").is_null());
  EXPECT_EQ(j.at("live"),
            nlohmann::json::parse(R"({"state":"value","value":"4096","error":null})"));
  EXPECT_EQ(j.at("misconceptions"), nlohmann::json(e->misconceptions));
  EXPECT_TRUE(render_explain_json(*e, nullptr).at("live").is_null());
}

}  // namespace
}  // namespace tcptune::cli

// User thresholds: declared in rule files, checked at load time, overridden by tcptune.toml and
// --set; and the load-time checks of the evidence vocabulary (counters, states, sockstat).
#include <gtest/gtest.h>

#include "core/evaluate.h"
#include "core/rule_loader.h"
#include "core/tool_config.h"
#include "expr_test_util.h"

namespace tcptune::core {
namespace {

const std::string kDecl = "[threshold.close_wait_per_port]\ndefault = 50\ndoc = \"CLOSE-WAIT per port\"\n";

std::string rule(const std::string& when, const std::string& extra = "") {
  return "[[rule]]\nid = \"X-1\"\nseverity = \"warning\"\ntitle = \"t\"\nwhen = '" + when +
         "'\nmessage = \"m\"\nrecommendation = \"r\"\nreferences = [\"ref\"]\n" + extra;
}

std::string load_error(const std::vector<RuleSource>& sources) {
  auto r = load_rule_set(sources, testing::test_catalogue());
  return r.ok() ? std::string("(loaded)") : r.error().render();
}

TEST(Thresholds, DeclaredInAnyFileAndUsedInAnother) {
  auto r = load_rule_set({{"a.toml", rule("threshold(\"close_wait_per_port\") > 0")}, {"b.toml", kDecl}},
                         testing::test_catalogue());
  ASSERT_TRUE(r.ok()) << r.error().render();
  ASSERT_EQ(r->thresholds.size(), 1u);
  EXPECT_EQ(r->thresholds.at("close_wait_per_port").default_value, 50);
  EXPECT_EQ(r->thresholds.at("close_wait_per_port").where, (SourceLoc{"b.toml", 1, 12}));
  const Thresholds t = default_thresholds(*r);
  EXPECT_EQ(t.at("close_wait_per_port"), (ThresholdValue{50, "default, b.toml:1"}));
}

TEST(Thresholds, UnknownNameIsALoadErrorWithDidYouMean) {
  EXPECT_EQ(load_error({{"a.toml", kDecl + rule("threshold(\"close_wait_per_prt\") > 0")}}),
            "a.toml:8:20: error: unknown threshold 'close_wait_per_prt' (did you mean 'close_wait_per_port'?)\n"
            "hint: declare it in a rule file: [threshold.NAME] with default = N and doc = \"...\"");
  EXPECT_EQ(load_error({{"a.toml", kDecl + rule("threshold(item) > 0", "for_each = \"local_port\"\n")}}),
            "a.toml:8:19: error: argument 1 of 'threshold' must be a string literal");
}

TEST(Thresholds, DeclarationErrorsAreLocated) {
  EXPECT_EQ(load_error({{"a.toml", kDecl}, {"b.toml", kDecl}}),
            "b.toml:1:12: error: duplicate threshold 'close_wait_per_port' (first defined at a.toml:1:12)");
  EXPECT_EQ(load_error({{"a.toml", "[threshold.x]\ndefault = \"5\"\ndoc = \"d\"\n"}}),
            "a.toml:2:11: error: field 'default' must be an integer, not a string");
  EXPECT_EQ(load_error({{"a.toml", "[threshold.x]\ndefault = 5\ndcs = \"d\"\n"}}),
            "a.toml:3:1: error: unknown field 'dcs' (did you mean 'doc'?)");
  EXPECT_EQ(load_error({{"a.toml", "[threshold.x]\ndoc = \"d\"\n"}}),
            "a.toml:1:12: error: threshold 'x' is missing required field 'default'");
  EXPECT_EQ(load_error({{"a.toml", "[thresholds.x]\ndefault = 5\n"}}),
            "a.toml:1:2: error: unknown top-level field 'thresholds' (did you mean 'threshold'?)");
}

TEST(Thresholds, EvidenceNamesAreCheckedAtLoadTime) {
  EXPECT_EQ(load_error({{"a.toml", rule("counter(\"TcpExtListenOverflow\") > 0")}}),
            "a.toml:5:18: error: unknown counter 'TcpExtListenOverflow' (did you mean 'TcpExtListenOverflows'?)");
  EXPECT_EQ(load_error({{"a.toml", rule("sockets(\"close-wiat\") > 0")}}),
            "a.toml:5:18: error: unknown TCP state 'close-wiat' (did you mean 'close-wait'?)");
  EXPECT_EQ(load_error({{"a.toml", rule("sockstat(\"tws\") > 0")}}),
            "a.toml:5:19: error: unknown sockstat field 'tws' (did you mean 'tw'?)");
  EXPECT_EQ(load_error({{"a.toml", rule("sockets(\"TIME_WAIT\") > 0 and port_sockets(\"cw\", \"80\") >= 0")}}),
            "(loaded)");
  EXPECT_EQ(load_error({{"a.toml", rule("profile == 5")}}),
            "a.toml:5:17: error: cannot compare a string with an integer using '=='");
  EXPECT_EQ(load_error({{"a.toml", rule("port_sockets(\"close-wait\", item) > 0")}}),
            "a.toml:5:36: error: 'item' is only available in rules with for_each");
  EXPECT_EQ(load_error({{"a.toml", rule("true", "for_each = \"local_ports\"\n")}}),
            "a.toml:9:12: error: unknown iteration source 'local_ports' (did you mean 'local_port'?)");
}

TEST(ToolConfig, ParsesThresholdsAndProfile) {
  auto c = parse_tool_config("[threshold]\nclose_wait_per_port = 100\n\n[audit]\nprofile = \"chat-long\"\n",
                             "/etc/tcptune/tcptune.toml");
  ASSERT_TRUE(c.ok()) << c.error().render();
  ASSERT_EQ(c->thresholds.size(), 1u);
  EXPECT_EQ(c->thresholds[0].name, "close_wait_per_port");
  EXPECT_EQ(c->thresholds[0].value, 100);
  EXPECT_EQ(c->profile, "chat-long");
}

TEST(ToolConfig, ErrorsAreLocated) {
  auto err = [](const std::string& text) {
    auto c = parse_tool_config(text, "t.toml");
    return c.ok() ? std::string("(parsed)") : c.error().render();
  };
  EXPECT_EQ(err("[thresold]\nx = 1\n"), "t.toml:1:2: error: unknown section 'thresold' (did you mean 'threshold'?)");
  EXPECT_EQ(err("[threshold]\nx = \"many\"\n"), "t.toml:2:1: error: threshold 'x' must be an integer");
  EXPECT_EQ(err("[threshold]\nx = -1\n"), "t.toml:2:1: error: threshold 'x' must be >= 0, got -1");
  EXPECT_EQ(err("[audit]\nprofle = \"x\"\n"), "t.toml:2:1: error: unknown field 'profle' (did you mean 'profile'?)");
  EXPECT_EQ(err("[audit]\nprofile = \"Chat Long\"\n"),
            "t.toml:2:11: error: 'profile' must be a profile name (lowercase letters, digits, '-', '_')");
}

TEST(ToolConfig, ResolveAppliesFileThenSetInOrder) {
  std::map<std::string, ThresholdDecl> decl;
  decl["close_wait_per_port"] = ThresholdDecl{"close_wait_per_port", 50, "d", {"rules/close_wait.toml", 7, 1}};
  decl["orphans_pct"] = ThresholdDecl{"orphans_pct", 50, "d", {"rules/resets.toml", 12, 1}};
  auto file = parse_tool_config("[threshold]\nclose_wait_per_port = 100\n", "/etc/tcptune/tcptune.toml");
  ASSERT_TRUE(file.ok());
  auto t = resolve_thresholds(decl, *file, {"threshold.orphans_pct=25", "threshold.close_wait_per_port=7"});
  ASSERT_TRUE(t.ok()) << t.error().render();
  EXPECT_EQ(t->at("close_wait_per_port"), (ThresholdValue{7, "--set"}));
  EXPECT_EQ(t->at("orphans_pct"), (ThresholdValue{25, "--set"}));
  auto only_file = resolve_thresholds(decl, *file, {});
  ASSERT_TRUE(only_file.ok());
  EXPECT_EQ(only_file->at("close_wait_per_port"), (ThresholdValue{100, "/etc/tcptune/tcptune.toml:2"}));
  EXPECT_EQ(only_file->at("orphans_pct"), (ThresholdValue{50, "default, rules/resets.toml:12"}));
}

TEST(ToolConfig, ResolveErrorsNameTheArgument) {
  std::map<std::string, ThresholdDecl> decl;
  decl["close_wait_per_port"] = ThresholdDecl{"close_wait_per_port", 50, "d", {"r.toml", 1, 1}};
  auto err = [&](const ToolConfig& f, const std::vector<std::string>& sets) {
    auto t = resolve_thresholds(decl, f, sets);
    return t.ok() ? std::string("(resolved)") : t.error().render();
  };
  EXPECT_EQ(err({}, {"threshold.close_wait_per_prot=5"}),
            "tcptune: error: --set threshold.close_wait_per_prot=5: unknown threshold 'close_wait_per_prot' "
            "(did you mean 'close_wait_per_port'?)\n"
            "hint: run 'tcptune audit --list-thresholds' to see the thresholds the rules declare");
  EXPECT_EQ(err({}, {"close_wait_per_port=5"}),
            "tcptune: error: --set close_wait_per_port=5: expected threshold.NAME=VALUE");
  EXPECT_EQ(err({}, {"threshold.close_wait_per_port=lots"}),
            "tcptune: error: --set threshold.close_wait_per_port=lots: 'lots' is not an integer");
  auto file = parse_tool_config("[threshold]\nclose_wait = 5\n", "/etc/tcptune/tcptune.toml");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(err(*file, {}),
            "/etc/tcptune/tcptune.toml:2:1: error: unknown threshold 'close_wait' (did you mean 'close_wait_per_port'?)\n"
            "hint: run 'tcptune audit --list-thresholds' to see the thresholds the rules declare");
}

}  // namespace
}  // namespace tcptune::core

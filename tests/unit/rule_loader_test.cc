#include "core/rule_loader.h"

#include <gtest/gtest.h>

#include "expr_test_util.h"

namespace tcptune::core {
namespace {

const char* kGood = R"([[rule]]
id = "TT-TEST-001"
severity = "warning"
title = "somaxconn is small"
when = 'sysctl("net.core.somaxconn") < 1024'
message = "net.core.somaxconn is {sysctl('net.core.somaxconn')}, below {{1024}}"
recommendation = "raise it"
references = ["Documentation/networking/ip-sysctl.rst"]

[[rule]]
id = "TT-TEST-002"
severity = "info"
title = "configured"
for_each = "configured_key"
when = '''
configured(item)
  and exists(item)
'''
message = "{item} is set at {config(item).where}"
recommendation = "none"
references = ["x"]
)";

class RuleLoader : public ::testing::Test {
 protected:
  std::string error_of(std::string text, std::string path = "rules/t.toml") {
    auto r = load_rules({RuleSource{std::move(path), std::move(text)}}, cat_);
    return r.ok() ? "no error" : r.error().render();
  }
  // A valid rule with one line replaced ("field = value" lines start with the field name).
  static std::string with(const std::string& field, const std::string& line) {
    std::string out;
    std::string text = R"([[rule]]
id = "TT-TEST-001"
severity = "warning"
title = "t"
when = 'sysctl("net.core.somaxconn") < 1024'
message = "m"
recommendation = "r"
references = ["x"]
)";
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string l = text.substr(pos, nl - pos);
      if (l.rfind(field + " =", 0) == 0) l = line;
      if (!l.empty()) out += l + "\n";
      pos = nl + 1;
    }
    return out;
  }
  Catalogue cat_ = testing::test_catalogue();
};

TEST_F(RuleLoader, LoadsRulesWithLocationsKeysAndIteration) {
  auto r = load_rules({RuleSource{"rules/t.toml", kGood}}, cat_);
  ASSERT_TRUE(r.ok()) << r.error().render();
  ASSERT_EQ(r->size(), 2u);
  const Rule& a = (*r)[0];
  EXPECT_EQ(a.id, "TT-TEST-001");
  EXPECT_EQ(a.severity, Severity::kWarning);
  EXPECT_EQ(a.where, (SourceLoc{"rules/t.toml", 2, 6}));
  EXPECT_EQ(a.keys, std::vector<std::string>{"net.core.somaxconn"});
  EXPECT_EQ((*r)[1].for_each, "configured_key");
  EXPECT_EQ(referenced_keys(*r), std::vector<std::string>{"net.core.somaxconn"});
  EXPECT_TRUE(needs_configured_keys(*r));
  EXPECT_FALSE(needs_configured_keys({a}));
}

TEST_F(RuleLoader, ConditionErrorsPointIntoTheTomlString) {
  EXPECT_EQ(error_of(with("when", R"(when = 'sysctl("net.core.somaxconn") < 1024 && true')")),
            "rules/t.toml:5:45: error: unexpected '&' (did you mean 'and'?)");
  EXPECT_EQ(error_of(with("when", R"(when = "sysctl(\"net.ipv4.tcp_tw_recyle\") == 1")")),
            "rules/t.toml:5:18: error: unknown sysctl key 'net.ipv4.tcp_tw_recyle' (did you mean 'net.ipv4.tcp_tw_recycle'?)");
  EXPECT_EQ(error_of(with("when", "when = '''\nexists(\"net.core.somaxconn\")\n  and kernal >= \"4.12\"'''")),
            "rules/t.toml:7:7: error: unknown identifier 'kernal' (did you mean 'kernel'?)");
  EXPECT_EQ(error_of(with("when", "when = 'item == \"x\"'")),
            "rules/t.toml:5:9: error: 'item' is only available in rules with for_each");
  EXPECT_EQ(error_of(with("when", "when = 'kernel'")), "rules/t.toml:5:9: error: expression must be a boolean, got a version");
}

TEST_F(RuleLoader, HostileNestingInAFileIsALocatedError) {
  const std::string deep = std::string(10000, '(') + "true" + std::string(10000, ')');
  EXPECT_EQ(error_of(with("when", "when = '" + deep + "'")),
            "rules/t.toml:5:73: error: expression nested too deeply (limit 64)");
}

TEST_F(RuleLoader, TemplateErrorsAreLocated) {
  EXPECT_EQ(error_of(with("message", "message = \"value {sysctl('net.core.somaxcon')}\"")),
            "rules/t.toml:6:27: error: unknown sysctl key 'net.core.somaxcon' (did you mean 'net.core.somaxconn'?)");
  EXPECT_EQ(error_of(with("message", "message = \"at {vaule}\"")),
            "rules/t.toml:6:16: error: unknown identifier 'vaule'");
  EXPECT_EQ(error_of(with("recommendation", "recommendation = \"a {b\"")),
            "rules/t.toml:7:21: error: unterminated '{' in template");
  EXPECT_EQ(error_of(with("message", "message = \"a } b\"")),
            "rules/t.toml:6:14: error: unmatched '}' in template (write '}}' for a literal brace)");
  EXPECT_EQ(error_of(with("message", "message = \"a { } b\"")), "rules/t.toml:6:14: error: empty placeholder '{}' in template");
}

TEST_F(RuleLoader, FieldErrors) {
  EXPECT_EQ(error_of(with("title", "titel = \"t\"")), "rules/t.toml:4:1: error: unknown field 'titel' (did you mean 'title'?)");
  EXPECT_EQ(error_of(with("title", "")), "rules/t.toml:1:1: error: rule is missing required field 'title'");
  EXPECT_EQ(error_of(with("severity", "severity = \"warn\"")),
            "rules/t.toml:3:12: error: bad severity 'warn' (did you mean 'warning'?)\n"
            "hint: severity is one of info, warning, critical");
  EXPECT_EQ(error_of(with("severity", "severity = \"high\"")),
            "rules/t.toml:3:12: error: bad severity 'high'\nhint: severity is one of info, warning, critical");
  EXPECT_EQ(error_of(with("id", "id = 7")), "rules/t.toml:2:6: error: field 'id' must be a string, not an integer");
  EXPECT_EQ(error_of(with("id", "id = \"a b\"")),
            "rules/t.toml:2:6: error: invalid rule id 'a b' (use 1-64 letters, digits, '-', '_', '.')");
  EXPECT_EQ(error_of(with("references", "references = []")),
            "rules/t.toml:8:14: error: field 'references' must be a non-empty array of strings");
  EXPECT_EQ(error_of(with("references", "references = [\"a\", 3]")),
            "rules/t.toml:8:20: error: elements of 'references' must be strings, not an integer");
  EXPECT_EQ(error_of(with("title", "title = \"t\"\nfor_each = \"configured_keys\"")),
            "rules/t.toml:5:12: error: unknown iteration source 'configured_keys' (did you mean 'configured_key'?)");
}

TEST_F(RuleLoader, FileLevelErrors) {
  EXPECT_EQ(error_of("[[rule]\nid = 1\n"), "rules/t.toml:1:8: error: Error while parsing table header: expected ']', saw '\\n'");
  EXPECT_EQ(error_of("[[rules]]\nid = \"x\"\n"), "rules/t.toml:1:3: error: unknown top-level field 'rules' (did you mean 'rule'?)");
  EXPECT_EQ(error_of("rule = 1\n"), "rules/t.toml:1:8: error: 'rule' must be an array of tables ([[rule]])");
}

TEST_F(RuleLoader, DuplicateIdsNameBothLocations) {
  auto r = load_rules({RuleSource{"rules/a.toml", with("id", "id = \"TT-TEST-001\"")},
                       RuleSource{"/etc/tcptune/rules.d/b.toml", "\n" + with("id", "id =   \"TT-TEST-001\"")}},
                      cat_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(),
            "/etc/tcptune/rules.d/b.toml:3:8: error: duplicate rule id 'TT-TEST-001' (first defined at rules/a.toml:2:6)");
}

}  // namespace
}  // namespace tcptune::core

namespace tcptune::core {
namespace {

TEST(RuleLoaderHostile, DeeplyNestedTomlArraysAreALocatedError) {
  const std::string deep = "[[rule]]\nid = \"A\"\nx = " + std::string(5000, '[') + "1" + std::string(5000, ']') + "\n";
  auto r = load_rules({RuleSource{"deep.toml", deep}}, testing::test_catalogue());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render().rfind("deep.toml:3:", 0), 0u) << r.error().render();
}

TEST(RuleLoaderHostile, EmptyAndRuleLessFilesLoadNothing) {
  auto r = load_rules({RuleSource{"empty.toml", ""}, RuleSource{"c.toml", "# only a comment\n"}}, testing::test_catalogue());
  ASSERT_TRUE(r.ok()) << r.error().render();
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace tcptune::core

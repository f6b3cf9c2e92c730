// Hostile and broken input, end to end: every case asserts the whole message and, through the
// built binary, the exit code (3 = runtime error, docs/exit-codes.md). Cases marked "found by
// fuzzing" are regressions for crashes or undefined behaviour that tests/fuzz found.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../integration/run_binary.h"
#include "core/catalogue_loader.h"
#include "core/expr_check.h"
#include "core/expr_eval.h"
#include "core/rule_loader.h"
#include "core/snapshot_json.h"
#include "core/sysctl_conf_parse.h"
#include "core/sysctl_d_render.h"
#include "core/toml_guard.h"
#include "core/tool_config.h"
#include "expr_test_util.h"

namespace tcptune {
namespace {

namespace fs = std::filesystem;
using tcptune::testing::RunResult;
using tcptune::testing::TempDir;
using tcptune::testing::write_text;

const std::string kSrc = TCPTUNE_SOURCE_DIR;
const std::string kOld = kSrc + "/tests/fixtures/trees/linux-4.9";
const std::string kNew = kSrc + "/tests/fixtures/trees/linux-6.18";

// --- core: regressions for what the fuzz targets found -------------------------------------

std::string rule_error(const std::string& text) {
  auto r = core::load_rules({core::RuleSource{"r.toml", text}}, core::testing::test_catalogue());
  return r.ok() ? "no error" : r.error().render();
}

TEST(HostileCore, SnapshotNumberOverflowIsAnErrorNotAnException) {  // found by fuzzing
  auto r = core::snapshot_from_text(R"({"schema":"tcptune.snapshot","schema_version":1e400})", "snap.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(),
            "tcptune: error: snap.json: invalid JSON: number overflow parsing '1e400'\n"
            "hint: pass a file written by 'tcptune snapshot'");
}

TEST(HostileCore, NonAsciiBareKeyIsALocatedErrorNotTomlUndefinedBehaviour) {  // found by fuzzing
  EXPECT_EQ(rule_error("caf\xc3\xa9 = 1\n"),
            "r.toml:1:4: error: non-ASCII character U+00E9 outside a string or comment\n"
            "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it");
  EXPECT_EQ(rule_error("[[rule]]\nid = \"A\" \xd0\x96\n"),
            "r.toml:2:10: error: non-ASCII character U+0416 outside a string or comment\n"
            "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it");
  // A quote after a bare character does not open a string for toml++: it scans on.
  EXPECT_EQ(rule_error("l = -\"=\xcb\x8c e=poc .18\"\n"),
            "r.toml:1:8: error: non-ASCII character U+02CC outside a string or comment\n"
            "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it");
  auto cat = core::load_catalogue("[[sysctl]]\nadd\xc3\x9b" "d_in = \"2.6\"\n", "catalogue.toml");
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(cat.error().render(),
            "catalogue.toml:2:4: error: non-ASCII character U+00DB outside a string or comment\n"
            "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it");
}

// tcptune.toml went to toml++ without the guard the other loaders have (found by fuzz_tool_config).
TEST(HostileCore, NonAsciiInToolConfigIsALocatedErrorNotTomlUndefinedBehaviour) {  // found by fuzzing
  const auto err = [](const std::string& text) {
    auto r = core::parse_tool_config(text, "/etc/tcptune/tcptune.toml");
    return r.ok() ? "no error" : r.error().render();
  };
  EXPECT_EQ(err("[threshold]\ncaf\xc3\xa9 = 1\n"),
            "/etc/tcptune/tcptune.toml:2:4: error: non-ASCII character U+00E9 outside a string or comment\n"
            "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it");
  // A quote inside a bare value opens no string for toml++, which scans on to the value's end
  // (found by fuzz_tool_config after the first fix).
  EXPECT_EQ(err("[threshold]\nx = 5B\"{{\"prof\xc3\xa9\"\n"),
            "/etc/tcptune/tcptune.toml:2:15: error: non-ASCII character U+00E9 outside a string or comment\n"
            "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it");
  // Strings in arrays, inline tables and dotted keys still hold any character.
  for (const std::string ok : {"x = [\"a\", \"\xc3\xa9\"]\n", "x = {a = 1, \"\xc3\xa9\" = 2}\n", "a.\"\xc3\xa9\" = 1\n",
                               "x = [\n  \"a\",\n  \"\xc3\xa9\",\n]\n", "x = 1 # \xc3\xa9\n\"\xc3\xa9\" = 2\n"}) {
    EXPECT_TRUE(core::check_toml_text(ok, "t.toml").ok()) << ok;
  }
  EXPECT_EQ(err("[audit]\nprofile = \"\"\"\\\n\xc2\xa7\"\"\"\n"),
            "/etc/tcptune/tcptune.toml:3:1: error: character U+00A7 right after '\\' in a multi-line string is not "
            "supported\nhint: toml++ 3.3 mis-parses it; move the character or write it as an escape (\\uXXXX)");
}

TEST(HostileCore, NonAsciiAfterBackslashInMultiLineStringIsRefused) {  // toml++ issue #190
  const std::string hint = "\nhint: toml++ 3.3 mis-parses it; move the character or write it as an escape (\\uXXXX)";
  EXPECT_EQ(rule_error("x = \"\"\"\\\n   \xc2\xa7\"\"\"\n"),
            "r.toml:2:4: error: character U+00A7 right after '\\' in a multi-line string is not supported" + hint);
  EXPECT_EQ(rule_error("x = \"\"\"a\\\xc3\xa9\"\"\"\n"),
            "r.toml:1:10: error: character U+00E9 right after '\\' in a multi-line string is not supported" + hint);
  // The other two blocks toml++ mis-handles (found by fuzz_tool_config: U+FEBF), at their edges.
  for (const auto& [utf8, name] : std::vector<std::pair<std::string, std::string>>{
           {"\xe2\xb1\x9e", "U+2C5E"}, {"\xe3\x80\x81", "U+3001"}, {"\xe3\x81\x97", "U+3057"},
           {"\xef\xac\xa6", "U+FB26"}, {"\xef\xba\xbf", "U+FEBF"}, {"\xef\xbb\xbe", "U+FEFE"}}) {
    EXPECT_EQ(rule_error("x = \"\"\"a\\" + utf8 + "\"\"\"\n"),
              "r.toml:1:10: error: character " + name + " right after '\\' in a multi-line string is not supported" + hint);
  }
  // toml++ skips its non-ASCII whitespace after a line-ending backslash and tests what follows
  // (found by fuzz_tool_config: U+FEFF then U+FEDF).
  EXPECT_EQ(rule_error("x = \"\"\"a\\\n\xef\xbb\xbf\xe3\x80\x80 \xef\xbb\x9f\"\"\"\n"),
            "r.toml:2:4: error: character U+FEDF right after '\\' in a multi-line string is not supported" + hint);
  // Their neighbours, and the three whitespace code points toml++ tests first, load.
  for (const std::string utf8 : {"\xe2\xb1\x9d", "\xe3\x80\x80", "\xe3\x81\x98", "\xef\xac\xa5", "\xef\xbb\xbf", "\xc2\xa0"}) {
    const std::string text = "x = \"\"\"a\\" + utf8 + "\"\"\"\n";
    EXPECT_EQ(core::check_toml_text(text, "r.toml").ok(), true) << text;
  }
}

TEST(HostileCore, NonAsciiInStringsAndCommentsStillLoads) {
  const std::string text =
      "# r\xc3\xa8gle \xe2\x80\x94 comment\n[[rule]]\nid = \"A\"\nseverity = \"info\"\ntitle = \"caf\xc3\xa9 \xd0\x96\"\n"
      "when = 'kernel_release == \"\xc3\xa9\"'\nmessage = '''\xc2\xa7'''\nrecommendation = \"\"\"x\\\n  y \xc3\xa9\"\"\"\n"
      "references = [\"x\"]\n";
  auto r = core::load_rules({core::RuleSource{"r.toml", text}}, core::testing::test_catalogue());
  ASSERT_TRUE(r.ok()) << r.error().render();
  EXPECT_EQ(r->at(0).title, "caf\xc3\xa9 \xd0\x96");
}

// An empty or garbled /proc/sys file of a numeric key is missing data (a gap), never a text
// value: `sysctl(k) != 0` used to fire on an empty tcp_tw_recycle file. Text keys stay values.
TEST(HostileCore, NumericKeyReadingAsTextIsUnknown) {
  core::Snapshot snap;
  snap.sysctls["net.ipv4.tcp_tw_recycle"] = core::SysctlReading::of("");
  snap.sysctls["net.ipv4.tcp_fin_timeout"] = core::SysctlReading::of("abc\n");
  snap.sysctls["net.ipv4.tcp_congestion_control"] = core::SysctlReading::of("\n");
  snap.sysctls["net.core.somaxconn"] = core::SysctlReading::of("4096\n");
  const auto cat = core::testing::test_catalogue();
  const core::CheckEnv env{&cat, false, nullptr};
  const core::ResolvedConfig config;
  const auto truth = [&](const std::string& text, core::Unknown* gap) {
    auto e = core::compile_expr(text, core::Type::kBool, env);
    EXPECT_TRUE(e.ok()) << e.error().render();
    core::EvalContext ctx;
    ctx.snapshot = &snap;
    ctx.config = &config;
    ctx.catalogue = &cat;
    return core::eval_condition(**e, ctx, gap);
  };
  core::Unknown gap;
  EXPECT_EQ(truth("sysctl(\"net.ipv4.tcp_tw_recycle\") != 0", &gap), core::Truth::kUnknown);
  EXPECT_EQ(gap.what, "sysctl net.ipv4.tcp_tw_recycle");
  EXPECT_EQ(gap.reason, "'' is not a valid boolean value");
  EXPECT_EQ(truth("0 == sysctl(\"net.ipv4.tcp_fin_timeout\")", &gap), core::Truth::kUnknown);
  EXPECT_EQ(gap.reason, "'abc' is not a valid integer value");
  EXPECT_EQ(truth("sysctl(\"net.ipv4.tcp_congestion_control\") == \"\"", &gap), core::Truth::kTrue);
  EXPECT_EQ(truth("sysctl(\"net.core.somaxconn\") != 0", &gap), core::Truth::kTrue);
}

// Defence in depth behind the profile loader: whatever text reaches the renderer, comments
// stay comments.
TEST(HostileCore, GeneratedSysctlDCommentsCannotBreakLines) {
  core::Plan plan;
  plan.profile = "p";
  plan.description = "x\nkernel.core_pattern = |/tmp/a";
  plan.omitted = {"y\rkernel.core_pattern = |/tmp/b"};
  core::PlannedChange c;
  c.key = "net.core.somaxconn";
  c.after = "4096";
  c.reason = std::string("z\0kernel.core_pattern = |/tmp/c", 31);
  c.notes = {"n\n\rkernel.core_pattern = |/tmp/d"};
  plan.items.push_back(c);
  const auto back = core::parse_sysctl_conf(core::render_sysctl_d(plan, "0.1.0"), "/etc/sysctl.d/90-t.conf");
  ASSERT_EQ(back.assignments.size(), 1u);
  EXPECT_EQ(back.assignments[0].key, "net.core.somaxconn");
  EXPECT_EQ(back.assignments[0].value, "4096");
  EXPECT_TRUE(back.issues.empty());
}

// --- the binary on hostile files -------------------------------------------------------------

// A private copy of the data directory (TCPTUNE_DATADIR) and an extra --rules directory.
class HostileCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(data() + "/rules");
    for (const auto& e : fs::directory_iterator(kSrc + "/rules")) {
      if (e.path().extension() == ".toml") fs::copy_file(e.path(), data() + "/rules/" + e.path().filename().string());
    }
    fs::create_directories(extra());
  }
  std::string data() const { return tmp_.path() + "/data"; }
  std::string extra() const { return tmp_.path() + "/extra"; }
  RunResult tt(std::vector<std::string> args) const {
    return tcptune::testing::run_tcptune(args, {"TCPTUNE_DATADIR=" + data(), "NO_COLOR=1"});
  }
  RunResult audit_with_rule(const std::string& name, const std::string& text) const {
    write_text(extra() + "/" + name, text);
    return tt({"--root", kNew, "audit", "--rules", extra()});
  }
  TempDir tmp_;
};

const char* kRule = R"([[rule]]
id = "LOCAL-1"
severity = "info"
title = "t"
when = 'sysctl("net.core.somaxconn") < 1024'
message = "m"
recommendation = "r"
references = ["x"]
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST_F(HostileCli, MalformedTomlWrongTypesAndUnknownFields) {
  auto r = audit_with_rule("a.toml", "[[rule]\nid = 1\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/a.toml:1:8: error: Error while parsing table header: expected ']', saw '\\n'\n");
  r = audit_with_rule("a.toml", replace(kRule, "id = \"LOCAL-1\"", "id = 7"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/a.toml:2:6: error: field 'id' must be a string, not an integer\n");
  r = audit_with_rule("a.toml", replace(kRule, "title", "titel"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/a.toml:4:1: error: unknown field 'titel' (did you mean 'title'?)\n");
}

TEST_F(HostileCli, DuplicateIdOfAShippedRuleNamesBothPlaces) {
  auto r = audit_with_rule("dup.toml", replace(kRule, "LOCAL-1", "TT-RECYCLE-001"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/dup.toml:2:6: error: duplicate rule id 'TT-RECYCLE-001' (first defined at " + data() +
                       "/rules/time_wait.toml:5:6)\n");
}

TEST_F(HostileCli, OutOfRangeLiteralAndDeepNesting) {
  auto r = audit_with_rule("a.toml", replace(kRule, "< 1024", "> 99999999999999999999"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/a.toml:5:40: error: integer literal out of range\n");
  const std::string deep = std::string(10000, '(') + "true" + std::string(10000, ')');
  r = audit_with_rule("a.toml", replace(kRule, "'sysctl(\"net.core.somaxconn\") < 1024'", "'" + deep + "'"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/a.toml:5:73: error: expression nested too deeply (limit 64)\n");
}

TEST_F(HostileCli, HugeRuleFileIsRefusedWithoutReadingItAll) {
  const std::string path = extra() + "/huge.toml";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, off_t{100} << 20), 0);  // 100 MiB, sparse
  ::close(fd);
  const auto r = tt({"--root", kNew, "audit", "--rules", extra()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: " + path + ": refusing to read more than 16777216 bytes: File too large\n");
}

TEST_F(HostileCli, BinaryGarbageNonUtf8AndNonAscii) {
  auto r = audit_with_rule("elf.toml", std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/elf.toml:1:1: error: Error while parsing root table: expected keys, tables, whitespace "
                             "or comments, saw '\\u007F'\n");
  fs::remove(extra() + "/elf.toml");
  r = audit_with_rule("u.toml", replace(kRule, "title = \"t\"", "title = \"\xff\xfe\""));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/u.toml:4:9: error: Encountered invalid utf-8 sequence\n");
  r = audit_with_rule("u.toml", replace(kRule, "title", "t\xc3\xaftle"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/u.toml:4:2: error: non-ASCII character U+00EF outside a string or comment\n"
                             "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it\n");
}

TEST_F(HostileCli, RuleFileWritableByOthersIsRefusedAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "the trust check only applies when running as root";
  write_text(extra() + "/a.toml", kRule);
  ASSERT_EQ(::chmod((extra() + "/a.toml").c_str(), 0666), 0);
  const auto r = tt({"--root", kNew, "audit", "--rules", extra()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: " + extra() + "/a.toml: refusing to load: writable by others (mode 0666)\n"
                   "hint: chmod o-w " + extra() + "/a.toml\n");
}

TEST_F(HostileCli, ToolConfigWritableByOthersIsRefusedAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "the trust check only applies when running as root";
  const std::string conf = extra() + "/tcptune.toml";
  write_text(conf, "[threshold]\nclose_wait_per_port = 100000\n");
  ASSERT_EQ(::chmod(conf.c_str(), 0666), 0);
  auto r = tt({"--root", kNew, "audit", "--config", conf});
  EXPECT_EQ(r.exit_code, 3);  // a tcptune.toml error is the environment's, not the command line's
  EXPECT_EQ(r.err, "tcptune: error: " + conf + ": refusing to load: writable by others (mode 0666)\n"
                   "hint: chmod o-w " + conf + "\n");
  ASSERT_EQ(::chmod(conf.c_str(), 0644), 0);
  r = tt({"--root", kNew, "audit", "--config", conf});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
}

TEST_F(HostileCli, ToolConfigWithNonAsciiOrBinaryGarbage) {  // found by fuzz_tool_config
  const std::string conf = extra() + "/tcptune.toml";
  write_text(conf, "[threshold]\nclo = \xc5\x8c\n");
  auto r = tt({"--root", kNew, "audit", "--config", conf});
  EXPECT_EQ(r.exit_code, 3);  // a tcptune.toml error is the environment's, not the command line's
  EXPECT_EQ(r.err, conf + ":2:7: error: non-ASCII character U+014C outside a string or comment\n"
                          "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it\n");
  write_text(conf, std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10));
  r = tt({"--root", kNew, "audit", "--config", conf});
  EXPECT_EQ(r.exit_code, 3);  // a tcptune.toml error is the environment's, not the command line's
  EXPECT_EQ(r.err, conf + ":1:1: error: Error while parsing root table: expected keys, tables, whitespace "
                          "or comments, saw '\\u007F'\n");
}

TEST_F(HostileCli, EmptyRuleFileLoadsNothingAndIsNotAnError) {
  const auto r = audit_with_rule("empty.toml", "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(HostileCli, MissingRulesDirectoryAndBrokenCatalogue) {
  auto r = tt({"--root", kNew, "audit", "--rules", extra() + "/nope"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: " + extra() + "/nope: cannot open directory: No such file or directory\n");
  write_text(data() + "/rules/catalogue.toml", "[[sysctl]]\nkey = 5\n");
  r = tt({"--root", kNew, "audit"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, data() + "/rules/catalogue.toml:2:7: error: field 'key' must be a string, not an integer\n");
}

TEST_F(HostileCli, SnapshotFilesThatAreTruncatedOrOverflow) {
  const std::string snap = tmp_.path() + "/s.json";
  ASSERT_EQ(tt({"--root", kOld, "snapshot", "-o", snap}).exit_code, 0);
  const std::string full = tcptune::testing::read_text(snap);
  write_text(snap, full.substr(0, full.size() / 2));
  auto r = tt({"audit", "--snapshot", snap});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err.rfind(snap + ":", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(": error: invalid JSON: syntax error while parsing"), std::string::npos) << r.err;
  write_text(snap, R"({"schema":"tcptune.snapshot","schema_version":1e400})");
  r = tt({"audit", "--snapshot", snap});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: " + snap + ": invalid JSON: number overflow parsing '1e400'\n"
                   "hint: pass a file written by 'tcptune snapshot'\n");
}

// --- profiles: recursive and deep includes, out-of-range values, text that would inject lines --

class HostileProfiles : public HostileCli {
 protected:
  std::string fmt_path(int i) const { return extra() + "/p" + std::to_string(i) + ".toml"; }
  void SetUp() override {
    HostileCli::SetUp();
    fs::copy(kSrc + "/profiles", data() + "/profiles", fs::copy_options::recursive);
  }
  RunResult show(const std::string& name) const {
    return tt({"--root", kNew, "profiles", "show", name, "--profiles", extra()});
  }
};

TEST_F(HostileProfiles, IncludeCycleNamesTheChain) {
  write_text(extra() + "/a.toml", "name = \"a\"\ndescription = \"A\"\ninclude = [\"b\"]\n");
  write_text(extra() + "/b.toml", "name = \"b\"\ndescription = \"B\"\ninclude = [\"common\", \"a\"]\n");
  const auto r = show("a");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/b.toml:3:22: error: include cycle: a -> b -> a\n");
}

TEST_F(HostileProfiles, DeepIncludeChainIsBounded) {
  for (int i = 0; i < 40; ++i) {
    write_text(fmt_path(i), "name = \"p" + std::to_string(i) + "\"\ndescription = \"chain\"\ninclude = [\"p" +
                                std::to_string(i + 1) + "\"]\n");
  }
  write_text(fmt_path(40), "name = \"p40\"\ndescription = \"end\"\n");
  const auto r = show("p0");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/p31.toml:3:12: error: includes nested deeper than 32 profiles (p0 -> ... -> p31 -> p32)\n");
}

TEST_F(HostileProfiles, OutOfRangeValueAndNonAsciiKey) {
  write_text(extra() + "/v.toml", "name = \"v\"\ndescription = \"V\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                                  "value = 99999999999\nreason = \"r\"\n");
  auto r = show("v");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/v.toml:5:9: error: net.ipv4.tcp_fin_timeout: value 99999999999 is out of range: "
                             "the kernel accepts <= 8589934\n");
  write_text(extra() + "/v.toml", "n\xc3\xa4me = \"v\"\n");
  r = show("v");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/v.toml:1:2: error: non-ASCII character U+00E4 outside a string or comment\n"
                             "hint: TOML allows only ASCII in keys; quote the key (\"...\") if you need it\n");
}

// A description or reason is written as a comment line of the generated sysctl.d file; a line
// break in it used to put "kernel.core_pattern = |/tmp/evil" into the file (found by
// fuzz_profiles). systemd-sysctl also ends lines at CR and NUL.
TEST_F(HostileProfiles, LineBreaksInProfileTextCannotInjectAssignments) {
  const std::string setting = "[[setting]]\nkey = \"net.core.somaxconn\"\nvalue = 4096\n";
  write_text(extra() + "/evil.toml", "name = \"evil\"\ndescription = \"\"\"x\nkernel.core_pattern = |/tmp/evil\"\"\"\n" +
                                         setting + "reason = \"r\"\n");
  auto r = tt({"--root", kNew, "generate", "--profile", "evil", "--profiles", extra()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, extra() + "/evil.toml:2:15: error: 'description' must be one line without control characters\n");
  write_text(extra() + "/evil.toml", "name = \"evil\"\ndescription = \"d\"\n" + setting +
                                         "reason = \"r\\rkernel.core_pattern = |/tmp/evil\"\n");
  r = tt({"--root", kNew, "generate", "--profile", "evil", "--profiles", extra()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, extra() + "/evil.toml:6:10: error: 'reason' must be a non-empty one-line string\n");
}

// --- /proc/sys and sysctl.d in a copied tree ---------------------------------------------------

class HostileTree : public HostileCli {
 protected:
  void SetUp() override {
    HostileCli::SetUp();
    fs::copy(kOld, tree(), fs::copy_options::recursive);
  }
  std::string tree() const { return tmp_.path() + "/tree"; }
  nlohmann::json audit_json() const {
    const auto r = tt({"--root", tree(), "audit", "--format", "json"});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    return nlohmann::json::parse(r.out);
  }
  // Some /proc/net files (one IPv4 listener, sockstat, snmp); tcp6 and netstat stay missing.
  void write_some_proc_net() const {
    fs::create_directories(tree() + "/proc/net");
    write_text(tree() + "/proc/net/tcp",
               "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
               "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n");
    write_text(tree() + "/proc/net/sockstat", "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 1\n");
    write_text(tree() + "/proc/net/snmp", "Tcp: CurrEstab\nTcp: 0\n");
  }
  // A snapshot of the tree with a census and counters, damaged by `damage`; the audit's stderr
  // and exit code when it reads it back.
  template <typename F>
  RunResult audit_damaged_snapshot(const std::string& snap, F damage) const {
    write_some_proc_net();
    EXPECT_EQ(tt({"--root", tree(), "snapshot", "-o", snap}).exit_code, 0);
    auto s = nlohmann::json::parse(tcptune::testing::read_text(snap));
    damage(s);
    write_text(snap, s.dump(1));
    return tt({"audit", "--snapshot", snap});
  }
  static bool has_gap(const nlohmann::json& report, const std::string& what, const std::string& reason) {
    for (const auto& g : report["gaps"]) {
      if (g["what"] == what && g["reason"] == reason) return true;
    }
    return false;
  }
  static bool fired(const nlohmann::json& report, const std::string& id) {
    for (const auto& f : report["findings"]) {
      if (f["id"] == id) return true;
    }
    return false;
  }
};

TEST_F(HostileTree, EmptyProcSysValueIsAGapNotACriticalFinding) {
  write_text(tree() + "/proc/sys/net/ipv4/tcp_tw_recycle", "");
  const auto j = audit_json();
  EXPECT_FALSE(fired(j, "TT-RECYCLE-001")) << j.dump(1);
  EXPECT_TRUE(has_gap(j, "rule TT-RECYCLE-001", "sysctl net.ipv4.tcp_tw_recycle: '' is not a valid boolean value")) << j["gaps"].dump(1);
}

TEST_F(HostileTree, NonNumericAndTruncatedValuesAreShownAsRead) {
  write_text(tree() + "/proc/sys/net/ipv4/tcp_fin_timeout", "abc\n");
  write_text(tree() + "/proc/sys/net/ipv4/ip_local_port_range", "32768");  // second field cut off
  const std::string snap = tmp_.path() + "/s.json";
  ASSERT_EQ(tt({"--root", tree(), "snapshot", "-o", snap}).exit_code, 0);
  const auto s = nlohmann::json::parse(tcptune::testing::read_text(snap));
  EXPECT_EQ(s["sysctls"]["net.ipv4.tcp_fin_timeout"]["text"], "abc");
  EXPECT_EQ(s["sysctls"]["net.ipv4.ip_local_port_range"]["text"], "32768");
}

TEST_F(HostileTree, EmptyKernelReleaseIsAGap) {
  write_text(tree() + "/proc/sys/kernel/osrelease", "");
  const auto j = audit_json();
  EXPECT_EQ(j["host"]["kernel_release"], nullptr);
  EXPECT_TRUE(has_gap(j, "kernel release", tree() + "/proc/sys/kernel/osrelease: empty")) << j["gaps"].dump(1);
}

TEST_F(HostileTree, MissingProcNetFilesAreGapsOrNotesNeverSilent) {
  auto j = audit_json();  // the fixture tree has no proc/net at all
  EXPECT_TRUE(has_gap(j, "socket census", tree() + "/proc/net/tcp: cannot open: No such file or directory"))
      << j["gaps"].dump(1);
  EXPECT_TRUE(has_gap(j, "TCP counters", tree() + "/proc/net: no counter file could be read")) << j["gaps"].dump(1);
  // Only some files: the census says IPv6 was not counted, the counters name the missing file.
  write_some_proc_net();
  const std::string snap = tmp_.path() + "/s.json";
  ASSERT_EQ(tt({"--root", tree(), "snapshot", "-o", snap}).exit_code, 0);
  const auto s = nlohmann::json::parse(tcptune::testing::read_text(snap));
  EXPECT_EQ(s["census"]["states"]["LISTEN"], 1);
  EXPECT_EQ(s["census"]["notes"], nlohmann::json::array({tree() + "/proc/net/tcp6: not readable (no IPv6?); IPv6 sockets not counted"}));
  ASSERT_EQ(s["counters"]["notes"].size(), 1u) << s["counters"].dump();
  const std::string note = s["counters"]["notes"][0];
  EXPECT_NE(note.find(tree() + "/proc/net/netstat: cannot open: No such file or directory"), std::string::npos) << note;
  EXPECT_EQ(s["counters"]["current"]["values"]["TcpCurrEstab"], 0);
}

// A sysctl.d key is a path under /proc/sys; "net/../../../etc/x" must not read /etc/x as root
// and copy it into the snapshot.
TEST_F(HostileTree, SysctlConfKeysCannotReadOutsideProcSys) {
  fs::create_directories(tree() + "/etc/secret");
  write_text(tree() + "/etc/secret/shadow", "TOPSECRET\n");
  write_text(tree() + "/etc/sysctl.d/90-evil.conf",
             "net/../../../etc/secret/shadow = 1\nnet.ipv4.tcp_fin_timeout/../../../../etc/secret/shadow = 2\n"
             "net/../../../etc/secret/* = 3\n");
  const std::string snap = tmp_.path() + "/s.json";
  const auto r = tt({"--root", tree(), "snapshot", "-o", snap});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = tcptune::testing::read_text(snap);
  EXPECT_EQ(text.find("TOPSECRET"), std::string::npos);
  const auto s = nlohmann::json::parse(text);
  const auto& reading = s["sysctls"]["net.//.//.//.etc.secret.shadow"];
  EXPECT_EQ(reading["state"], "unreadable") << reading.dump();
  EXPECT_EQ(reading["errno"], EINVAL) << reading.dump();
}

// Damaged census and counters sections name the JSON pointer, as the rest of the snapshot does.
const char* kDamagedHint =
    "hint: the snapshot is damaged or from an incompatible version; take it again with 'tcptune snapshot'\n";

TEST_F(HostileTree, SnapshotWithAnUnknownCensusStateNamesThePointer) {
  const std::string snap = tmp_.path() + "/s.json";
  const auto r = audit_damaged_snapshot(snap, [](nlohmann::json& s) { s["census"]["states"]["HALF-OPEN"] = 1; });
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: " + snap + ": /census/states/HALF-OPEN: unknown state 'HALF-OPEN'\n" + kDamagedHint);
}

TEST_F(HostileTree, SnapshotWithABadCountersSampleNamesThePointer) {
  const std::string snap = tmp_.path() + "/s.json";
  const auto r = audit_damaged_snapshot(snap, [](nlohmann::json& s) { s["counters"]["current"]["monotonic_ms"] = "soon"; });
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: " + snap + ": /counters/current/monotonic_ms: expected an integer, found a string\n" +
                       kDamagedHint);
}

TEST_F(HostileTree, SnapshotWithAWrongTypeDeepInTheCensusNamesThePointer) {
  const std::string snap = tmp_.path() + "/s.json";
  const auto r = audit_damaged_snapshot(snap, [](nlohmann::json& s) {
    s["census"]["ports"] = {{{"port", 8080}, {"states", {{"LISTEN", true}}}}};
    s["census"]["distinct_ports"] = 1;
  });
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "tcptune: error: " + snap + ": /census/ports/0/states/LISTEN: expected an integer, found a boolean\n" +
                       kDamagedHint);
}

}  // namespace
}  // namespace tcptune

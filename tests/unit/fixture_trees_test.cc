// Sanity checks of tests/fixtures/trees (see its README.md) against the shipped catalogue, so
// that fixture-based tests elsewhere rest on trees that agree with the kernel facts.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/catalogue_loader.h"
#include "core/sysctl_key.h"
#include "platform/fs_util.h"
#include "platform/sysctl_store.h"

namespace tcptune {
namespace {

namespace fs = std::filesystem;

const std::string kTrees = std::string(TCPTUNE_SOURCE_DIR) + "/tests/fixtures/trees/";

core::Catalogue shipped_catalogue() {
  auto text = platform::read_file(std::string(TCPTUNE_SOURCE_DIR) + "/rules/catalogue.toml");
  EXPECT_TRUE(text);
  auto cat = core::load_catalogue(text ? *text : std::string(), "rules/catalogue.toml");
  EXPECT_TRUE(cat) << cat.error().render();
  return cat ? std::move(*cat) : core::Catalogue{};
}

std::set<std::string> modules_of(const std::string& root) {
  auto text = platform::read_file(root + "/proc/modules");
  EXPECT_TRUE(text) << root;
  std::set<std::string> out;
  size_t pos = 0;
  while (text && pos < text->size()) {
    const size_t eol = std::min(text->find('\n', pos), text->size());
    const std::string line = text->substr(pos, eol - pos);
    if (!line.empty()) out.insert(line.substr(0, line.find(' ')));
    pos = eol + 1;
  }
  return out;
}

struct Setting {
  std::string value;
  std::string file;  // basename
  std::vector<std::string> shadowed;  // earlier values, in order
};

// A deliberately small model of systemd-sysctl ordering (files sorted by name across
// etc/sysctl.d and usr/lib/sysctl.d, later assignments win); enough to state what the trees
// contain. The real resolver lives in core and has its own tests.
std::map<std::string, Setting> configured(const std::string& root) {
  std::map<std::string, std::string> files;  // basename -> path (etc/ masks usr/lib/)
  for (const char* dir : {"/usr/lib/sysctl.d", "/etc/sysctl.d"}) {
    if (!fs::is_directory(root + dir)) continue;
    for (const auto& de : fs::directory_iterator(root + dir)) {
      const std::string name = de.path().filename().string();
      if (name.size() > 5 && name.ends_with(".conf")) files[name] = de.path().string();
    }
  }
  std::map<std::string, Setting> out;
  for (const auto& [name, path] : files) {
    auto text = platform::read_file(path);
    EXPECT_TRUE(text) << path;
    std::string_view rest = text ? std::string_view(*text) : std::string_view();
    while (!rest.empty()) {
      const size_t eol = std::min(rest.find('\n'), rest.size());
      std::string_view line = rest.substr(0, eol);
      rest.remove_prefix(std::min(eol + 1, rest.size()));
      line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
      const size_t eq = line.find('=');
      if (line.empty() || line[0] == '#' || line[0] == ';' || eq == std::string_view::npos) {
        continue;
      }
      const std::string key = core::normalize_key(line.substr(0, eq));
      const std::string value = std::string(core::parse_sysctl_value(line.substr(eq + 1)).text);
      Setting& s = out[key];
      if (!s.file.empty()) s.shadowed.push_back(s.value);
      s.value = value;
      s.file = name;
    }
  }
  return out;
}

class FixtureTree : public ::testing::TestWithParam<const char*> {};

TEST_P(FixtureTree, HasExactlyTheCatalogueKeysItsKernelHasWithinBounds) {
  const auto cat = shipped_catalogue();
  const std::string root = kTrees + GetParam();
  platform::ProcSysctl proc(root);
  const auto release = proc.read("kernel.osrelease");
  ASSERT_TRUE(release.has_value()) << root;
  const auto version = core::parse_kernel_version(release.value.text);
  ASSERT_TRUE(version.has_value()) << release.value.text;
  const auto modules = modules_of(root);
  // The 6.18 reference host has conntrack built in (no module listed, keys present).
  const bool conntrack =
      modules.count("nf_conntrack") > 0 || *version >= core::KernelVersion{6, 18, 0};
  for (const auto& [key, e] : cat.entries) {
    const bool expected = e.exists_on(*version) && (e.module.empty() || conntrack);
    const auto r = proc.read(key);
    EXPECT_EQ(r.has_value(), expected) << GetParam() << ": " << key;
    if (!r.has_value()) {
      EXPECT_EQ(r.state, core::SysctlReading::State::kAbsent) << key;
      continue;
    }
    const auto& v = r.value;
    if (e.type == "tuple") {
      EXPECT_EQ(v.numbers.size(), static_cast<size_t>(e.fields)) << key;
    }
    for (const int64_t n : v.numbers) {
      EXPECT_GE(n, e.min.value_or(n)) << key;
      EXPECT_LE(n, e.max.value_or(n)) << key;
    }
  }
  EXPECT_FALSE(fs::exists(root + "/proc/self/ns/net")) << "cannot be a real link in git";
}

TEST_P(FixtureTree, LinksSysctlConfRelatively) {
  const std::string link = kTrees + GetParam() + "/etc/sysctl.d/99-sysctl.conf";
  ASSERT_TRUE(fs::is_symlink(link)) << link;
  EXPECT_EQ(fs::read_symlink(link).string(), "../sysctl.conf");
  EXPECT_TRUE(fs::is_regular_file(link));  // the target exists
}

TEST_P(FixtureTree, ConfiguredKeysThatExistOnlyDriftWhereTheReadmeSaysSo) {
  const std::string root = kTrees + GetParam();
  platform::ProcSysctl proc(root);
  std::set<std::string> drift, missing;
  for (const auto& [key, s] : configured(root)) {
    const auto r = proc.read(key);
    if (!r.has_value()) missing.insert(key);
    else if (r.value.text != s.value) drift.insert(key);
  }
  if (std::string(GetParam()) == "linux-6.18") {
    EXPECT_TRUE(drift.empty());
    EXPECT_TRUE(missing.empty());
  } else {
    EXPECT_EQ(drift, std::set<std::string>{"net.ipv4.tcp_fin_timeout"});
    EXPECT_EQ(missing, std::set<std::string>{"net.netfilter.nf_conntrack_max"});
  }
}

INSTANTIATE_TEST_SUITE_P(Trees, FixtureTree, ::testing::Values("linux-4.9", "linux-6.18"));

TEST(FixtureTrees, LinuxSixEighteenIsACleanDefaultHost) {
  const auto cat = shipped_catalogue();
  const std::string root = kTrees + "linux-6.18";
  platform::ProcSysctl proc(root);
  for (const auto& [key, e] : cat.entries) {
    const auto fixed = e.default_on(core::KernelVersion{6, 18, 0});
    const auto r = proc.read(key);
    if (fixed && r.has_value()) {
      EXPECT_EQ(r.value.text, *fixed) << key;
    }
  }
  for (const auto& [key, s] : configured(root)) {
    EXPECT_NE(key.rfind("net.", 0), 0u) << "6.18 tree must not configure network keys: " << key;
  }
  EXPECT_EQ(proc.read("net.ipv4.tcp_congestion_control").value.text, "bbr");
}

TEST(FixtureTrees, LinuxFourNineFollowsTheFactsHistoryAndHasTheSeededProblems) {
  const auto cat = shipped_catalogue();
  const std::string root = kTrees + "linux-4.9";
  platform::ProcSysctl proc(root);
  const std::set<std::string> tuned = {"net.ipv4.tcp_tw_recycle"};  // live value set by config
  for (const auto& [key, e] : cat.entries) {
    const auto fixed = e.default_on(core::KernelVersion{4, 9, 0});
    const auto r = proc.read(key);
    if (fixed && r.has_value() && !tuned.count(key)) {
      EXPECT_EQ(r.value.text, *fixed) << key;
    }
  }
  EXPECT_EQ(proc.read("net.ipv4.tcp_tw_recycle").value.text, "1");
  EXPECT_EQ(proc.read("net.core.somaxconn").value.text, "128");
  EXPECT_EQ(proc.read("net.ipv4.tcp_tw_reuse").value.text, "0");
  EXPECT_FALSE(proc.read("net.ipv4.tcp_tw_reuse_delay").has_value());
  EXPECT_FALSE(proc.read("net.ipv4.tcp_syn_linear_timeouts").has_value());
  EXPECT_FALSE(modules_of(root).count("nf_conntrack"));
  EXPECT_TRUE(modules_of(root).count("tcp_diag"));

  const auto conf = configured(root);
  ASSERT_TRUE(conf.count("net.ipv4.tcp_tw_recycle"));
  EXPECT_EQ(conf.at("net.ipv4.tcp_tw_recycle").value, "1");
  EXPECT_EQ(conf.at("net.ipv4.tcp_tw_recycle").file, "99-sysctl.conf");
  const Setting& fin = conf.at("net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(fin.value, "30");
  EXPECT_EQ(fin.file, "60-web.conf");
  EXPECT_EQ(fin.shadowed, std::vector<std::string>{"15"});
  EXPECT_EQ(proc.read("net.ipv4.tcp_fin_timeout").value.text, "60");
}

}  // namespace
}  // namespace tcptune

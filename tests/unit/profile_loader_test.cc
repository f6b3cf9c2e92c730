#include "core/profile_loader.h"

#include <gtest/gtest.h>

#include "profile_test_support.h"

namespace tcptune::core {
namespace {

using test::shipped_catalogue;

std::string load_error(const std::string& text) {
  auto p = load_profile(text, "p.toml", shipped_catalogue());
  EXPECT_FALSE(p.ok()) << "expected an error for:\n" << text;
  return p ? std::string() : p.error().render();
}

TEST(ProfileLoader, ParsesSettingsInFileOrder) {
  auto p = load_profile(R"(name = "x"
description = "test workload"
include = ["a", "b"]
kernel_defaults = ["net.ipv4.tcp_retries2"]
[[setting]]
key = "net/ipv4/tcp_fin_timeout"
value = 30
reason = "bounds orphaned FIN_WAIT2"
[[setting]]
key = "net.ipv4.ip_local_port_range"
value = [16384, 65535]
reason = "more ports"
[[setting]]
key = "net.ipv4.tcp_congestion_control"
value = "bbr"
reason = "string value"
)",
                        "p.toml", shipped_catalogue());
  ASSERT_TRUE(p.ok()) << p.error().render();
  EXPECT_EQ(p->name, "x");
  EXPECT_EQ(p->include, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(p->settings.size(), 4u);
  EXPECT_EQ(p->settings[0].key, "net.ipv4.tcp_retries2");
  EXPECT_TRUE(p->settings[0].kernel_default);
  EXPECT_EQ(p->settings[1].key, "net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(p->settings[1].value, "30");
  EXPECT_EQ(p->settings[1].where, (SourceLoc{"p.toml", 5, 1}));
  EXPECT_EQ(p->settings[2].value, "16384 65535");
  EXPECT_EQ(p->settings[3].value, "bbr");
}

TEST(ProfileLoader, OutOfRange) {
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_keepalive_probes\"\n"
                       "value = 300\nreason = \"r\"\n"),
            "p.toml:5:9: error: net.ipv4.tcp_keepalive_probes: value 300 is out of range: the kernel "
            "accepts 0..255");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_tw_reuse_delay\"\n"
                       "value = 0\nreason = \"r\"\n"),
            "p.toml:5:9: error: net.ipv4.tcp_tw_reuse_delay: value 0 is out of range: the kernel "
            "accepts 1..60000");
}

TEST(ProfileLoader, JiffiesBoundHoldsForEveryHz) {
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                       "value = 3000000\nreason = \"r\"\n"),
            "p.toml:5:9: error: net.ipv4.tcp_fin_timeout: value 3000000 is out of range: a kernel "
            "with HZ=1000 accepts at most 2147483 (INT_MAX/HZ seconds)");
}

TEST(ProfileLoader, TupleFieldsAndPortRange) {
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.ip_local_port_range\"\n"
                       "value = \"1023 60999\"\nreason = \"r\"\n"),
            "p.toml:5:9: error: net.ipv4.ip_local_port_range: low port 1023 is below "
            "ip_unprivileged_port_start (1024 by default): the kernel rejects it");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.ip_local_port_range\"\n"
                       "value = [2000]\nreason = \"r\"\n"),
            "p.toml:5:9: error: net.ipv4.ip_local_port_range: '2000' is not 2 integers");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.ip_local_port_range\"\n"
                       "value = \"40000 65536\"\nreason = \"r\"\n"),
            "p.toml:5:9: error: net.ipv4.ip_local_port_range: value 65536 is out of range: the kernel "
            "accepts each field 1..65535");
}

TEST(ProfileLoader, TypeErrors) {
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                       "value = \"thirty\"\nreason = \"r\"\n"),
            "p.toml:5:9: error: net.ipv4.tcp_fin_timeout: 'thirty' is not an integer (integer takes one)");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_slow_start_after_idle\"\n"
                       "value = 2\nreason = \"r\"\n"),
            "p.toml:5:9: error: net.ipv4.tcp_slow_start_after_idle: value 2 is not a boolean: use 0 or 1");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                       "value = 1.5\nreason = \"r\"\n"),
            "p.toml:5:9: error: 'value' must be an integer, a string or an array of integers");
}

TEST(ProfileLoader, AtLeastOnlyOnIntegersAndRanges) {
  const std::string head = "name = \"x\"\ndescription = \"d\"\n[[setting]]\n";
  EXPECT_EQ(load_error(head + "key = \"net.ipv4.tcp_congestion_control\"\nvalue = \"bbr\"\nreason = \"r\"\n"
                       "at_least = true\n"),
            "p.toml:7:12: error: net.ipv4.tcp_congestion_control: 'at_least' needs an integer value or a "
            "two-integer range, not 'bbr'\nhint: at_least makes the value a floor that a larger live value "
            "(or a wider range) satisfies");
  EXPECT_EQ(load_error(head + "key = \"net.core.somaxconn\"\nvalue = 4096\nreason = \"r\"\nat_least = 1\n"),
            "p.toml:7:12: error: 'at_least' must be true or false, not an integer");
  auto set = load_profiles({{"p.toml", head + "key = \"net.core.somaxconn\"\nvalue = 4096\nreason = \"r\"\n"
                                              "at_least = true\n[[setting]]\nkey = \"net.ipv4.ip_local_port_range\"\n"
                                              "value = [16384, 65535]\nreason = \"r\"\nat_least = true\n"}},
                           test::shipped_catalogue());
  ASSERT_TRUE(set.ok()) << set.error().render();
  const auto& s = set->profiles.at("x").settings;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[0].at_least);
  EXPECT_TRUE(s[1].at_least);
}

TEST(ProfileLoader, UnknownKeyWithSuggestion) {
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timout\"\n"
                       "value = 30\nreason = \"r\"\n"),
            "p.toml:4:7: error: unknown sysctl 'net.ipv4.tcp_fin_timout' (did you mean "
            "'net.ipv4.tcp_fin_timeout'?)");
}

TEST(ProfileLoader, RemovedKeyIsRefused) {
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_tw_recycle\"\n"
                       "value = 1\nreason = \"r\"\n"),
            "p.toml:4:7: error: net.ipv4.tcp_tw_recycle was removed in Linux 4.12; a profile never sets it");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\nkernel_defaults = [\"net.ipv4.tcp_tw_recycle\"]\n"),
            "p.toml:3:20: error: net.ipv4.tcp_tw_recycle was removed in Linux 4.12; a profile never sets it");
}

TEST(ProfileLoader, MemoryDerivedDefaultCannotBeRestored) {
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\nkernel_defaults = [\"net.ipv4.tcp_max_orphans\"]\n"),
            "p.toml:3:20: error: net.ipv4.tcp_max_orphans has no fixed compiled-in default (tcp ehash "
            "entries / 2 (global; sized from the amount of RAM)); it cannot be restored from a number");
}

TEST(ProfileLoader, StructureErrors) {
  EXPECT_EQ(load_error("name = \"x\"\ndescriptoin = \"d\"\n"),
            "p.toml:2:1: error: unknown field 'descriptoin' (did you mean 'description'?)");
  EXPECT_EQ(load_error("name = \"x\"\n"), "p.toml:1:1: error: profile is missing required field 'description'");
  EXPECT_EQ(load_error("name = \"X y\"\ndescription = \"d\"\n"),
            "p.toml:1:8: error: invalid profile name 'X y' (use a-z, 0-9 and '-')");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                       "vaule = 30\nreason = \"r\"\n"),
            "p.toml:5:1: error: unknown field 'vaule' in [[setting]] (did you mean 'value'?)");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                       "value = 30\n"),
            "p.toml:3:1: error: [[setting]] is missing required field 'reason'");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                       "value = 30\nreason = \"r\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                       "value = 20\nreason = \"r\"\n"),
            "p.toml:7:1: error: net.ipv4.tcp_fin_timeout is set twice (first at line 3)");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\ninclude = \"a\"\n"),
            "p.toml:3:11: error: 'include' must be an array of strings");
  EXPECT_EQ(load_error("name = \"x\"\ndescription = \"d\"\n[[setting]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"
                       "value = 30\nreason = \"\"\n"),
            "p.toml:6:10: error: 'reason' must be a non-empty one-line string");
}

TEST(ProfileLoader, TomlSyntaxErrorIsLocated) {
  const std::string e = load_error("name = \"x\"\ndescription = \n");
  EXPECT_EQ(e.rfind("p.toml:2:", 0), 0u) << e;
}

TEST(ProfileLoader, LaterSourceReplacesSameName) {
  const std::string a = "name = \"web\"\ndescription = \"shipped\"\n";
  const std::string b = "name = \"web\"\ndescription = \"local\"\n";
  auto set = load_profiles({{"/usr/share/tcptune/profiles/web.toml", a},
                            {"/etc/tcptune/profiles.d/web.toml", b}},
                           shipped_catalogue());
  ASSERT_TRUE(set.ok()) << set.error().render();
  ASSERT_NE(set->find("web"), nullptr);
  EXPECT_EQ(set->find("web")->description, "local");
  EXPECT_EQ(set->replaced, (std::vector<std::string>{
                               "web: /etc/tcptune/profiles.d/web.toml replaces "
                               "/usr/share/tcptune/profiles/web.toml"}));
}

TEST(ProfileLoader, ShippedProfilesLoad) {
  for (const char* name : {"common", "http-short", "http-client", "chat-long", "kernel-defaults",
                           "reverse-proxy"}) {
    const std::string path = std::string("profiles/") + name + ".toml";
    auto p = load_profile(test::read_source_file(path), path, shipped_catalogue());
    ASSERT_TRUE(p.ok()) << p.error().render();
    EXPECT_EQ(p->name, name);
    for (const auto& s : p->settings) {
      EXPECT_TRUE(s.kernel_default || !s.reason.empty()) << name << " " << s.key;
    }
  }
}

}  // namespace
}  // namespace tcptune::core

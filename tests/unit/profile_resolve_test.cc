#include "core/profile_resolve.h"

#include <gtest/gtest.h>

#include "core/profile_loader.h"
#include "profile_test_support.h"

namespace tcptune::core {
namespace {

ProfileSet load(const std::vector<ProfileSource>& sources) {
  auto set = load_profiles(sources, test::shipped_catalogue());
  EXPECT_TRUE(set.ok()) << set.error().render();
  return set ? *set : ProfileSet{};
}

std::string setting(const char* key, int value) {
  return "[[setting]]\nkey = \"" + std::string(key) + "\"\nvalue = " + std::to_string(value) +
         "\nreason = \"r\"\n";
}

TEST(ProfileResolve, IncludesApplyFirstAndLaterValuesWin) {
  const ProfileSet set = load({
      {"base.toml", "name = \"base\"\ndescription = \"d\"\n" + setting("net.ipv4.tcp_fin_timeout", 50) +
                        setting("net.ipv4.tcp_retries2", 10)},
      {"mid.toml", "name = \"mid\"\ndescription = \"d\"\ninclude = [\"base\"]\n" +
                       setting("net.ipv4.tcp_fin_timeout", 40)},
      {"top.toml", "name = \"top\"\ndescription = \"d\"\ninclude = [\"mid\"]\n" +
                       setting("net.ipv4.tcp_fin_timeout", 30) + setting("net.core.somaxconn", 1024)},
  });
  auto r = resolve_profile(set, "top");
  ASSERT_TRUE(r.ok()) << r.error().render();
  ASSERT_EQ(r->settings.size(), 3u);
  const auto& fin = r->settings[0];
  EXPECT_EQ(fin.setting.key, "net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(fin.setting.value, "30");
  EXPECT_EQ(fin.origin, "top");
  EXPECT_EQ(fin.overridden, (std::vector<ResolvedProfileSetting::Overridden>{{"base", "50"}, {"mid", "40"}}));
  const auto& retries = r->settings[1];
  EXPECT_EQ(retries.origin, "base");
  EXPECT_EQ(retries.chain, (std::vector<std::string>{"top", "mid", "base"}));
  EXPECT_EQ(r->settings[2].setting.key, "net.core.somaxconn");
  EXPECT_EQ(r->applied, (std::vector<std::string>{"base", "mid", "top"}));
}

TEST(ProfileResolve, DiamondAppliesSharedProfileOnce) {
  const ProfileSet set = load({
      {"c.toml", "name = \"c\"\ndescription = \"d\"\n" + setting("net.ipv4.tcp_retries2", 10)},
      {"a.toml", "name = \"a\"\ndescription = \"d\"\ninclude = [\"c\"]\n"},
      {"b.toml", "name = \"b\"\ndescription = \"d\"\ninclude = [\"c\"]\n" + setting("net.ipv4.tcp_retries2", 9)},
      {"t.toml", "name = \"t\"\ndescription = \"d\"\ninclude = [\"a\", \"b\"]\n"},
  });
  auto r = resolve_profile(set, "t");
  ASSERT_TRUE(r.ok()) << r.error().render();
  EXPECT_EQ(r->applied, (std::vector<std::string>{"c", "a", "b", "t"}));
  ASSERT_EQ(r->settings.size(), 1u);
  EXPECT_EQ(r->settings[0].setting.value, "9");
  EXPECT_EQ(r->settings[0].overridden.size(), 1u);
}

TEST(ProfileResolve, CycleIsNamed) {
  const ProfileSet set = load({
      {"a.toml", "name = \"a\"\ndescription = \"d\"\ninclude = [\"b\"]\n"},
      {"b.toml", "name = \"b\"\ndescription = \"d\"\ninclude = [\"c\"]\n"},
      {"c.toml", "name = \"c\"\ndescription = \"d\"\ninclude = [\"a\"]\n"},
  });
  auto r = resolve_profile(set, "a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(), "c.toml:3:12: error: include cycle: a -> b -> c -> a");
  auto self = resolve_profile(load({{"s.toml", "name = \"s\"\ndescription = \"d\"\ninclude = [\"s\"]\n"}}), "s");
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().render(), "s.toml:3:12: error: include cycle: s -> s");
}

TEST(ProfileResolve, UnknownIncludeAndProfile) {
  const ProfileSet set = load({
      {"http-short.toml", "name = \"http-short\"\ndescription = \"d\"\n"},
      {"x.toml", "name = \"x\"\ndescription = \"d\"\ninclude = [\"http-shrot\"]\n"},
  });
  auto r = resolve_profile(set, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(),
            "x.toml:3:12: error: unknown profile 'http-shrot' in include (did you mean 'http-short'?)");
  auto missing = resolve_profile(set, "http-shortt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().render(),
            "tcptune: error: profile 'http-shortt': no such profile\nhint: did you mean 'http-short'?");
}

TEST(ProfileResolve, ShippedReverseProxyCombinesBothSides) {
  std::vector<ProfileSource> sources;
  for (const char* n : {"common", "http-short", "http-client", "reverse-proxy"}) {
    const std::string path = std::string("profiles/") + n + ".toml";
    sources.push_back({path, test::read_source_file(path)});
  }
  auto r = resolve_profile(load(sources), "reverse-proxy");
  ASSERT_TRUE(r.ok()) << r.error().render();
  EXPECT_EQ(r->applied, (std::vector<std::string>{"common", "http-short", "http-client", "reverse-proxy"}));
  std::vector<std::string> keys;
  for (const auto& s : r->settings) keys.push_back(s.setting.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"net.ipv4.tcp_timestamps", "net.core.somaxconn",
                                            "net.ipv4.tcp_syncookies", "net.ipv4.tcp_fin_timeout",
                                            "net.ipv4.ip_local_port_range", "net.ipv4.tcp_tw_reuse"}));
}

}  // namespace
}  // namespace tcptune::core

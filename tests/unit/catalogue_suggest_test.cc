#include "core/catalogue_suggest.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

Catalogue make_catalogue(std::initializer_list<const char*> keys) {
  Catalogue c;
  for (const char* k : keys) c.entries[k].key = k;
  return c;
}

const Catalogue kCat = make_catalogue(
    {"net.ipv4.tcp_tw_recycle", "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_tw_reuse_delay",
     "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_keepalive_intvl",
     "net.ipv4.tcp_keepalive_probes", "net.core.somaxconn",
     "net.netfilter.nf_conntrack_tcp_timeout_fin_wait"});

TEST(SuggestKeys, FragmentFindsTheFullKey) {
  EXPECT_EQ(suggest_keys(kCat, "tw_recycle"), std::vector<std::string>{"net.ipv4.tcp_tw_recycle"});
  // Most specific (shortest remaining) first.
  EXPECT_EQ(suggest_keys(kCat, "tw_reuse"),
            (std::vector<std::string>{"net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_tw_reuse_delay"}));
  EXPECT_EQ(suggest_keys(kCat, "net/core/somaxconn"),
            std::vector<std::string>{"net.core.somaxconn"});
}

TEST(SuggestKeys, TyposFindTheNearestKeys) {
  EXPECT_EQ(suggest_keys(kCat, "net.ipv4.tcp_fin_timout"),
            std::vector<std::string>{"net.ipv4.tcp_fin_timeout"});
  EXPECT_EQ(suggest_keys(kCat, "fin_timout"), std::vector<std::string>{"net.ipv4.tcp_fin_timeout"});
  EXPECT_EQ(suggest_keys(kCat, "somaxconnn"), std::vector<std::string>{"net.core.somaxconn"});
}

TEST(SuggestKeys, LimitsAndEmptyQueries) {
  EXPECT_EQ(suggest_keys(kCat, "keepalive", 2).size(), 2u);
  EXPECT_TRUE(suggest_keys(kCat, "").empty());
  EXPECT_TRUE(suggest_keys(kCat, "vm.swappiness").empty());
}

}  // namespace
}  // namespace tcptune::core

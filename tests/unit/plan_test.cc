#include "core/plan.h"

#include <gtest/gtest.h>

#include "core/profile_loader.h"
#include "profile_test_support.h"

namespace tcptune::core {
namespace {

ResolvedProfile resolved(const std::string& text) {
  auto set = load_profiles({{"p.toml", text}}, test::shipped_catalogue());
  EXPECT_TRUE(set.ok()) << set.error().render();
  auto r = resolve_profile(*set, set->names().front());
  EXPECT_TRUE(r.ok()) << r.error().render();
  return *r;
}

ResolvedProfile shipped(const std::string& name) {
  std::vector<ProfileSource> sources;
  for (const char* n : {"common", "http-short", "http-client", "chat-long", "kernel-defaults",
                        "reverse-proxy"}) {
    const std::string path = std::string("profiles/") + n + ".toml";
    sources.push_back({path, test::read_source_file(path)});
  }
  auto set = load_profiles(sources, test::shipped_catalogue());
  EXPECT_TRUE(set.ok()) << set.error().render();
  auto r = resolve_profile(*set, name);
  EXPECT_TRUE(r.ok()) << r.error().render();
  return *r;
}

TEST(Plan, DiffAgainstSnapshotKeepsOrderAndMarksUnchanged) {
  auto plan = make_plan(shipped("http-client"), test::shipped_catalogue(), test::netns_snapshot_618());
  ASSERT_TRUE(plan.ok()) << plan.error().render();
  ASSERT_EQ(plan->items.size(), 3u);
  EXPECT_EQ(plan->items[0].key, "net.ipv4.tcp_timestamps");
  EXPECT_FALSE(plan->items[0].change);
  EXPECT_EQ(plan->items[0].origin, "common");
  EXPECT_EQ(plan->items[1].key, "net.ipv4.ip_local_port_range");
  EXPECT_EQ(plan->items[1].before, "32768 60999");
  EXPECT_EQ(plan->items[1].after, "16384 65535");
  EXPECT_TRUE(plan->items[1].change);
  EXPECT_EQ(plan->items[2].before, "2");
  EXPECT_EQ(plan->items[2].after, "1");
  EXPECT_EQ(plan->change_count(), 2u);
}

TEST(Plan, AtLeastKeepsALargerValueOrAWiderRangeAndRaisesASmallerOne) {
  const ResolvedProfile p = resolved("name = \"x\"\ndescription = \"d\"\n[[setting]]\n"
                                     "key = \"net.core.somaxconn\"\nvalue = 4096\nreason = \"r\"\nat_least = true\n"
                                     "[[setting]]\nkey = \"net.ipv4.ip_local_port_range\"\nvalue = [16384, 65535]\n"
                                     "reason = \"r\"\nat_least = true\n");
  auto snap = test::netns_snapshot_618();
  struct Case {
    const char* somaxconn;
    const char* range;
    bool somaxconn_change;
    bool range_change;
  };
  for (const Case& c : {Case{"65535", "1024 65535", false, false}, Case{"4096", "16384 65535", false, false},
                        Case{"128", "32768 60999", true, true}, Case{"4095", "16384 65000", true, true},
                        Case{"8192", "10000 60999", false, true}}) {
    snap.sysctls["net.core.somaxconn"] = SysctlReading::of(c.somaxconn);
    snap.sysctls["net.ipv4.ip_local_port_range"] = SysctlReading::of(c.range);
    auto plan = make_plan(p, test::shipped_catalogue(), snap);
    ASSERT_TRUE(plan.ok()) << plan.error().render();
    ASSERT_EQ(plan->items.size(), 2u);
    const PlannedChange& s = plan->items[0];
    const PlannedChange& r = plan->items[1];
    EXPECT_EQ(s.change, c.somaxconn_change) << c.somaxconn;
    EXPECT_EQ(s.after, c.somaxconn_change ? "4096" : c.somaxconn) << c.somaxconn;
    EXPECT_EQ(s.floor_kept, !c.somaxconn_change && std::string(c.somaxconn) != "4096") << c.somaxconn;
    EXPECT_EQ(r.change, c.range_change) << c.range;
    EXPECT_EQ(r.after, c.range_change ? "16384 65535" : c.range) << c.range;
  }
  snap.sysctls["net.core.somaxconn"] = SysctlReading::of("65535");
  auto plan = make_plan(p, test::shipped_catalogue(), snap);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->items[0].floor, "4096");
  EXPECT_EQ(plan->items[0].notes,
            std::vector<std::string>{"the profile asks for at least 4096; this host's 65535 already meets it and is kept"});
  // Without at_least the same profile lowers it: the target is absolute.
  auto exact = make_plan(resolved("name = \"x\"\ndescription = \"d\"\n[[setting]]\n"
                                  "key = \"net.core.somaxconn\"\nvalue = 4096\nreason = \"r\"\n"),
                         test::shipped_catalogue(), snap);
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->items[0].change);
  EXPECT_EQ(exact->items[0].after, "4096");
}

TEST(Plan, AbsentKeyIsAnErrorNamingIt) {
  auto snap = test::netns_snapshot_618();
  snap.sysctls["net.ipv4.tcp_tw_reuse_delay"] = SysctlReading::absent();
  snap.kernel_release = "6.8.0-1-generic";
  auto plan = make_plan(resolved("name = \"x\"\ndescription = \"d\"\n[[setting]]\n"
                                 "key = \"net.ipv4.tcp_tw_reuse_delay\"\nvalue = 2000\nreason = \"r\"\n"),
                        test::shipped_catalogue(), snap);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().render(),
            "tcptune: error: net.ipv4.tcp_tw_reuse_delay: the running kernel (Linux 6.8) does not have "
            "this key (profile 'x' sets it at p.toml:3)\nhint: the key was added in Linux 6.14");
}

TEST(Plan, GlobalKeyAbsentInChildNetns) {
  auto plan = make_plan(resolved("name = \"x\"\ndescription = \"d\"\n[[setting]]\n"
                                 "key = \"net.ipv4.tcp_max_orphans\"\nvalue = 65536\nreason = \"r\"\n"),
                        test::shipped_catalogue(), test::netns_snapshot_618());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().render(),
            "tcptune: error: net.ipv4.tcp_max_orphans: the running kernel (Linux 6.18.44) does not "
            "have this key (profile 'x' sets it at p.toml:3)\nhint: the key is global: it does not "
            "exist inside a child network namespace");
}

TEST(Plan, UnreadableKeyCarriesErrno) {
  auto snap = test::netns_snapshot_618();
  snap.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::unreadable(13);
  auto plan = make_plan(shipped("http-short"), test::shipped_catalogue(), snap);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().render(),
            "tcptune: error: net.ipv4.tcp_fin_timeout: cannot read the current value (profile "
            "'http-short' sets it at profiles/http-short.toml:16): Permission denied");
}

TEST(Plan, KernelDefaultsFollowTheRunningVersion) {
  auto snap = test::netns_snapshot_618();
  snap.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::of("30");
  auto plan = make_plan(shipped("kernel-defaults"), test::shipped_catalogue(), snap);
  ASSERT_TRUE(plan.ok()) << plan.error().render();
  auto find = [&](const std::string& k) -> const PlannedChange* {
    for (const auto& it : plan->items)
      if (it.key == k) return &it;
    return nullptr;
  };
  ASSERT_NE(find("net.ipv4.tcp_fin_timeout"), nullptr);
  EXPECT_EQ(find("net.ipv4.tcp_fin_timeout")->after, "60");
  EXPECT_TRUE(find("net.ipv4.tcp_fin_timeout")->change);
  EXPECT_EQ(find("net.ipv4.tcp_fin_timeout")->reason, "compiled-in default of Linux 6.18.44");
  EXPECT_EQ(find("net.ipv4.tcp_max_tw_buckets")->after, "131072");  // |-262144| / 2
  EXPECT_EQ(find("net.ipv4.tcp_max_tw_buckets")->reason,
            "kernel default: |tcp_ehash_entries| / 2 = 131072 (tcp_set_hashinfo())");
  EXPECT_FALSE(find("net.ipv4.tcp_max_tw_buckets")->change);
  EXPECT_EQ(plan->change_count(), 1u);
  // Keys this snapshot did not read are omitted with the reason.
  EXPECT_NE(std::find(plan->omitted.begin(), plan->omitted.end(),
                      "net.ipv4.tcp_retries1: was not read from the running kernel"),
            plan->omitted.end());

  // On 4.9 the defaults differ (tcp_tw_reuse 0 until 4.18, somaxconn 128 until 5.4) and the
  // keys added later (tcp_tw_reuse_delay 6.14, tcp_syn_linear_timeouts 6.5) are left out.
  snap.kernel_release = "4.9.0-19-amd64";
  auto old = make_plan(shipped("kernel-defaults"), test::shipped_catalogue(), snap);
  ASSERT_TRUE(old.ok()) << old.error().render();
  plan = old;
  EXPECT_EQ(find("net.ipv4.tcp_tw_reuse")->after, "0");
  EXPECT_EQ(find("net.ipv4.ip_local_port_range")->after, "32768 60999");  // changed in 4.2, before 4.9
  EXPECT_EQ(find("net.core.somaxconn")->after, "128");
  EXPECT_EQ(find("net.ipv4.tcp_tw_reuse_delay"), nullptr);
  EXPECT_NE(std::find(plan->omitted.begin(), plan->omitted.end(),
                      "net.ipv4.tcp_tw_reuse_delay: not present on this kernel"),
            plan->omitted.end());
}

TEST(Plan, TwBucketsOmittedWithoutEhashEntries) {
  auto snap = test::netns_snapshot_618();
  snap.sysctls.erase("net.ipv4.tcp_ehash_entries");
  auto plan = make_plan(shipped("kernel-defaults"), test::shipped_catalogue(), snap);
  ASSERT_TRUE(plan.ok()) << plan.error().render();
  EXPECT_NE(std::find(plan->omitted.begin(), plan->omitted.end(),
                      "net.ipv4.tcp_max_tw_buckets: the default (tcp ehash entries / 2 (per netns; "
                      "the hash is sized from the amount of RAM: e.g. 131072 with 262144 hash entries, 4096 on a 1 GiB "
                      "host)) needs net.ipv4.tcp_ehash_entries, which "
                      "was not read"),
            plan->omitted.end());
}

TEST(Plan, TwBucketsDefaultFromExtremeEhashEntries) {
  auto snap = test::netns_snapshot_618();
  const std::pair<const char*, const char*> cases[] = {
      {"-262144", "131072"},
      {"262144", "131072"},
      {"-9223372036854775808", "4611686018427387904"},  // a hostile snapshot: no overflow
      {"9223372036854775807", "4611686018427387903"},
  };
  for (const auto& [ehash, half] : cases) {
    snap.sysctls["net.ipv4.tcp_ehash_entries"] = SysctlReading::of(ehash);
    EXPECT_EQ(derived_default("net.ipv4.tcp_max_tw_buckets", snap), std::optional<std::string>(half))
        << ehash;
  }
  snap.sysctls["net.ipv4.tcp_ehash_entries"] = SysctlReading::of("0");
  EXPECT_EQ(derived_default("net.ipv4.tcp_max_tw_buckets", snap), std::nullopt);
}

TEST(Plan, NotesFromTheSnapshot) {
  auto plan = make_plan(shipped("chat-long"), test::shipped_catalogue(), test::netns_snapshot_618());
  ASSERT_TRUE(plan.ok()) << plan.error().render();
  const auto& last = plan->items.back();
  EXPECT_EQ(last.key, "net.ipv4.tcp_slow_start_after_idle");
  EXPECT_EQ(last.notes, (std::vector<std::string>{
                            "no effect while tcp_congestion_control is bbr (BBR sets cong_control; "
                            "tcp_slow_start_after_idle_check() returns early)"}));
  auto snap = test::netns_snapshot_618();
  snap.sysctls["net.ipv4.tcp_congestion_control"] = SysctlReading::of("cubic");
  plan = make_plan(shipped("chat-long"), test::shipped_catalogue(), snap);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->items.back().notes.empty());

  snap.sysctls["net.ipv4.tcp_timestamps"] = SysctlReading::of("0");
  auto reuse = make_plan(resolved("name = \"x\"\ndescription = \"d\"\n[[setting]]\n"
                                  "key = \"net.ipv4.tcp_tw_reuse\"\nvalue = 1\nreason = \"r\"\n"),
                         test::shipped_catalogue(), snap);
  ASSERT_TRUE(reuse.ok());
  EXPECT_EQ(reuse->items[0].notes, (std::vector<std::string>{
                                       "tcp_timestamps is 0: TIME-WAIT reuse needs timestamps and "
                                       "will not happen"}));
}

TEST(Plan, InputsIncludeDerivedAndNoteKeys) {
  auto keys = plan_inputs(shipped("http-client"));
  EXPECT_EQ(keys, (std::vector<std::string>{"net.ipv4.ip_local_port_range",
                                            "net.ipv4.tcp_congestion_control",
                                            "net.ipv4.tcp_ehash_entries", "net.ipv4.tcp_timestamps",
                                            "net.ipv4.tcp_tw_reuse"}));
}

// The journal of an apply that wrote fin_timeout 60 -> 30 and port range, then someone changed
// the port range again.
const std::vector<Change> kJournal = {{"net.ipv4.tcp_fin_timeout", "60", "30"},
                                      {"net.ipv4.ip_local_port_range", "32768 60999", "16384 65535"}};

TEST(RollbackPlan, RestoresEveryEntryInJournalOrderAndNotesLaterChanges) {
  Snapshot now;
  now.kernel_release = "6.18.0";
  now.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::of("30");
  now.sysctls["net.ipv4.ip_local_port_range"] = SysctlReading::of("20000\t65535");
  auto plan = plan_rollback("chat-long", kJournal, now);
  ASSERT_TRUE(plan.ok()) << plan.error().render();
  Plan want;
  want.profile = "rollback";
  want.description = "restore the values recorded before the apply of profile 'chat-long'";
  want.kernel = KernelVersion{6, 18, 0};
  want.items = {{{"net.ipv4.tcp_fin_timeout", "30", "60"}, "value before the apply", "journal", true, {}, false, false, {}},
                {{"net.ipv4.ip_local_port_range", "20000 65535", "32768 60999"},
                 "value before the apply",
                 "journal",
                 true,
                 {"was changed after the apply: now '20000 65535', apply wrote '16384 65535'"},
                 false,
                 false,
                 {}}};
  EXPECT_EQ(*plan, want);
}

TEST(RollbackPlan, KeysAlreadyBackAreStillWrittenAndValuesCompareAsTheKernelParses) {
  Snapshot now;
  now.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::of("60");
  now.sysctls["net.ipv4.ip_local_port_range"] = SysctlReading::of("16384\t65535");
  auto plan = plan_rollback("p", kJournal, now);
  ASSERT_TRUE(plan.ok()) << plan.error().render();
  EXPECT_EQ(plan->change_count(), 2u);
  EXPECT_EQ(plan->items[0].notes,
            (std::vector<std::string>{"was changed after the apply: now '60', apply wrote '30'"}));
  EXPECT_TRUE(plan->items[1].notes.empty());
  EXPECT_EQ(plan->kernel, std::nullopt);
}

TEST(RollbackPlan, AnUnreadableOrMissingKeyIsAnError) {
  Snapshot now;
  now.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::unreadable(13);
  auto denied = plan_rollback("p", kJournal, now);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().render(),
            "tcptune: error: net.ipv4.tcp_fin_timeout: cannot read the current value (unreadable): "
            "Permission denied");
  now.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::of("30");
  auto missing = plan_rollback("p", kJournal, now);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().render(),
            "tcptune: error: net.ipv4.ip_local_port_range: cannot read the current value (absent)");
}

TEST(RollbackPlan, EmptyJournalIsAnEmptyPlan) {
  auto plan = plan_rollback("p", {}, Snapshot{});
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->items.empty());
}

TEST(ReadingHolds, ComparesAsTheKernelParses) {
  EXPECT_TRUE(reading_holds(SysctlReading::of("32768\t60999"), "32768 60999"));
  EXPECT_TRUE(reading_holds(SysctlReading::of("32768 60999"), "32768\t 60999\n"));
  EXPECT_FALSE(reading_holds(SysctlReading::of("32768\t60999"), "32768 61000"));
  EXPECT_TRUE(reading_holds(SysctlReading::of(""), ""));
  EXPECT_FALSE(reading_holds(SysctlReading::of("1"), ""));
  EXPECT_FALSE(reading_holds(SysctlReading::absent(), ""));
  EXPECT_FALSE(reading_holds(SysctlReading::unreadable(13), "1"));
}

}  // namespace
}  // namespace tcptune::core

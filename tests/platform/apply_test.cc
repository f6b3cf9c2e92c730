// The transactional executor against a fake store (fault injection, recording) and against
// ProcSysctl on a temporary tree.
#include "platform/apply.h"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/sysctl_conf_resolve.h"
#include "core/sysctl_key.h"

namespace tcptune::platform {
namespace {

namespace fs = std::filesystem;

// Records every read and write; write number `fail_write` (1-based) fails without changing the
// value; a write of clamp[key].first stores clamp[key].second instead (accepted but not what
// was asked, as a clamping kernel or a racing process would); `on_write` runs first.
class FakeSysctlStore final : public SysctlStore {
 public:
  std::map<std::string, std::string> values;
  std::vector<std::pair<std::string, std::string>> writes;
  std::vector<std::string> reads;
  int fail_write = 0;
  std::map<std::string, std::pair<std::string, std::string>> clamp;
  std::vector<std::string> fail_keys;  // writes to these keys always fail
  std::function<void(std::string_view)> on_write;

  core::SysctlReading read(std::string_view key) override {
    reads.emplace_back(key);
    auto it = values.find(std::string(key));
    return it == values.end() ? core::SysctlReading::absent() : core::SysctlReading::of(it->second);
  }
  core::Status write(std::string_view key, std::string_view text) override {
    if (on_write) on_write(key);
    writes.emplace_back(key, text);
    const bool fail = static_cast<int>(writes.size()) == fail_write ||
                      std::find(fail_keys.begin(), fail_keys.end(), key) != fail_keys.end();
    if (fail) return core::make_error(std::string(key), "write rejected by the kernel", EINVAL);
    auto c = clamp.find(std::string(key));
    const bool clamped = c != clamp.end() && c->second.first == text;
    values[std::string(key)] = clamped ? c->second.second : std::string(text);
    return core::ok_status();
  }
};

const std::map<std::string, std::string> kInitial = {
    {"net.ipv4.tcp_fin_timeout", "60"},
    {"net.ipv4.tcp_keepalive_time", "7200"},
    {"net.ipv4.ip_local_port_range", "32768\t60999"},
    {"net.ipv4.tcp_tw_reuse", "2"},
};

core::Plan four_changes() {
  core::Plan p;
  p.profile = "test";
  p.items = {{{"net.ipv4.tcp_fin_timeout", "60", "30"}, "r", "test", true, {}, false, false, {}},
             {{"net.ipv4.tcp_keepalive_time", "7200", "300"}, "r", "test", true, {}, false, false, {}},
             {{"net.ipv4.ip_local_port_range", "32768 60999", "16384 65535"}, "r", "test", true, {}, false, false, {}},
             {{"net.ipv4.tcp_tw_reuse", "2", "1"}, "r", "test", true, {}, false, false, {}}};
  return p;
}

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tcptune-apply-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    opts_.state_dir = base_ + "/state";
    opts_.tool_version = "0.1.0";
    store_.values = kInitial;
  }
  void TearDown() override { fs::remove_all(base_); }

  std::optional<Journal> journal() {
    auto j = read_journal(opts_.state_dir);
    EXPECT_TRUE(j.ok()) << j.error().render();
    return j ? *j : std::nullopt;
  }

  std::string base_;
  ApplyOptions opts_;
  FakeSysctlStore store_;
};

TEST_F(ApplyTest, AppliesEveryChangeWithReadBackAndJournals) {
  auto out = apply_plan(four_changes(), store_, opts_);
  ASSERT_TRUE(out.ok()) << out.error().render();
  EXPECT_EQ(out->exec.written.size(), 4u);
  EXPECT_EQ(store_.values["net.ipv4.tcp_fin_timeout"], "30");
  EXPECT_EQ(store_.values["net.ipv4.ip_local_port_range"], "16384 65535");
  auto j = journal();
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->state, JournalState::kApplied);
  EXPECT_EQ(j->profile, "test");
  EXPECT_EQ(j->pid, ::getpid());
  ASSERT_EQ(j->entries.size(), 4u);
  EXPECT_EQ(j->entries[2], (core::Change{"net.ipv4.ip_local_port_range", "32768 60999", "16384 65535"}));
  struct stat st{};
  ASSERT_EQ(::stat(opts_.state_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat(journal_path(opts_.state_dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(ApplyTest, JournalIsOnDiskBeforeTheFirstWrite) {
  bool checked = false;
  store_.on_write = [&](std::string_view) {
    if (checked) return;
    checked = true;
    auto j = read_journal(opts_.state_dir);
    ASSERT_TRUE(j.ok() && j->has_value());
    EXPECT_EQ((*j)->state, JournalState::kPending);
    EXPECT_EQ((*j)->entries.size(), 4u);
  };
  ASSERT_TRUE(apply_plan(four_changes(), store_, opts_).ok());
  EXPECT_TRUE(checked);
}

TEST_F(ApplyTest, KthWriteFailsForEveryKAndNothingIsLeftChanged) {
  const size_t n = four_changes().items.size();
  for (size_t k = 1; k <= n; ++k) {
    SCOPED_TRACE("failing write " + std::to_string(k));
    FakeSysctlStore store;
    store.values = kInitial;
    store.fail_write = static_cast<int>(k);
    fs::remove_all(opts_.state_dir);
    auto out = apply_plan(four_changes(), store, opts_);
    ASSERT_FALSE(out.ok());
    for (const auto& [key, value] : kInitial) {
      EXPECT_FALSE(core::value_differs(core::parse_sysctl_value(store.values[key]), value).value_or(true)) << key;
    }
    // Forward writes 1..k, then restores of keys k-1..1 (the rejected key kept its value).
    EXPECT_EQ(store.writes.size(), 2 * k - 1);
    std::vector<std::string> restored;
    for (size_t i = k - 1; i-- > 0;) restored.push_back(four_changes().items[i].key);
    const std::string undo = restored.empty() ? "nothing was left changed (no key had been written)"
                                              : fmt::format("nothing was left changed: restored {}",
                                                            fmt::join(restored, ", "));
    EXPECT_EQ(out.error().render(),
              fmt::format("tcptune: error: {}: write rejected by the kernel: Invalid argument\nhint: {}",
                          four_changes().items[k - 1].key, undo));
    auto j = journal();
    ASSERT_TRUE(j.has_value());
    EXPECT_EQ(j->state, JournalState::kRestored);
  }
}

TEST_F(ApplyTest, ReadBackMismatchIsAFailureAndIsUndone) {
  store_.clamp["net.ipv4.tcp_keepalive_time"] = {"300", "7000"};  // accepted, something else stored
  auto out = apply_plan(four_changes(), store_, opts_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().render(),
            "tcptune: error: net.ipv4.tcp_keepalive_time: read back '7000' after writing '300'\n"
            "hint: nothing was left changed: restored net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(store_.values["net.ipv4.tcp_fin_timeout"], "60");
}

TEST_F(ApplyTest, FailedRestoreKeepsJournalForRollback) {
  store_.fail_keys = {"net.ipv4.ip_local_port_range"};
  store_.clamp["net.ipv4.tcp_keepalive_time"] = {"7200", "300"};  // the restore will not stick
  auto out = apply_plan(four_changes(), store_, opts_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().hint,
            "could not restore net.ipv4.tcp_keepalive_time; the journal is kept: run 'tcptune rollback'");
  EXPECT_EQ(journal()->state, JournalState::kPending);

  // The next apply is refused and points at rollback.
  auto again = apply_plan(four_changes(), store_, opts_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().what.rfind("an interrupted apply of profile 'test' (pid ", 0), 0u)
      << again.error().what;
  EXPECT_EQ(again.error().hint, "run 'tcptune rollback' to restore the values it recorded, then apply again");

  // Once the kernel lets go, rollback restores everything the journal recorded.
  store_.clamp.clear();
  store_.fail_keys.clear();
  auto rb = rollback_last(store_, opts_);
  ASSERT_TRUE(rb.ok()) << rb.error().render();
  for (const auto& [key, value] : kInitial) {
    EXPECT_FALSE(core::value_differs(core::parse_sysctl_value(store_.values[key]), value).value_or(true)) << key;
  }
  EXPECT_EQ(journal()->state, JournalState::kRolledBack);
}

TEST_F(ApplyTest, DryRunWritesNothingAndCreatesNoState) {
  opts_.dry_run = true;
  auto out = apply_plan(four_changes(), store_, opts_);
  ASSERT_TRUE(out.ok()) << out.error().render();
  EXPECT_EQ(out->changes.size(), 4u);
  EXPECT_TRUE(store_.writes.empty());
  EXPECT_FALSE(fs::exists(opts_.state_dir));
  EXPECT_EQ(store_.values, kInitial);
}

TEST_F(ApplyTest, UnchangedAndAlreadyAppliedKeysAreSkipped) {
  store_.values["net.ipv4.tcp_fin_timeout"] = "30";  // changed after the snapshot
  auto plan = four_changes();
  plan.items[3].change = false;
  auto out = apply_plan(plan, store_, opts_);
  ASSERT_TRUE(out.ok()) << out.error().render();
  EXPECT_EQ(out->changes.size(), 2u);
  EXPECT_EQ(out->notes, (std::vector<std::string>{
                            "net.ipv4.tcp_fin_timeout changed since the plan was made: now '30'"}));
  EXPECT_EQ(store_.writes.size(), 2u);
}

TEST_F(ApplyTest, SecondApplyIsToldWhoHoldsTheLock) {
  ASSERT_TRUE(ensure_state_dir(opts_.state_dir).ok());
  auto held = StateLock::acquire(opts_.state_dir);
  ASSERT_TRUE(held.ok()) << held.error().render();
  auto out = apply_plan(four_changes(), store_, opts_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().render(),
            fmt::format("tcptune: error: {}/lock: another tcptune apply or rollback is running (pid {})\n"
                        "hint: wait for it to finish; the lock is released when that process exits",
                        opts_.state_dir, ::getpid()));
  EXPECT_TRUE(store_.writes.empty());
}

TEST_F(ApplyTest, RollbackRestoresAndSaysWhat) {
  ASSERT_TRUE(apply_plan(four_changes(), store_, opts_).ok());
  store_.values["net.ipv4.tcp_tw_reuse"] = "0";  // someone changed it afterwards
  auto rb = rollback_last(store_, opts_);
  ASSERT_TRUE(rb.ok()) << rb.error().render();
  EXPECT_EQ(rb->exec.written, (std::vector<std::string>{"net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_time",
                                                        "net.ipv4.ip_local_port_range", "net.ipv4.tcp_tw_reuse"}));
  EXPECT_EQ(rb->notes, (std::vector<std::string>{
                           "net.ipv4.tcp_tw_reuse was changed after the apply: now '0', apply wrote '1'"}));
  EXPECT_EQ(store_.values["net.ipv4.tcp_tw_reuse"], "2");
  auto again = rollback_last(store_, opts_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().what.rfind("the last apply (profile 'test', ", 0), 0u);
  EXPECT_NE(again.error().what.find("was already rolled back"), std::string::npos);
}

TEST_F(ApplyTest, RollbackKthWriteFailsLeavesAppliedValues) {
  for (int k = 1; k <= 4; ++k) {
    SCOPED_TRACE(k);
    FakeSysctlStore store;
    store.values = kInitial;
    fs::remove_all(opts_.state_dir);
    ASSERT_TRUE(apply_plan(four_changes(), store, opts_).ok());
    const auto applied = store.values;
    store.writes.clear();
    store.fail_write = k;
    ASSERT_FALSE(rollback_last(store, opts_).ok());
    EXPECT_EQ(store.values, applied);
    EXPECT_EQ(journal()->state, JournalState::kApplied);  // still there to roll back
  }
}

TEST_F(ApplyTest, RollbackWithoutJournalAndWithOtherRoot) {
  auto none = rollback_last(store_, opts_);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().render(),
            fmt::format("tcptune: error: {}/journal.json: no journal: nothing to roll back", opts_.state_dir));
  ASSERT_TRUE(apply_plan(four_changes(), store_, opts_).ok());
  opts_.root = "/srv/other";
  auto other = rollback_last(store_, opts_);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().what, "the journal was written for --root /, not /srv/other");
}

TEST_F(ApplyTest, StateDirMustNotBeASymlink) {
  fs::create_directory(base_ + "/real");
  fs::create_directory_symlink(base_ + "/real", opts_.state_dir);
  auto out = apply_plan(four_changes(), store_, opts_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().render(),
            fmt::format("tcptune: error: {}: state directory is not a directory (a symbolic link is "
                        "refused)\nhint: remove it or pass --state-dir DIR", opts_.state_dir));
  EXPECT_TRUE(store_.writes.empty());
}

TEST_F(ApplyTest, InvalidJournalIsReportedNotGuessed) {
  ASSERT_TRUE(ensure_state_dir(opts_.state_dir).ok());
  std::ofstream(journal_path(opts_.state_dir)) << "{\"schema_version\": 1, \"state\": \"weird\"}";
  auto out = rollback_last(store_, opts_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().render(),
            fmt::format("tcptune: error: {}/journal.json: /state: expected one of pending, applied, restored, "
                        "rolling-back, rolled-back, found 'weird'\n"
                        "hint: the file was not written by this version of tcptune; inspect it by hand",
                        opts_.state_dir));
  EXPECT_TRUE(store_.writes.empty());

  std::ofstream(journal_path(opts_.state_dir)) << "{\"schema_version\": 1,";
  auto cut = rollback_last(store_, opts_);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().render(),
            fmt::format("tcptune: error: {}/journal.json: not valid JSON\n"
                        "hint: the file was not written by this version of tcptune; inspect it by hand",
                        opts_.state_dir));
}

TEST_F(ApplyTest, ProcSysctlTreeApplyAndRollback) {
  const std::string dir = base_ + "/root/proc/sys/net/ipv4";
  fs::create_directories(dir);
  for (const auto& [key, value] : kInitial) {
    std::ofstream(base_ + "/root/proc/sys/" + core::key_to_proc_path(key)) << value << "\n";
  }
  ProcSysctl proc(base_ + "/root");
  opts_.root = base_ + "/root";
  ASSERT_TRUE(check_writable(opts_.root, {"net.ipv4.tcp_fin_timeout"}).ok());
  auto missing = check_writable(opts_.root, {"net.ipv4.tcp_nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().err, ENOENT);
  ASSERT_TRUE(apply_plan(four_changes(), proc, opts_).ok());
  EXPECT_EQ(proc.read("net.ipv4.ip_local_port_range").value.text, "16384 65535");
  ASSERT_TRUE(rollback_last(proc, opts_).ok());
  EXPECT_EQ(proc.read("net.ipv4.ip_local_port_range").value.numbers, (std::vector<int64_t>{32768, 60999}));
  EXPECT_EQ(proc.read("net.ipv4.tcp_fin_timeout").value.text, "60");
}

TEST(Journal, JsonRoundTrip) {
  Journal j{JournalState::kApplied, "chat-long", "0.1.0", "/", 42, "2026-11-21T06:30:00Z",
            {{"net.ipv4.tcp_keepalive_time", "7200", "300"}}};
  auto back = journal_from_json(journal_to_json(j), "j.json");
  ASSERT_TRUE(back.ok()) << back.error().render();
  EXPECT_EQ(*back, j);
  EXPECT_EQ(journal_to_json(j).dump(),
            "{\"entries\":[{\"after\":\"300\",\"before\":\"7200\",\"key\":\"net.ipv4.tcp_keepalive_time\"}],"
            "\"pid\":42,\"profile\":\"chat-long\",\"root\":\"/\",\"schema_version\":1,"
            "\"started\":\"2026-11-21T06:30:00Z\",\"state\":\"applied\",\"tool_version\":\"0.1.0\"}");
}

TEST(Journal, StatesKeepTheirOnDiskSpelling) {
  const std::vector<std::pair<JournalState, std::string>> states = {
      {JournalState::kPending, "pending"},         {JournalState::kApplied, "applied"},
      {JournalState::kRestored, "restored"},       {JournalState::kRollingBack, "rolling-back"},
      {JournalState::kRolledBack, "rolled-back"}};
  for (const auto& [state, text] : states) {
    EXPECT_EQ(to_string(state), text);
    EXPECT_EQ(parse_journal_state(text), state);
  }
  EXPECT_EQ(parse_journal_state("Applied"), std::nullopt);
  EXPECT_EQ(parse_journal_state(""), std::nullopt);
}

// Each damage to a valid journal, and the whole message naming where it is.
TEST(Journal, DamagedJournalsNameTheJsonPointer) {
  const Journal good{JournalState::kApplied, "chat-long", "0.1.0", "/", 42, "2026-11-21T06:30:00Z",
                     {{"net.ipv4.tcp_keepalive_time", "7200", "300"}, {"net.ipv4.tcp_fin_timeout", "60", "30"}}};
  using nlohmann::json;
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& j) { j = json::array(); }, "/: expected an object, found an array"},
      {[](json& j) { j["schema_version"] = 2; }, "/schema_version: expected 1, found 2"},
      {[](json& j) { j["schema_version"] = "1"; }, "/schema_version: expected an integer, found a string"},
      {[](json& j) { j["state"] = "done"; },
       "/state: expected one of pending, applied, restored, rolling-back, rolled-back, found 'done'"},
      {[](json& j) { j["state"] = nullptr; }, "/state: expected a string, found null"},
      {[](json& j) { j.erase("profile"); }, "/: missing member 'profile'"},
      {[](json& j) { j["tool_version"] = 1; }, "/tool_version: expected a string, found an integer"},
      {[](json& j) { j["root"] = json::array(); }, "/root: expected a string, found an array"},
      {[](json& j) { j["pid"] = "42"; }, "/pid: expected an integer, found a string"},
      {[](json& j) { j["pid"] = 4.5; }, "/pid: expected an integer, found a number"},
      {[](json& j) { j.erase("started"); }, "/: missing member 'started'"},
      {[](json& j) { j["entries"] = json::object(); }, "/entries: expected an array, found an object"},
      {[](json& j) { j["entries"][1] = "net.ipv4.tcp_fin_timeout"; }, "/entries/1: expected an object, found a string"},
      {[](json& j) { j["entries"][0].erase("after"); }, "/entries/0: missing member 'after'"},
      {[](json& j) { j["entries"][1]["before"] = 60; }, "/entries/1/before: expected a string, found an integer"},
  };
  for (const auto& [damage, want] : cases) {
    SCOPED_TRACE(want);
    json j = journal_to_json(good);
    damage(j);
    auto back = journal_from_json(j, "/var/lib/tcptune/journal.json");
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().render(),
              "tcptune: error: /var/lib/tcptune/journal.json: " + want +
                  "\nhint: the file was not written by this version of tcptune; inspect it by hand");
  }
}

}  // namespace
}  // namespace tcptune::platform

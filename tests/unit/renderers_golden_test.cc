// Every renderer against a golden file: the audit report (text, text in colour, JSON,
// Prometheus), the namespace report (text, JSON), a profile plan (text, JSON), the census, the
// snapshot diff, the fleet report (text, JSON), the profile list and a resolved profile. Inputs are the fixture snapshots
// (tests/fixtures/snapshots) with the test's own rules and profiles (tests/golden/renderers), so
// that the goldens change only when a renderer does, not when the shipped advice does.
// TCPTUNE_UPDATE_GOLDEN=1 rewrites the goldens; review the diff before committing it.
#include <cerrno>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "cli/audit_pipeline.h"
#include "cli/census_render.h"
#include "cli/diff_render.h"
#include "cli/fleet_render.h"
#include "cli/netns_render.h"
#include "cli/plan_render.h"
#include "cli/profile_render.h"
#include "cli/report_prometheus.h"
#include "cli/report_render.h"
#include "core/catalogue_loader.h"
#include "core/fleet.h"
#include "core/profile_loader.h"
#include "core/rule_loader.h"
#include "core/snapshot_diff.h"
#include "core/snapshot_json.h"
#include "platform/fs_util.h"

namespace tcptune {
namespace {

const std::string kSrc = TCPTUNE_SOURCE_DIR;
const std::string kGolden = kSrc + "/tests/golden/renderers/";

std::string read_or_die(const std::string& path) {
  auto text = platform::read_file(path);
  EXPECT_TRUE(text) << text.error().render();
  return text ? *text : std::string();
}

void expect_golden(const std::string& name, const std::string& got) {
  const std::string path = kGolden + name;
  if (std::getenv("TCPTUNE_UPDATE_GOLDEN")) std::ofstream(path, std::ios::binary) << got;
  auto want = platform::read_file(path);
  ASSERT_TRUE(want) << want.error().render() << " (set TCPTUNE_UPDATE_GOLDEN=1 to create it)";
  EXPECT_EQ(got, *want) << "golden " << path;
}

core::Snapshot fixture_snapshot(const std::string& name) {
  const std::string path = "tests/fixtures/snapshots/" + name;  // as the goldens show it
  auto snap = core::snapshot_from_text(read_or_die(kSrc + "/" + path), path);
  EXPECT_TRUE(snap) << snap.error().render();
  return snap ? *snap : core::Snapshot{};
}

class Renderers : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string cat_path = kSrc + "/rules/catalogue.toml";
    auto cat = core::load_catalogue(read_or_die(cat_path), cat_path);
    ASSERT_TRUE(cat) << cat.error().render();
    inputs_.knowledge.catalogue = std::move(*cat);
    auto set = core::load_rule_set({{"rules.toml", read_or_die(kGolden + "rules.toml")}}, inputs_.knowledge.catalogue);
    ASSERT_TRUE(set) << set.error().render();
    inputs_.knowledge.rules = std::move(set->rules);
    inputs_.knowledge.thresholds = std::move(set->thresholds);
    auto profiles = core::load_profiles({{"golden.toml", read_or_die(kGolden + "golden.toml")},
                                         {"golden-base.toml", read_or_die(kGolden + "golden-base.toml")}},
                                        inputs_.knowledge.catalogue);
    ASSERT_TRUE(profiles) << profiles.error().render();
    profiles_ = std::move(*profiles);
    snapshot_ = fixture_snapshot("diff_a.json");
    report_ = cli::audit_snapshot(snapshot_, inputs_);
    ctx_.snapshot = &snapshot_;
    ctx_.rule_count = inputs_.knowledge.rules.size();
    ctx_.source = "snapshot tests/fixtures/snapshots/diff_a.json";
  }

  cli::AuditInputs inputs_;
  core::ProfileSet profiles_;
  core::Snapshot snapshot_;
  core::Report report_;
  cli::ReportContext ctx_;
};

// The goldens show every part of a report: findings of each severity, rules with several items
// (one per port with ESTABLISHED or listening sockets) and the snapshot's gap.
TEST_F(Renderers, ReportHasFindingsOfEverySeverityAndAGap) {
  std::vector<std::string> got;
  for (const auto& f : report_.findings) got.push_back(f.id + " " + f.item);
  EXPECT_EQ(got, (std::vector<std::string>{"TT-GOLD-001 ", "TT-GOLD-002 56710", "TT-GOLD-002 56720",
                                           "TT-GOLD-002 9000", "TT-GOLD-003 ", "TT-GOLD-004 9000",
                                           "TT-GOLD-004 9001"}));
  EXPECT_EQ(report_.gaps.size(), 1u);
}

TEST_F(Renderers, ReportText) {
  expect_golden("report.txt", cli::render_report_text(report_, ctx_, false));
  expect_golden("report-color.txt", cli::render_report_text(report_, ctx_, true));
  ctx_.verbose = true;
  expect_golden("report-verbose.txt", cli::render_report_text(report_, ctx_, false));
}

TEST_F(Renderers, ReportJson) { expect_golden("report.json", cli::render_report_json(report_, ctx_).dump(2) + "\n"); }

TEST_F(Renderers, ReportPrometheus) { expect_golden("report.prom", cli::render_report_prometheus(report_, ctx_)); }

TEST_F(Renderers, NamespaceReport) {
  // The host, a namespace whose keys differ from it, and one that could not be read.
  core::NetnsInfo host_info;
  host_info.inode = 4026531840;
  host_info.is_host = true;
  core::NetnsInfo other_info;
  other_info.inode = 4026532500;
  other_info.names = {"blue"};
  core::NetnsInfo gone_info;
  gone_info.inode = 4026532600;
  gone_info.names = {"gone"};
  core::Snapshot other = fixture_snapshot("diff_b.json");
  std::vector<cli::NamespaceSnapshot> spaces(3);
  spaces[0].info = host_info;
  spaces[0].snapshot = snapshot_;
  spaces[1].info = other_info;
  spaces[1].snapshot = other;
  spaces[1].differences = core::differing_keys(snapshot_, other, inputs_.knowledge.catalogue);
  spaces[2].info = gone_info;
  spaces[2].error = core::make_error("/run/netns/gone", "cannot open the named network namespace", ENOENT);
  cli::audit_namespaces(spaces, snapshot_, inputs_);
  expect_golden("netns.txt", cli::render_netns_text(spaces, inputs_.knowledge.rules.size()));
  expect_golden("netns.json", cli::render_netns_json(spaces, inputs_.knowledge.rules.size()).dump(2) + "\n");
}

TEST_F(Renderers, Plan) {
  auto resolved = core::resolve_profile(profiles_, "golden");
  ASSERT_TRUE(resolved) << resolved.error().render();
  auto plan = core::make_plan(*resolved, inputs_.knowledge.catalogue, snapshot_);
  ASSERT_TRUE(plan) << plan.error().render();
  expect_golden("plan.txt", cli::render_plan_text(*plan, "snapshot diff_a.json"));
  expect_golden("plan.json", cli::render_plan_json(*plan, "snapshot diff_a.json").dump(2) + "\n");
  expect_golden("profile-show.txt", cli::render_profile_show(*resolved));
  cli::ProfileContext ctx;
  ctx.profiles = profiles_;
  ctx.dirs = {"tests/golden/renderers"};
  expect_golden("profile-list.txt", cli::render_profile_list(ctx));
}

TEST_F(Renderers, CensusAndDiff) {
  ASSERT_TRUE(snapshot_.census);
  expect_golden("census.txt", cli::render_census(*snapshot_.census));
  const core::Snapshot b = fixture_snapshot("diff_b.json");
  expect_golden("diff.txt", cli::render_diff_text(core::diff_snapshots(snapshot_, b), "a.json", "b.json"));
}

// Four hosts of group "web" (three with diff_a, one with diff_b) and one of "db", each with the
// findings of its own audit, and one skipped snapshot.
TEST_F(Renderers, Fleet) {
  const core::Snapshot b = fixture_snapshot("diff_b.json");
  const core::Report report_b = cli::audit_snapshot(b, inputs_);
  core::FleetTally tally;
  const auto add = [&](const std::string& group, const std::string& name, const core::Snapshot& s, const core::Report& r) {
    core::FleetHost h{group, name, core::fleet_values(s), {}};
    for (const auto& f : r.findings) h.findings.emplace(f.id, f.severity);
    tally.add(h);
  };
  for (const char* name : {"web-1", "web-2", "web-3"}) add("web", name, snapshot_, report_);
  add("web", "web-4", b, report_b);
  add("db", "db-1", snapshot_, report_);
  core::FleetReport r = tally.report();
  r.group_by = "role";
  r.skipped.push_back({"broken.json", "broken.json: /sysctls: expected an object, found an array"});
  expect_golden("fleet.txt", cli::render_fleet_text(r));
  expect_golden("fleet.json", cli::render_fleet_json(r).dump(2) + "\n");
}

}  // namespace
}  // namespace tcptune

#include "core/snapshot_json.h"

#include <gtest/gtest.h>

namespace tcptune::core {
namespace {

Snapshot rich_snapshot() {
  Snapshot s;
  s.tool_version = "0.1.0";
  s.root = "/srv/copy";
  s.host = "web-01";
  s.labels = {{"role", "web"}, {"dc", "fra1"}};
  s.kernel_release = "6.18.44-fc-v445";
  s.netns.inode = 4026531840u;
  s.netns.name = "blue";
  s.sysctls["net.ipv4.tcp_fin_timeout"] = SysctlReading::of("30\n");
  s.sysctls["net.ipv4.ip_local_port_range"] = SysctlReading::of("32768\t60999\n");
  s.sysctls["net.ipv4.tcp_congestion_control"] = SysctlReading::of("bbr\n");
  s.sysctls["net.ipv4.ip_local_reserved_ports"] = SysctlReading::of("\n");
  s.sysctls["net.ipv4.tcp_tw_recycle"] = SysctlReading::absent();
  s.sysctls["net.ipv4.conf.eth0/1.rp_filter"] = SysctlReading::unreadable(13);
  s.modules = {"nf_conntrack", "veth"};
  s.modules_known = true;
  ConfFile f{"/etc/sysctl.d/99-sysctl.conf", "../sysctl.conf", "", false, "", ConfReader::kSystemd};
  ConfFile m{"/usr/lib/sysctl.d/50-x.conf", "", "/etc/sysctl.d/50-x.conf", false, "", ConfReader::kNone};
  s.config.files = {f, m};
  s.config.layout = {{"/etc/sysctl.d", "/usr/lib/sysctl.d"}, {"/etc/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"},
                     "/etc/sysctl.conf"};
  s.config.assignments.push_back({"net.ipv4.tcp_fin_timeout", "30", {"/etc/sysctl.conf", 3, 1}, false, false});
  s.config.assignments.push_back({"net.ipv4.conf.*.rp_filter", "2", {"/etc/sysctl.conf", 4, 2}, true, true});
  ConfAssignment excl;
  excl.key = "net.ipv4.conf.lo.rp_filter";
  excl.where = {"/etc/sysctl.d/10-x.conf", 1, 2};
  excl.exclude = true;
  s.config.assignments.push_back(excl);
  s.config.issues.push_back({{"/etc/sysctl.conf", 7, 1}, "line has no '=' (ignored)"});
  s.census = Census{};
  s.counters = Counters{};
  s.gaps.push_back({"network namespace", "proc/self/ns/net: No such file or directory"});
  return s;
}

TEST(SnapshotJson, RoundTripIsLossless) {
  const Snapshot s = rich_snapshot();
  const std::string text = snapshot_to_json(s).dump(2);
  auto back = snapshot_from_text(text, "snap.json");
  ASSERT_TRUE(back.ok()) << back.error().render();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(snapshot_to_json(*back).dump(2), text);
}

TEST(SnapshotJson, MissingPiecesStayMissing) {
  Snapshot s;
  s.root = "/";
  auto back = snapshot_from_text(snapshot_to_json(s).dump(), "snap.json");
  ASSERT_TRUE(back.ok()) << back.error().render();
  EXPECT_FALSE(back->kernel_release.has_value());
  EXPECT_FALSE(back->netns.inode.has_value());
  EXPECT_FALSE(back->modules_known);
  EXPECT_FALSE(back->census.has_value());
  EXPECT_EQ(*back, s);
}

TEST(SnapshotJson, TypedValuesSurvive) {
  auto back = snapshot_from_text(snapshot_to_json(rich_snapshot()).dump(), "s");
  ASSERT_TRUE(back.ok());
  const auto& range = back->sysctls.at("net.ipv4.ip_local_port_range");
  EXPECT_EQ(range.value.kind, SysctlValue::Kind::kTuple);
  EXPECT_EQ(range.value.numbers, (std::vector<int64_t>{32768, 60999}));
  EXPECT_EQ(back->sysctls.at("net.ipv4.tcp_congestion_control").value.kind, SysctlValue::Kind::kString);
  EXPECT_EQ(back->sysctls.at("net.ipv4.conf.eth0/1.rp_filter").err, 13);
}

TEST(SnapshotJson, SyntaxErrorIsLocated) {
  auto r = snapshot_from_text("{\n  \"schema\": \"tcptune.snapshot\",\n  oops\n}", "snap.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(),
            "snap.json:3:3: error: invalid JSON: syntax error while parsing object key - invalid literal; "
            "expected string literal\n"
            "hint: pass a file written by 'tcptune snapshot'");
}

TEST(SnapshotJson, WrongTypeNamesThePointer) {
  auto j = snapshot_to_json(rich_snapshot());
  j["sysctls"]["net.ipv4.tcp_fin_timeout"]["text"] = 30;
  auto r = snapshot_from_json(j, "snap.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(),
            "tcptune: error: snap.json: /sysctls/net.ipv4.tcp_fin_timeout/text: expected a string, found an integer\n"
            "hint: the snapshot is damaged or from an incompatible version; take it again with 'tcptune snapshot'");
}

TEST(SnapshotJson, RejectsOtherDocumentsAndVersions) {
  auto r = snapshot_from_text(R"({"schema": "something.else", "schema_version": 1})", "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "/schema: not a tcptune snapshot (expected \"tcptune.snapshot\")");
  auto j = snapshot_to_json(rich_snapshot());
  j["schema_version"] = 99;
  auto v = snapshot_from_json(j, "x.json");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().what, "/schema_version: unsupported version 99 (this tcptune reads 1 to 2)");
  auto unknown = snapshot_to_json(rich_snapshot());
  unknown["sysctls"]["a.b"]["state"] = "maybe";
  auto u = snapshot_from_json(unknown, "x.json");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().what, "/sysctls/a.b/state: unknown state 'maybe' (expected value, absent or unreadable)");
}

TEST(SnapshotJson, ReadsVersionOneWithoutHostOrLabels) {
  auto j = snapshot_to_json(rich_snapshot());
  j["schema_version"] = 1;
  j.erase("host");
  j.erase("labels");
  auto r = snapshot_from_json(j, "old.json");
  ASSERT_TRUE(r.ok()) << r.error().render();
  EXPECT_EQ(r->host, "");
  EXPECT_TRUE(r->labels.empty());
  EXPECT_EQ(r->kernel_release, rich_snapshot().kernel_release);
}

TEST(SnapshotJson, VersionTwoNeedsHostAndStringLabels) {
  auto j = snapshot_to_json(rich_snapshot());
  j.erase("host");
  auto r = snapshot_from_json(j, "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "/: missing member 'host'");
  auto k = snapshot_to_json(rich_snapshot());
  k["labels"]["role"] = 3;
  auto l = snapshot_from_json(k, "x.json");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().what, "/labels/role: expected a string, found an integer");
}

TEST(SnapshotJson, LocationOfOffsetCountsLinesAndColumns) {
  const auto l = location_of_offset("ab\ncd\nef", 7, "f");
  EXPECT_EQ(l, (SourceLoc{"f", 3, 2}));
}

}  // namespace
}  // namespace tcptune::core

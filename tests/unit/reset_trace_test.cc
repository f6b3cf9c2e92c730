#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/reset_trace.h"
#include "core/reset_trace_json.h"
#include "core/snapshot_json.h"
#include "core/trace_event_parse.h"

namespace tcptune::core {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(TCPTUNE_SOURCE_DIR) + "/tests/fixtures/tracefs/6.18/" + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TraceEventFormat, SendResetOf618HasReasonAndItsNames) {
  auto f = parse_event_format(fixture("tcp_send_reset.format"), "tcp_send_reset/format");
  ASSERT_TRUE(f) << f.error().render();
  EXPECT_EQ(f->name, "tcp_send_reset");
  EXPECT_EQ(f->id, 2280u);
  ASSERT_EQ(f->fields.size(), 6u);
  EXPECT_EQ(f->fields[3], (TraceField{"enum sk_rst_reason", "reason", 28, 4, false}));
  EXPECT_EQ(f->fields[4], (TraceField{"__u8", "saddr", 32, 28, false}));
  EXPECT_TRUE(f->has_field("reason"));
  EXPECT_EQ(f->symbols.at("reason").at(8), "TCP_ABORT_ON_DATA");
  EXPECT_EQ(f->symbols.at("reason").at(1), "NO_SOCKET");
  EXPECT_EQ(f->symbols.count("state"), 0u);  // names the kernel left unresolved are skipped
}

TEST(TraceEventFormat, ReceiveResetHasNoReasonAndAFormatWithoutFieldsIsAnError) {
  auto f = parse_event_format(fixture("tcp_receive_reset.format"), "r");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->has_field("reason"));
  EXPECT_TRUE(f->has_field("sock_cookie"));
  EXPECT_EQ(parse_event_format("name: x\nID: 1\n", "x/format").error().render(),
            "tcptune: error: x/format: no fields");
  EXPECT_EQ(parse_event_format("name: x\nfield:int a;\toffset:z;\tsize:4;\tsigned:1;\n", "x/format").error().render(),
            "tcptune: error: x/format: invalid field line");
}

TEST(TraceLineParse, DefaultLayoutWithACommHoldingSpacesAndDashes) {
  auto t = parse_trace_line("   my-worker 2-4121    [003] ..s2.  1234.567890: tcp_send_reset: skbaddr=0 src=[::1]:8080 dest=[::1]:5000 state=TCP_CLOSE reason=NO_SOCKET");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->comm, "my-worker 2");
  EXPECT_EQ(t->pid, 4121);
  EXPECT_EQ(t->cpu, 3u);
  EXPECT_EQ(t->timestamp, "1234.567890");
  EXPECT_EQ(t->event, "tcp_send_reset");
  ASSERT_NE(t->find("reason"), nullptr);
  EXPECT_EQ(*t->find("reason"), "NO_SOCKET");
  std::string addr;
  uint16_t port = 0;
  ASSERT_TRUE(split_endpoint(*t->find("src"), &addr, &port));
  EXPECT_EQ(addr, "::1");
  EXPECT_EQ(port, 8080);
  EXPECT_FALSE(parse_trace_line("# tracer: nop"));
  EXPECT_FALSE(parse_trace_line("CPU:1 [LOST 12 EVENTS]"));
  EXPECT_FALSE(parse_trace_line(""));
}

TraceLine line(const std::string& text) { return *parse_trace_line(text); }

ResetTraceInput sample() {
  ResetTraceInput in;
  in.seconds = 2;
  in.reasons_known = true;
  in.namespace_only = true;
  in.sockets = {{"127.0.0.1", 8080, "0.0.0.0", 0, true, 4121, "nginx"},
                {"127.0.0.1", 40000, "127.0.0.1", 8080, false, 77, "client"}};
  const std::string head = "  <idle>-0 [000] ..s2. 1.0: tcp_send_reset: src=127.0.0.1:8080 dest=127.0.0.1:40000 state=TCP_ESTABLISHED reason=";
  for (int i = 0; i < 3; ++i) in.lines.push_back(line(head + "TCP_ABORT_ON_DATA"));
  in.lines.push_back(line(head + "TCP_ABORT_ON_CLOSE"));
  in.lines.push_back(line("  x-1 [000] ..... 1.0: tcp_send_reset: src=127.0.0.9:9 dest=127.0.0.9:1 state=TCP_CLOSE reason=NO_SOCKET"));
  in.lines.push_back(line("  client-77 [001] ..... 1.0: tcp_receive_reset: family=AF_INET sport=40000 dport=8080 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 sock_cookie=2a"));
  in.lines.push_back(line("  client-77 [001] ..... 1.0: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=40000 dport=5432 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_SYN_SENT newstate=TCP_CLOSE"));
  return in;
}

TEST(ResetTraceBuild, GroupsByDirectionReasonPortAndOwnerAndLeavesOtherNamespacesOut) {
  const ResetTrace t = build_reset_trace(sample());
  EXPECT_EQ(t.sent, 4u);
  EXPECT_EQ(t.received, 1u);
  EXPECT_EQ(t.left_out, 1u);  // 127.0.0.9:9 is no socket of this namespace
  ASSERT_EQ(t.groups.size(), 3u);
  EXPECT_EQ(t.groups[0], (ResetGroup{"sent", "TCP_ABORT_ON_DATA", 8080, 3, 4121, "nginx"}));
  EXPECT_EQ(t.groups[1], (ResetGroup{"received", "", 40000, 1, 77, "client"}));
  EXPECT_EQ(t.groups[2], (ResetGroup{"sent", "TCP_ABORT_ON_CLOSE", 8080, 1, 4121, "nginx"}));
  EXPECT_DOUBLE_EQ(reason_share(t, 8080, "TCP_ABORT_ON_DATA"), 0.75);
  EXPECT_DOUBLE_EQ(reason_share(t, 9999, "TCP_ABORT_ON_DATA"), 0.0);
  ASSERT_EQ(t.failed_connects.size(), 1u);
  EXPECT_EQ(t.failed_connects[0], (FailedConnects{"127.0.0.1:5432", 1}));
}

TEST(ResetTraceBuild, TheInitialNamespaceKeepsEveryEvent) {
  ResetTraceInput in = sample();
  in.namespace_only = false;
  const ResetTrace t = build_reset_trace(in);
  EXPECT_EQ(t.left_out, 0u);
  EXPECT_EQ(t.sent, 5u);
}

TEST(ResetTraceJson, RoundTripsInASnapshotAndOlderSnapshotsStillLoad) {
  Snapshot s;
  s.tool_version = "t";
  s.root = "/";
  s.resets = build_reset_trace(sample());
  s.resets->notes = {"a note"};
  auto back = snapshot_from_json(snapshot_to_json(s), "s.json");
  ASSERT_TRUE(back) << back.error().render();
  EXPECT_EQ(*back, s);
  s.resets.reset();
  auto j = snapshot_to_json(s);
  EXPECT_FALSE(j.contains("resets"));
  auto old = snapshot_from_json(j, "s.json");
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->resets);
}

TEST(ResetTraceJson, ADamagedMemberIsNamedByItsPointer) {
  auto j = reset_trace_to_json(build_reset_trace(sample()));
  j["groups"][0]["port"] = "x";
  EXPECT_EQ(reset_trace_from_json(j, "s.json").error().render(),
            "tcptune: error: s.json: /resets/groups/0/port: expected an integer, found a string\n"
            "hint: the snapshot is damaged or from an incompatible version; take it again with 'tcptune snapshot'");
}

}  // namespace
}  // namespace tcptune::core

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/reset_trace.h"
#include "core/reset_trace_tasks.h"
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

// kernel/trace/trace_syscalls.c print_syscall_exit(): "<syscall> -> 0x<ret>", as a 6.18
// instance printed it for a connect() that got EADDRNOTAVAIL.
TEST(TraceLineParse, ASyscallExitBecomesSysExitWithASignedReturnValue) {
  auto t = parse_trace_line("         python3-7956    [001] ..... 22171.930730: sys_connect -> 0xffffffffffffff9d");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->comm, "python3");
  EXPECT_EQ(t->pid, 7956);
  EXPECT_EQ(t->event, "sys_exit_connect");
  ASSERT_NE(t->find("ret"), nullptr);
  EXPECT_EQ(*t->find("ret"), "-99");
  EXPECT_EQ(*parse_trace_line("x-1 [000] ..... 1.0: sys_connect -> 0x0")->find("ret"), "0");
  EXPECT_FALSE(parse_trace_line("x-1 [000] ..... 1.0: sys_connect -> 0xzz"));
  EXPECT_FALSE(parse_trace_line("x-1 [000] ..... 1.0: connect -> 0x1"));
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
  EXPECT_EQ(t.failed_connects[0], (FailedConnects{"127.0.0.1:5432", 1, 0, ""}));
}

TEST(ResetTraceBuild, TheInitialNamespaceKeepsEveryEvent) {
  ResetTraceInput in = sample();
  in.namespace_only = false;
  const ResetTrace t = build_reset_trace(in);
  EXPECT_EQ(t.left_out, 0u);
  EXPECT_EQ(t.sent, 5u);
}

// EADDRNOTAVAIL by process: a thread is counted under its process (Tgid) and that process's
// command; a task of another namespace is left out; a task gone before it was looked up keeps
// its thread id and the trace line's comm. A failed connect() whose socket a census saw is
// attributed to that socket's owner.
TEST(ResetTraceBuild, AddressUnavailableIsCountedByProcessAndFailedConnectsByOwner) {
  ResetTraceInput in;
  in.namespace_only = true;
  in.addr_unavailable_traced = true;
  in.sockets = {{"127.0.0.1", 40001, "127.0.0.1", 5432, false, 78, "psql"}};
  in.tasks = {{7956, {7950, "python3", true}}, {7957, {7950, "python3", true}}, {8000, {8000, "other", false}}};
  const std::string exit99 = " [001] ..... 1.0: sys_connect -> 0xffffffffffffff9d";
  // connect() by 7956 enters SYN-SENT without a port, then fails: the pair gives the destination.
  in.lines.push_back(line("worker-7956 [001] ..... 1.0: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=0 dport=443 saddr=0.0.0.0 daddr=10.0.0.1 saddrv6=:: daddrv6=::ffff:10.0.0.1 oldstate=TCP_SYN_SENT newstate=TCP_CLOSE"));
  for (const char* task : {"worker-7956", "worker-7957", "worker-7957", "other-8000"}) in.lines.push_back(line(task + exit99));
  in.lines.push_back(line("x-1 [000] ..... 1.0: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=40001 dport=5432 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_SYN_SENT newstate=TCP_CLOSE"));
  ResetTrace t = build_reset_trace(in, {});
  EXPECT_TRUE(t.addr_unavailable_traced);
  ASSERT_EQ(t.addr_unavailable.size(), 2u);
  EXPECT_EQ(t.addr_unavailable[0], (ConnectFailure{7950, "python3", 2, ""}));
  EXPECT_EQ(t.addr_unavailable[1], (ConnectFailure{7950, "python3", 1, "10.0.0.1:443"}));
  EXPECT_EQ(t.addr_unavailable_total(), 3u);
  EXPECT_EQ(t.left_out, 1u);
  ASSERT_EQ(t.failed_connects.size(), 1u);
  EXPECT_EQ(t.failed_connects[0], (FailedConnects{"127.0.0.1:5432", 1, 78, "psql"}));
  in.tasks.clear();
  t = build_reset_trace(in, {7956});
  EXPECT_EQ(t.addr_unavailable, (std::vector<ConnectFailure>{{7956, "worker", 1, "10.0.0.1:443"}}));
  EXPECT_EQ(t.left_out, 3u);
  // A snapshot of the first trace version (no connect_eaddrnotavail*, no owner of a failed
  // connect) loads as "not traced".
  auto j = reset_trace_to_json(t);
  EXPECT_EQ(j["connect_eaddrnotavail"], nlohmann::json::parse(R"([{"pid": 7956, "command": "worker", "count": 1, "remote": "10.0.0.1:443"}])"));
  j.erase("connect_eaddrnotavail");
  j.erase("connect_eaddrnotavail_traced");
  j["failed_connects"][0].erase("pid");
  j["failed_connects"][0].erase("command");
  auto old = reset_trace_from_json(j, "s.json");
  ASSERT_TRUE(old) << old.error().render();
  EXPECT_FALSE(old->addr_unavailable_traced);
  EXPECT_TRUE(old->addr_unavailable.empty());
  EXPECT_EQ(old->failed_connects[0], (FailedConnects{"127.0.0.1:5432", 1, 0, ""}));
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

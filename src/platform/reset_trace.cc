#include "platform/reset_trace.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>

#include "core/census_aggregate.h"
#include "core/inet_diag_decode.h"
#include "core/reset_trace_tasks.h"
#include "core/trace_event_parse.h"
#include "platform/fs_util.h"
#include "platform/netlink.h"
#include "platform/proc_owner.h"
#include "platform/tracefs.h"

namespace tcptune::platform {
namespace {

struct Tracepoint {
  const char* system;
  const char* event;
  const char* filter;  // instance-local filter ("" = none)
};

// SYN-SENT (2) -> CLOSE (7) only: inet_sock_set_state fires on every transition of every socket.
// connect() returning -EADDRNOTAVAIL (-99) only: sys_exit_connect fires on every connect().
constexpr Tracepoint kTracepoints[] = {
    {"tcp", "tcp_send_reset", ""},
    {"tcp", "tcp_receive_reset", ""},
    {"sock", "inet_sock_set_state", "oldstate == 2 && newstate == 7 && protocol == 6"},
    {"syscalls", "sys_exit_connect", "ret == -99"},
};

// Every TCP socket of this namespace with its endpoints and inode.
struct SocketList {
  void on_socket(const core::DiagSocket& s) {
    core::TraceSocket t;
    t.address = core::format_address(s.family, s.src);
    t.port = s.sport;
    t.remote_address = core::format_address(s.family, s.dst);
    t.remote_port = s.dport;
    t.listener = s.state == 10;
    sockets.push_back(std::move(t));
    inodes.push_back(s.inode);
  }
  std::vector<core::TraceSocket> sockets;
  std::vector<uint32_t> inodes;
};

// Adds the sockets not yet in *out (same endpoints).
core::Status list_sockets(std::vector<core::TraceSocket>* out) {
  SocketList list;
  for (uint8_t family : {uint8_t{2}, uint8_t{10}}) {
    auto decode = [&list](std::span<const uint8_t> d, uint16_t type) { return core::decode_inet_diag(d, type, list); };
    if (auto r = dump_tcp_sockets(TcpDumpRequest{0xfff, family}, decode); !r) return r.error();
  }
  std::unordered_set<uint32_t> wanted(list.inodes.begin(), list.inodes.end());
  wanted.erase(0);
  uint64_t unreadable = 0;
  auto owners = find_socket_owners("/", wanted, &unreadable);
  for (size_t i = 0; i < list.sockets.size(); ++i) {
    if (owners) {
      if (auto it = owners->find(list.inodes[i]); it != owners->end()) {
        list.sockets[i].pid = it->second.pid;
        list.sockets[i].command = it->second.command;
      }
    }
    const auto& n = list.sockets[i];
    const bool known = std::any_of(out->begin(), out->end(), [&](const core::TraceSocket& o) {
      return o.port == n.port && o.address == n.address && o.remote_port == n.remote_port &&
             o.remote_address == n.remote_address;
    });
    if (!known) out->push_back(std::move(list.sockets[i]));
  }
  return core::ok_status();
}

std::string netns_link(const char* path) {
  char buf[64] = {};
  const ssize_t n = ::readlink(path, buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// The distinct tasks of the events that live in the namespace whose link is `mine`.
std::vector<int32_t> local_tasks(const std::vector<core::TraceLine>& lines, const std::string& mine) {
  std::vector<int32_t> seen;
  std::vector<int32_t> local;
  for (const auto& l : lines) {
    if (l.pid == 0 || std::find(seen.begin(), seen.end(), l.pid) != seen.end()) continue;
    seen.push_back(l.pid);
    if (netns_link(("/proc/" + std::to_string(l.pid) + "/ns/net").c_str()) == mine) local.push_back(l.pid);
  }
  return local;
}

// The process (thread group) and command of a task while it still exists, and whether it lives
// in the namespace whose link is `mine`. A task already gone is left out of in.tasks.
void note_task(int32_t tid, const std::string& mine, core::ResetTraceInput& in) {
  if (tid <= 0 || in.tasks.count(tid) != 0) return;
  const std::string dir = "/proc/" + std::to_string(tid);
  auto status = read_file(dir + "/status", 1u << 16);
  if (!status) return;
  core::TraceTask task;
  const size_t at = status->find("\nTgid:");
  if (at == std::string::npos) return;
  task.process = static_cast<int32_t>(std::strtol(status->c_str() + at + 6, nullptr, 10));
  if (task.process <= 0) return;
  if (auto comm = read_file("/proc/" + std::to_string(task.process) + "/comm", 4096)) {
    task.command = comm->substr(0, comm->find('\n'));
  }
  task.local = netns_link((dir + "/ns/net").c_str()) == mine;
  in.tasks.emplace(tid, std::move(task));
}

// Parses what the pipe gave, keeping an incomplete last line for the next read. The tasks of
// syscall events are looked up at once, while they are most likely still running.
void take_lines(std::string& pending, core::ResetTraceInput& in, size_t max_events, const std::string& mine) {
  size_t start = 0;
  for (size_t eol = pending.find('\n'); eol != std::string::npos; eol = pending.find('\n', start)) {
    auto line = core::parse_trace_line(std::string_view(pending).substr(start, eol - start));
    start = eol + 1;
    if (!line) continue;
    if (in.lines.size() < max_events) {
      if (line->event.rfind("sys_exit_", 0) == 0) note_task(line->pid, mine, in);
      in.lines.push_back(std::move(*line));
    } else {
      ++in.lost;
    }
  }
  pending.erase(0, start);
}

core::Status enable_events(const std::string& tracefs, TraceInstance& inst, core::ResetTraceInput& in) {
  size_t enabled = 0;
  for (const Tracepoint& tp : kTracepoints) {
    const std::string fmt_path = fmt::format("{}/events/{}/{}/format", tracefs, tp.system, tp.event);
    auto text = read_file(fmt_path, 1u << 20);
    if (!text) {
      in.notes.push_back(fmt::format("tracepoint {}:{} unavailable on this kernel ({}){}", tp.system, tp.event,
                                     text.error().summary(),
                                     std::string_view(tp.system) == "syscalls"
                                         ? ": connect() failures with EADDRNOTAVAIL are not counted (needs "
                                           "CONFIG_FTRACE_SYSCALLS)"
                                         : ""));
      continue;
    }
    auto format = core::parse_event_format(*text, fmt_path);
    if (!format) return format.error();
    if (std::string_view(tp.event) == "sys_exit_connect") {
      if (!format->has_field("ret")) {
        in.notes.push_back("syscalls:sys_exit_connect has no `ret` field here: EADDRNOTAVAIL from connect() not counted");
        continue;
      }
      in.addr_unavailable_traced = true;
    }
    if (std::string_view(tp.event) == "tcp_send_reset") {
      in.reasons_known = format->has_field("reason");
      if (!in.reasons_known) in.notes.push_back("this kernel's tcp_send_reset gives no reason (added in 6.10)");
    }
    if (auto st = inst.enable(tp.system, tp.event, tp.filter); !st) return st;
    ++enabled;
  }
  if (enabled == 0) return core::make_error("tracefs", "none of the reset tracepoints exists on this kernel");
  return core::ok_status();
}

// The input, and the tasks of its events that live in this namespace.
core::Result<core::ResetTraceInput> collect(const std::string& tracefs, const ResetTraceOptions& opts) {
  core::ResetTraceInput in;
  in.seconds = opts.seconds;
  const std::string mine = netns_link("/proc/self/ns/net");
  in.namespace_only = mine.empty() || mine != netns_link("/proc/1/ns/net");
  if (auto st = list_sockets(&in.sockets); !st) in.notes.push_back("sockets: " + st.error().summary());
  auto inst = TraceInstance::create(tracefs, opts.buffer_kb);
  if (!inst) return inst.error();
  if (auto st = enable_events(tracefs, *inst, in); !st) return st.error();
  if (auto st = inst->open_pipe(); !st) return st.error();
  std::string pending;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::seconds(opts.seconds);
  auto next_census = start + std::chrono::seconds(1);
  for (;;) {
    // Once a second: connections opened during the window, so their owners can be named.
    if (std::chrono::steady_clock::now() >= next_census) {
      (void)list_sockets(&in.sockets);
      next_census += std::chrono::seconds(1);
    }
    auto chunk = inst->read_pipe();
    if (!chunk) return chunk.error();
    pending += *chunk;
    take_lines(pending, in, opts.max_events, mine);
    if (std::chrono::steady_clock::now() >= end) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  in.lost += inst->lost_events();
  if (auto st = inst->remove(); !st) return st.error();
  // Sockets that appeared during the window (a short-lived client, a reset connection's peer).
  (void)list_sockets(&in.sockets);
  return in;
}

}  // namespace

core::Result<core::ResetTrace> trace_resets(const ResetTraceOptions& opts) {
  bool private_mount = false;
  auto tracefs = find_tracefs(&private_mount);
  if (!tracefs) return tracefs.error();
  for (const auto& m : remove_stale_instances(*tracefs)) {
    if (opts.message) opts.message(m);
  }
  auto in = collect(*tracefs, opts);
  if (!in) return in.error();
  if (private_mount) in->notes.push_back("tracefs was not mounted: mounted in a private mount namespace of tcptune only");
  return core::build_reset_trace(*in, local_tasks(in->lines, netns_link("/proc/self/ns/net")));
}

}  // namespace tcptune::platform

// TCP resets attributed by the kernel's own tracepoints (tcp:tcp_send_reset,
// tcp:tcp_receive_reset, sock:inet_sock_set_state; docs/trace.md): which direction, the reason
// the kernel gives (6.10+), the local port and the process owning it; failed outgoing
// connections by destination and owner, and connect() calls that found no free local port
// (syscalls:sys_exit_connect, ret -EADDRNOTAVAIL) by calling process. Built from parsed trace
// lines and the sockets and tasks of the traced namespace; pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/trace_event_parse.h"

namespace tcptune::core {

// Resets of one direction and reason on one local port.
struct ResetGroup {
  std::string direction;  // "sent" or "received"
  std::string reason;     // the kernel's sk_rst_reason name; "" when the kernel gives none
  uint16_t port = 0;      // local port
  uint64_t count = 0;
  int32_t pid = 0;        // owner of the local socket or listener; 0 when unknown
  std::string command;
  bool operator==(const ResetGroup&) const = default;
};

// Connections that went from SYN-SENT straight to CLOSE (refused, reset or timed out). The
// transition runs in softirq or timer context, so the trace line's task is not the owner: the
// owner is the process holding the socket when a census (sock_diag, once a second) saw it.
struct FailedConnects {
  std::string remote;  // "10.0.0.1:5432"
  uint64_t count = 0;
  int32_t pid = 0;     // owner of the connecting socket; 0 when no census saw it
  std::string command;
  bool operator==(const FailedConnects&) const = default;
};

// connect() calls that returned -EADDRNOTAVAIL (no free local port), by calling process and
// destination. The syscall exit runs in the caller's context, so the trace line's task is the
// process. The destination comes from the SYN-SENT -> CLOSE transition with local port 0 that
// tcp_v4_connect()/tcp_v6_connect() make on the same task just before (they enter SYN-SENT,
// then fail to find a port); "" when that event was not seen.
struct ConnectFailure {
  int32_t pid = 0;      // the calling process (thread group id); the thread's id when it was gone
  std::string command;
  uint64_t count = 0;
  std::string remote;   // "10.0.0.1:5432", or ""
  bool operator==(const ConnectFailure&) const = default;
};

struct ResetTrace {
  double seconds = 0;     // length of the collection window
  uint64_t sent = 0;      // resets kept, by direction
  uint64_t received = 0;
  bool reasons_known = false;   // tcp_send_reset carries `reason` on this kernel
  uint64_t left_out = 0;        // events of other network namespaces, not counted
  uint64_t lost = 0;            // events the buffer overran (per-CPU "overrun" counters)
  std::vector<ResetGroup> groups;          // by count, descending
  std::vector<FailedConnects> failed_connects;  // by count, descending
  bool addr_unavailable_traced = false;  // syscalls:sys_exit_connect was enabled
  std::vector<ConnectFailure> addr_unavailable;  // by count, descending
  std::vector<std::string> notes;          // missing tracepoints and other gaps
  bool operator==(const ResetTrace&) const = default;

  uint64_t total() const { return sent + received; }
  uint64_t addr_unavailable_total() const {
    uint64_t n = 0;
    for (const auto& f : addr_unavailable) n += f.count;
    return n;
  }
};

// A socket of the traced namespace (from sock_diag), with its owner when known.
struct TraceSocket {
  std::string address;  // local
  uint16_t port = 0;
  std::string remote_address;
  uint16_t remote_port = 0;
  bool listener = false;
  int32_t pid = 0;
  std::string command;
};

// A task seen in a trace line, looked up in /proc while the trace ran.
struct TraceTask {
  int32_t process = 0;   // thread group id (the pid a user sees)
  std::string command;   // /proc/<process>/comm
  bool local = false;    // lives in the traced network namespace
};

struct ResetTraceInput {
  std::vector<TraceLine> lines;
  std::vector<TraceSocket> sockets;
  std::map<int32_t, TraceTask> tasks;  // by trace-line pid (a thread id); absent when gone
  bool addr_unavailable_traced = false;
  // Keep only events with an endpoint among `sockets` (the traced namespace is not the
  // initial one, whose events are all of the host's).
  bool namespace_only = false;
  double seconds = 0;
  uint64_t lost = 0;
  bool reasons_known = false;
  std::vector<std::string> notes;
};

ResetTrace build_reset_trace(const ResetTraceInput& in);

// Share (0..1) of the resets sent from local `port` that carry `reason`; 0 when none were sent.
double reason_share(const ResetTrace& t, uint16_t port, const std::string& reason);

}  // namespace tcptune::core

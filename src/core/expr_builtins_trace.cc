// The trace vocabulary: resets attributed by kernel tracepoints (audit --trace; docs/trace.md).
// Without trace data every value is *not applicable*, so the trace rules stay silent and the
// counter-based reset rules speak alone.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/expr_registry.h"

namespace tcptune::core {
namespace {

const ResetTrace* trace_of(const EvalContext& ctx) { return ctx.snapshot->resets ? &*ctx.snapshot->resets : nullptr; }

const std::string& arg_str(const std::vector<Value>& a, size_t i) { return std::get<std::string>(a[i]); }

// Resets an application decided: the TCP_ABORT_ON_* reasons, and TCP_STATE, which close() with
// SO_LINGER {1, 0} reports through tcp_disconnect() (tests/integration/trace_netns_test.cc, 6.18).
bool is_abort(const std::string& reason) { return reason.rfind("TCP_ABORT_ON_", 0) == 0 || reason == "TCP_STATE"; }

// Sent resets by local port.
std::map<uint16_t, uint64_t> sent_by_port(const ResetTrace& t) {
  std::map<uint16_t, uint64_t> by;
  for (const auto& g : t.groups)
    if (g.direction == "sent") by[g.port] += g.count;
  return by;
}

std::optional<uint16_t> port_arg(const std::string& text) {
  try {
    const unsigned long v = std::stoul(text);
    if (v <= 65535 && std::to_string(v) == text) return static_cast<uint16_t>(v);
  } catch (...) {
  }
  return std::nullopt;
}

Value fn_top_port(EvalContext& ctx, const std::vector<Value>&) {
  const ResetTrace* t = trace_of(ctx);
  if (!t) return Unknown{};
  const auto by = sent_by_port(*t);
  if (by.empty()) return std::string();
  const auto top = std::max_element(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  ctx.fact("trace", fmt::format("most resets sent from :{} ({} of {} sent)", top->first, top->second, t->sent));
  return std::to_string(top->first);
}

Value fn_sent(EvalContext& ctx, const std::vector<Value>& a) {
  const ResetTrace* t = trace_of(ctx);
  if (!t) return Unknown{};
  const auto port = port_arg(arg_str(a, 0));
  if (!port) return static_cast<int64_t>(0);
  const auto by = sent_by_port(*t);
  const auto it = by.find(*port);
  return static_cast<int64_t>(it == by.end() ? 0 : it->second);
}

Value fn_abort_pct(EvalContext& ctx, const std::vector<Value>& a) {
  const ResetTrace* t = trace_of(ctx);
  if (!t) return Unknown{};
  const auto port = port_arg(arg_str(a, 0));
  if (!port) return static_cast<int64_t>(0);
  uint64_t all = 0;
  uint64_t aborts = 0;
  for (const auto& g : t->groups) {
    if (g.direction != "sent" || g.port != *port) continue;
    all += g.count;
    if (is_abort(g.reason)) aborts += g.count;
  }
  return static_cast<int64_t>(all ? aborts * 100 / all : 0);
}

Value fn_process(EvalContext& ctx, const std::vector<Value>& a) {
  const ResetTrace* t = trace_of(ctx);
  if (!t) return Unknown{};
  const auto port = port_arg(arg_str(a, 0));
  for (const auto& g : t->groups) {
    if (port && g.direction == "sent" && g.port == *port && g.pid != 0) {
      return fmt::format("{} (pid {})", g.command, g.pid);
    }
  }
  return std::string("an unidentified process (its socket was gone before it could be named)");
}

// What each application-abort reason means (include/net/rstreason.h; net/ipv4/tcp.c __tcp_close()).
std::string_view meaning(const std::string& reason) {
  if (reason == "TCP_ABORT_ON_DATA") return "received data for a connection it had already closed";
  if (reason == "TCP_STATE") return "aborted the connection, as close() with SO_LINGER {1, 0} does";
  if (reason == "TCP_ABORT_ON_CLOSE") return "closed with received data it had not read";
  if (reason == "TCP_ABORT_ON_LINGER") return "closed a half-closed connection with TCP_LINGER2 below 0";
  if (reason == "TCP_ABORT_ON_MEMORY") return "the kernel aborted an orphaned connection (too many orphans or memory)";
  if (reason == "NO_SOCKET") return "segments for a port or connection with no socket";
  if (reason.empty()) return "this kernel gives no reason";
  return "see include/net/rstreason.h";
}

Value fn_causes(EvalContext& ctx, const std::vector<Value>& a) {
  const ResetTrace* t = trace_of(ctx);
  if (!t) return Unknown{};
  const auto port = port_arg(arg_str(a, 0));
  std::map<std::string, uint64_t> by;
  uint64_t all = 0;
  for (const auto& g : t->groups) {
    if (!port || g.direction != "sent" || g.port != *port) continue;
    by[g.reason] += g.count;
    all += g.count;
  }
  std::vector<std::pair<std::string, uint64_t>> rows(by.begin(), by.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  std::string out;
  for (const auto& [reason, n] : rows) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{}% {} ({} resets: it {})", n * 100 / all, reason.empty() ? "no reason" : reason, n, meaning(reason));
  }
  return out;
}

Value fn_traced(EvalContext& ctx, const std::vector<Value>&) {
  const ResetTrace* t = trace_of(ctx);
  if (!t) return Unknown{};
  ctx.fact("trace", fmt::format("{} resets sent, {} received in {:g} s; {} left out (other namespaces), {} lost",
                                t->sent, t->received, t->seconds, t->left_out, t->lost));
  return static_cast<int64_t>(t->total());
}

// connect() calls that found no free local port; not applicable when the syscall tracepoint
// was not enabled (a kernel without CONFIG_FTRACE_SYSCALLS: the trace's notes say so).
Value fn_unavailable(EvalContext& ctx, const std::vector<Value>&) {
  const ResetTrace* t = trace_of(ctx);
  if (!t || !t->addr_unavailable_traced) return Unknown{};
  return static_cast<int64_t>(t->addr_unavailable_total());
}

Value fn_unavailable_processes(EvalContext& ctx, const std::vector<Value>&) {
  const ResetTrace* t = trace_of(ctx);
  if (!t || !t->addr_unavailable_traced) return Unknown{};
  std::string out;
  for (const auto& f : t->addr_unavailable) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} (pid {})", f.command.empty() ? "?" : f.command, f.pid);
    if (!f.remote.empty()) out += " to " + f.remote;
    if (t->addr_unavailable.size() > 1) out += fmt::format(": {}", f.count);
  }
  return out;
}

// Known false without a trace, so a census rule can say "near exhaustion" unless a trace saw it.
Value fn_exhausted(EvalContext& ctx, const std::vector<Value>&) {
  const ResetTrace* t = trace_of(ctx);
  return t != nullptr && t->addr_unavailable_total() > 0;
}

}  // namespace

std::vector<FunctionSig> trace_functions() {
  using T = Type;
  using C = ArgCheck;
  return {
      {"traced_resets", {}, T::kInt, C::kNone, "resets seen by audit --trace (sent and received, this namespace)",
       fn_traced},
      {"traced_top_reset_port", {}, T::kString, C::kNone,
       "the local port that sent the most resets during audit --trace (\"\" when none was sent)", fn_top_port},
      {"traced_resets_sent", {T::kString}, T::kInt, C::kNone, "resets sent from a local port during audit --trace",
       fn_sent},
      {"traced_abort_pct", {T::kString}, T::kInt, C::kNone,
       "percentage of the resets sent from a local port that an application decided (TCP_ABORT_ON_*, TCP_STATE)",
       fn_abort_pct},
      {"traced_reset_process", {T::kString}, T::kString, C::kNone,
       "the process owning a local port that sent resets, \"command (pid N)\"", fn_process},
      {"traced_reset_causes", {T::kString}, T::kString, C::kNone,
       "the kernel's reasons for the resets sent from a local port, with shares and meanings, most frequent first",
       fn_causes},
      {"traced_addr_unavailable", {}, T::kInt, C::kNone,
       "connect() calls that failed with EADDRNOTAVAIL (no free local port) during audit --trace", fn_unavailable},
      {"traced_addr_unavailable_processes", {}, T::kString, C::kNone,
       "the processes whose connect() failed with EADDRNOTAVAIL, \"curl (pid 4121) to 10.0.0.1:443\" (with counts when several)",
       fn_unavailable_processes},
      {"traced_ports_exhausted", {}, T::kBool, C::kNone,
       "audit --trace saw connect() fail with EADDRNOTAVAIL (false without a trace)", fn_exhausted},
  };
}

}  // namespace tcptune::core

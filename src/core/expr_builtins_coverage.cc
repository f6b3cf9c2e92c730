// The coverage vocabulary: whether a sysctl can reach the sockets at all. Keepalive values act
// only on sockets with SO_KEEPALIVE, somaxconn only at the next listen(), and sock_diag shows which ESTABLISHED sockets have the
// keepalive timer armed (idiag_timer 2, net/ipv4/inet_diag.c inet_sk_diag_fill()); connections
// still in SYN-SENT towards one remote show an upstream that does not answer.
//
// Values are *not applicable* without a census (the report already says why), and a gap when
// the census predates the keepalive view (Census::timers_counted) or the port or remote is
// outside the views kept.
#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/expr_registry.h"

namespace tcptune::core {
namespace {

const std::string& arg_str(const std::vector<Value>& a, size_t i) { return std::get<std::string>(a[i]); }

const Census* census_of(const EvalContext& ctx) { return ctx.snapshot->census ? &*ctx.snapshot->census : nullptr; }

std::optional<uint16_t> port_of(const std::string& text) {
  unsigned v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

constexpr const char* kNoTimers = "the census has no timer counts (a snapshot taken before tcptune counted them)";

// The port's row, or why there is none (an Unknown with a gap).
std::variant<const PortCounts*, Unknown> timer_row(const Census& c, const std::string& text) {
  const auto port = port_of(text);
  if (!port) return Unknown{"port", fmt::format("'{}' is not a port number", text)};
  if (!c.timers_counted) return Unknown{fmt::format("keepalive timers on port {}", *port), kNoTimers};
  for (const auto& p : *c.ports) {
    if (p.port == *port) return &p;
  }
  return Unknown{fmt::format("census of port {}", *port),
                 fmt::format("not among the {} busiest ports the per-port view keeps", c.ports->size())};
}

Value port_timer_value(EvalContext& ctx, const std::vector<Value>& a, bool keepalive) {
  const Census* c = census_of(ctx);
  if (!c || !c->ports) return Unknown{};
  auto row = timer_row(*c, arg_str(a, 0));
  if (auto* u = std::get_if<Unknown>(&row)) return *u;
  const PortCounts& p = *std::get<const PortCounts*>(row);
  const uint64_t n = keepalive ? p.keepalive : p.no_timer;
  ctx.fact("census", keepalive ? fmt::format("ESTABLISHED on :{} with the keepalive timer armed: {}", p.port, n)
                               : fmt::format("ESTABLISHED on :{} with no timer armed (no SO_KEEPALIVE): {}", p.port, n));
  return static_cast<int64_t>(n);
}

Value fn_port_keepalive(EvalContext& ctx, const std::vector<Value>& a) { return port_timer_value(ctx, a, true); }
Value fn_port_no_timer(EvalContext& ctx, const std::vector<Value>& a) { return port_timer_value(ctx, a, false); }

Value fn_established_owners(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  const auto port = port_of(arg_str(a, 0));
  if (!port) return Unknown{"port", fmt::format("'{}' is not a port number", arg_str(a, 0))};
  if (!c || !c->established_owners) return std::string(kNoProcessView);
  std::vector<std::pair<std::string, uint64_t>> owners;
  for (const auto& o : *c->established_owners) {
    if (o.port == *port) owners.emplace_back(fmt::format("{} (pid {})", o.command, o.pid), o.sockets);
  }
  if (owners.empty()) return no_port_owner(*c, "ESTABLISHED");
  const std::string text = owners_text(owners);
  ctx.fact("owner", fmt::format("ESTABLISHED on :{} held by {}", *port, text));
  return "owned by " + text;
}

std::string remote_item(const RemoteCounts& r) {
  return r.address.find(':') != std::string::npos ? fmt::format("[{}]:{}", r.address, r.port)
                                                  : fmt::format("{}:{}", r.address, r.port);
}

Value fn_remote_syn_sent(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  if (!c || !c->remotes) return Unknown{};
  const std::string& item = arg_str(a, 0);
  for (const auto& r : *c->remotes) {
    if (remote_item(r) != item) continue;
    ctx.fact("census", fmt::format("SYN-SENT towards {} from ephemeral ports: {}", item, r.syn_sent));
    return static_cast<int64_t>(r.syn_sent);
  }
  return Unknown{fmt::format("census of remote {}", item), "not among the busiest remotes the view keeps"};
}

// Listening sockets on a port (several with SO_REUSEPORT or one per family): with
// accept_backlog(PORT) == listen_sockets(PORT) * somaxconn, every one was capped at somaxconn.
Value fn_listen_sockets(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  if (!c || !c->listeners) return Unknown{};
  const auto port = port_of(arg_str(a, 0));
  if (!port) return Unknown{"port", fmt::format("'{}' is not a port number", arg_str(a, 0))};
  for (const auto& l : *c->listeners) {
    if (l.port != *port) continue;
    ctx.fact("census", fmt::format("listening sockets on :{}: {}", l.port, l.sockets));
    return static_cast<int64_t>(l.sockets);
  }
  return Unknown{fmt::format("listener on port {}", *port), "no listening socket on this port"};
}

// "keepalive armed on 3 of 120 ESTABLISHED sockets, 100 idle without SO_KEEPALIVE, 17 with data
// in flight (timer hidden)"; or why the figure is not known. Always a string: messages use it.
Value id_keepalive_coverage(EvalContext& ctx) {
  const Census* c = census_of(ctx);
  if (!c) return std::string("how many sockets use SO_KEEPALIVE is not known (no socket census)");
  if (!c->timers_counted) return std::string("how many sockets use SO_KEEPALIVE is not known (" + std::string(kNoTimers) + ")");
  const uint64_t all = c->states[TcpState::kEstablished];
  const uint64_t busy = all - std::min(all, c->established_keepalive + c->established_no_timer);
  std::string text = fmt::format("the keepalive timer is armed on {} of {} ESTABLISHED sockets; {} have no timer "
                                 "(no SO_KEEPALIVE: no tcp_keepalive_* value reaches them)",
                                 c->established_keepalive, all, c->established_no_timer);
  if (busy != 0) text += fmt::format(" and {} have data in flight (their keepalive setting is not visible)", busy);
  ctx.fact("census", text);
  return text;
}

Value id_syn_sent_processes(EvalContext& ctx) {
  return processes_in_state(ctx, TcpState::kSynSent, "SYN-SENT", "held by");
}

}  // namespace

std::vector<FunctionSig> coverage_functions() {
  using T = Type;
  using C = ArgCheck;
  return {
      {"port_keepalive", {T::kString}, T::kInt, C::kNone,
       "ESTABLISHED sockets on a local port with the keepalive timer armed (SO_KEEPALIVE)", fn_port_keepalive},
      {"port_no_timer", {T::kString}, T::kInt, C::kNone,
       "ESTABLISHED sockets on a local port with no timer armed: no SO_KEEPALIVE, out of reach of tcp_keepalive_*",
       fn_port_no_timer},
      {"established_owners", {T::kString}, T::kString, C::kNone,
       "\"owned by <process (pid N)>\" for ESTABLISHED on a local port, or why the owner is not known",
       fn_established_owners},
      {"listen_sockets", {T::kString}, T::kInt, C::kNone,
       "listening sockets on a local port (several with SO_REUSEPORT or one per family)", fn_listen_sockets},
      {"remote_syn_sent", {T::kString}, T::kInt, C::kNone,
       "SYN-SENT sockets from ephemeral ports towards a remote \"addr:port\"", fn_remote_syn_sent},
  };
}

std::vector<IdentSig> coverage_idents() {
  using T = Type;
  return {
      {"keepalive_coverage", T::kString, false,
       "how many ESTABLISHED sockets have the keepalive timer armed, as text (or why it is not known)",
       id_keepalive_coverage},
      {"syn_sent_processes", T::kString, false,
       "\"held by <processes>\" for all SYN-SENT sockets, or why the owners are not known", id_syn_sent_processes},
  };
}

}  // namespace tcptune::core

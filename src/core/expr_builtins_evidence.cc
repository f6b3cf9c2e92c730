// The evidence vocabulary of the condition language: socket census values (per state, per local
// port, per listener, per remote), kernel counters and their increase over --interval, the size
// of the ephemeral port range, user thresholds and the selected profile. Each value consulted is
// recorded as a fact so the finding shows the numbers it was decided on.
//
// A census or counter sample that was not taken (--no-census, or collection failed, which the
// snapshot already reports as a gap) makes these values *not applicable*: the rules stay silent
// rather than adding one gap per rule. A datum that should be there and is not (a counter this
// kernel lacks) is a real gap.
#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/expr_registry.h"

namespace tcptune::core {
namespace {

const std::string& arg_str(const std::vector<Value>& a, size_t i) { return std::get<std::string>(a[i]); }

const Census* census_of(const EvalContext& ctx) {
  return ctx.snapshot->census ? &*ctx.snapshot->census : nullptr;
}

const Counters* counters_of(const EvalContext& ctx) {
  return ctx.snapshot->counters ? &*ctx.snapshot->counters : nullptr;
}

// Literal states are checked at load time, so parse_state() succeeds here.
TcpState state_arg(const std::vector<Value>& a) { return parse_state(arg_str(a, 0)).value_or(TcpState::kUnknown); }

std::optional<uint16_t> port_of(const std::string& text) {
  unsigned v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

Unknown bad_port(const std::string& text) { return Unknown{"port", fmt::format("'{}' is not a port number", text)}; }

std::string remote_item(const RemoteCounts& r) {
  return r.address.find(':') != std::string::npos ? fmt::format("[{}]:{}", r.address, r.port)
                                                  : fmt::format("{}:{}", r.address, r.port);
}

Value fn_sockets(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  if (!c) return Unknown{};
  const TcpState st = state_arg(a);
  const uint64_t n = c->states[st];
  ctx.fact("census", fmt::format("{} sockets: {}", state_name(st), n));
  return static_cast<int64_t>(n);
}

const PortCounts* port_row(const Census& c, uint16_t port) {
  for (const auto& p : *c.ports) {
    if (p.port == port) return &p;
  }
  return nullptr;
}

Value fn_port_sockets(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  if (!c || !c->ports) return Unknown{};
  const auto port = port_of(arg_str(a, 1));
  if (!port) return bad_port(arg_str(a, 1));
  const TcpState st = state_arg(a);
  const PortCounts* row = port_row(*c, *port);
  if (!row) {
    return Unknown{fmt::format("census of port {}", *port),
                   fmt::format("not among the {} busiest ports the per-port view keeps", c->ports->size())};
  }
  ctx.fact("census", fmt::format("{} on :{}: {}", state_name(st), *port, row->states[st]));
  return static_cast<int64_t>(row->states[st]);
}

Value fn_top_port_sockets(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  if (!c || !c->ports) return Unknown{};
  const TcpState st = state_arg(a);
  uint64_t best = 0;
  uint16_t at = 0;
  for (const auto& p : *c->ports) {
    if (p.states[st] > best) best = p.states[st], at = p.port;
  }
  ctx.fact("census", best == 0 ? fmt::format("most {} on one local port: 0", state_name(st))
                               : fmt::format("most {} on one local port: {} (:{})", state_name(st), best, at));
  return static_cast<int64_t>(best);
}

const ListenerCounts* listener_row(const Census& c, uint16_t port) {
  for (const auto& l : *c.listeners) {
    if (l.port == port) return &l;
  }
  return nullptr;
}

Value fn_accept_queue(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  if (!c || !c->listeners) return Unknown{};
  const auto port = port_of(arg_str(a, 0));
  if (!port) return bad_port(arg_str(a, 0));
  const ListenerCounts* l = listener_row(*c, *port);
  if (!l) return Unknown{fmt::format("listener on port {}", *port), "no listening socket on this port"};
  ctx.fact("census", fmt::format("accept queue of :{}: {} queued", *port, l->queued));
  return static_cast<int64_t>(l->queued);
}

Value fn_accept_backlog(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  if (!c || !c->listeners) return Unknown{};
  const auto port = port_of(arg_str(a, 0));
  if (!port) return bad_port(arg_str(a, 0));
  const ListenerCounts* l = listener_row(*c, *port);
  if (!l) return Unknown{fmt::format("listener on port {}", *port), "no listening socket on this port"};
  if (c->source == CensusSource::kProcNetTcp) {
    return Unknown{fmt::format("backlog of the listener on port {}", *port), "proc/net/tcp does not show it"};
  }
  ctx.fact("census", fmt::format("accept queue limit (backlog) of :{}: {} ({} listening socket{})", *port,
                                 l->backlog, l->sockets, l->sockets == 1 ? "" : "s"));
  return static_cast<int64_t>(l->backlog);
}

Value fn_listening(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  if (!c || !c->listeners) return Unknown{};
  const auto port = port_of(arg_str(a, 0));
  if (!port) return bad_port(arg_str(a, 0));
  return listener_row(*c, *port) != nullptr;
}

// The listeners whose accept queues are fullest, for messages: ":9090 2 queued of 1".
Value id_fullest_listeners(EvalContext& ctx) {
  const Census* c = census_of(ctx);
  if (!c || !c->listeners) return Unknown{};
  std::vector<ListenerCounts> ls = *c->listeners;
  std::stable_sort(ls.begin(), ls.end(), [](const auto& x, const auto& y) {
    // queued/backlog descending, compared without division
    return x.queued * (y.backlog + 1) > y.queued * (x.backlog + 1);
  });
  std::string out;
  for (size_t i = 0; i < ls.size() && i < 5; ++i) {
    const auto& l = ls[i];
    out += fmt::format("{}:{} {} queued of {}", out.empty() ? "" : ", ", l.port, l.queued,
                       c->source == CensusSource::kProcNetTcp ? std::string("?") : std::to_string(l.backlog));
  }
  if (ls.size() > 5) out += fmt::format(" (and {} more)", ls.size() - 5);
  if (out.empty()) out = "no listening sockets";
  ctx.fact("census", "listeners: " + out);
  return out;
}

const RemoteCounts* remote_row(const Census& c, const std::string& item) {
  for (const auto& r : *c.remotes) {
    if (remote_item(r) == item) return &r;
  }
  return nullptr;
}

Value remote_value(EvalContext& ctx, const std::string& item, bool established) {
  const Census* c = census_of(ctx);
  if (!c || !c->remotes) return Unknown{};
  const RemoteCounts* r = remote_row(*c, item);
  if (!r) return Unknown{fmt::format("census of remote {}", item), "not among the busiest remotes the view keeps"};
  const uint64_t n = established ? r->established : r->time_wait;
  ctx.fact("census", fmt::format("{} towards {} from ephemeral ports: {}", established ? "ESTABLISHED" : "TIME-WAIT",
                                 item, n));
  return static_cast<int64_t>(n);
}


Value fn_close_wait_owners(EvalContext& ctx, const std::vector<Value>& a) {
  const Census* c = census_of(ctx);
  const auto port = port_of(arg_str(a, 0));
  if (!port) return bad_port(arg_str(a, 0));
  if (!c || !c->close_wait_owners) return std::string(kNoProcessView);
  std::vector<std::pair<std::string, uint64_t>> owners;
  for (const auto& o : *c->close_wait_owners) {
    if (o.port == *port) owners.emplace_back(fmt::format("{} (pid {})", o.command, o.pid), o.sockets);
  }
  if (owners.empty()) return no_port_owner(*c, "CLOSE-WAIT");
  const std::string text = owners_text(owners);
  ctx.fact("owner", fmt::format("CLOSE-WAIT on :{} held by {}", *port, text));
  return "owned by " + text;
}

Value fn_sockstat(EvalContext& ctx, const std::vector<Value>& a) {
  const Counters* k = counters_of(ctx);
  if (!k || !k->current.sockstat) return Unknown{};
  const SockStat& s = *k->current.sockstat;
  const std::string& f = arg_str(a, 0);
  const int64_t v = f == "inuse" ? s.inuse : f == "orphan" ? s.orphan : f == "tw" ? s.tw : f == "alloc" ? s.alloc : s.mem;
  ctx.fact("sockstat", fmt::format("{} {}", f, v));
  return v;
}

Value fn_counter(EvalContext& ctx, const std::vector<Value>& a) {
  const Counters* k = counters_of(ctx);
  if (!k) return Unknown{};
  const std::string& name = arg_str(a, 0);
  auto it = k->current.values.find(name);
  if (it == k->current.values.end()) return Unknown{"counter " + name, "not present on this kernel"};
  ctx.fact("counter", fmt::format("{} = {} (since boot)", name, it->second));
  return it->second;
}

double interval_seconds(const Counters& k) {
  return static_cast<double>(k.current.monotonic_ms - k.earlier->monotonic_ms) / 1000.0;
}

bool has_rates(const Counters* k) { return k && k->earlier && k->current.monotonic_ms > k->earlier->monotonic_ms; }

Value fn_counter_delta(EvalContext& ctx, const std::vector<Value>& a) {
  const Counters* k = counters_of(ctx);
  if (!has_rates(k)) return Unknown{};  // no --interval: rules test rates_measured first
  const std::string& name = arg_str(a, 0);
  auto now = k->current.values.find(name);
  auto then = k->earlier->values.find(name);
  if (now == k->current.values.end() || then == k->earlier->values.end()) {
    return Unknown{"counter " + name, "not present on this kernel"};
  }
  const int64_t d = now->second - then->second;
  ctx.fact("counter increase", fmt::format("{} +{} in {:.1f} s", name, d, interval_seconds(*k)));
  return d;
}

Value fn_threshold(EvalContext& ctx, const std::vector<Value>& a) {
  const std::string& name = arg_str(a, 0);
  if (!ctx.thresholds) return Unknown{"threshold " + name, "no thresholds given to the evaluator"};
  auto it = ctx.thresholds->find(name);
  if (it == ctx.thresholds->end()) return Unknown{"threshold " + name, "not declared"};
  ctx.fact("threshold", fmt::format("{} = {} ({})", name, it->second.value, it->second.origin));
  return it->second.value;
}

Value id_profile(EvalContext& ctx) {
  if (!ctx.profile.empty()) ctx.fact("profile", ctx.profile);
  return ctx.profile;
}

Value id_ephemeral_ports(EvalContext& ctx) {
  if (const Census* c = census_of(ctx); c && c->ephemeral_range) {
    ctx.fact("ephemeral ports", fmt::format("{}-{} ({} ports)", c->ephemeral_range->low, c->ephemeral_range->high,
                                            c->ephemeral_range->size()));
    return static_cast<int64_t>(c->ephemeral_range->size());
  }
  const std::string key = "net.ipv4.ip_local_port_range";
  ctx.touch(key);
  const SysctlReading* r = ctx.snapshot->find(key);
  if (!r || r->state != SysctlReading::State::kValue) return Unknown{"sysctl " + key, "not collected"};
  if (r->value.numbers.size() != 2 || r->value.numbers[1] < r->value.numbers[0]) {
    return Unknown{"sysctl " + key, fmt::format("'{}' is not a port range", r->value.text)};
  }
  return r->value.numbers[1] - r->value.numbers[0] + 1;
}

Value id_fin_wait2_orphaned(EvalContext& ctx) {
  const Census* c = census_of(ctx);
  if (!c) return Unknown{};
  ctx.fact("census", fmt::format("FIN-WAIT-2 not held by any process (orphaned): {}", c->fin_wait2_orphaned));
  return static_cast<int64_t>(c->fin_wait2_orphaned);
}

Value id_fin_wait2_held(EvalContext& ctx) {
  const Census* c = census_of(ctx);
  if (!c) return Unknown{};
  const uint64_t all = c->states[TcpState::kFinWait2];
  const uint64_t held = all >= c->fin_wait2_orphaned ? all - c->fin_wait2_orphaned : 0;
  ctx.fact("census", fmt::format("FIN-WAIT-2 held open by a process (half-closed): {}", held));
  return static_cast<int64_t>(held);
}

const RemoteCounts* top_remote(const Census* c) {
  if (!c || !c->remotes || c->remotes->empty()) return nullptr;
  return &c->remotes->front();  // the view is sorted by ESTABLISHED + TIME-WAIT, descending
}

Value id_top_remote_sockets(EvalContext& ctx) {
  const Census* c = census_of(ctx);
  if (!c || !c->remotes) return Unknown{};
  const RemoteCounts* r = top_remote(c);
  if (!r) return int64_t{0};
  ctx.fact("census", fmt::format("busiest remote {}: {} ESTABLISHED + {} TIME-WAIT from ephemeral ports",
                                 remote_item(*r), r->established, r->time_wait));
  return static_cast<int64_t>(r->established + r->time_wait);
}

Value id_top_remote(EvalContext& ctx) {
  const RemoteCounts* r = top_remote(census_of(ctx));
  if (!r) return Unknown{};
  return remote_item(*r);
}

Value id_close_wait_processes(EvalContext& ctx) {
  return processes_in_state(ctx, TcpState::kCloseWait, "CLOSE-WAIT", "owned by");
}

Value id_rates_measured(EvalContext& ctx) { return has_rates(counters_of(ctx)); }

Value id_interval_ms(EvalContext& ctx) {
  const Counters* k = counters_of(ctx);
  if (!has_rates(k)) return int64_t{0};
  return static_cast<int64_t>(k->current.monotonic_ms - k->earlier->monotonic_ms);
}

Value id_interval(EvalContext& ctx) {
  const Counters* k = counters_of(ctx);
  if (!has_rates(k)) return std::string("no interval");
  return fmt::format("{:.1f} s", interval_seconds(*k));
}

}  // namespace

std::string no_port_owner(const Census& c, std::string_view state_name) {
  if (c.owners_port_limit == 0) return kNoOwner;
  return fmt::format("owner not found: the process view names the owners of the {} ports with the most {} sockets "
                     "only, and sockets of other users are visible to root only",
                     c.owners_port_limit, state_name);
}

std::string owners_text(const std::vector<std::pair<std::string, uint64_t>>& owners) {
  if (owners.size() == 1) return owners[0].first;
  std::string out;
  for (const auto& [who, n] : owners) out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", who, n);
  return out;
}

Value processes_in_state(EvalContext& ctx, TcpState state, std::string_view state_name, std::string_view verb) {
  const Census* c = census_of(ctx);
  if (!c || !c->processes) return std::string(kNoProcessView);
  std::vector<std::pair<std::string, uint64_t>> owners;
  for (const auto& p : *c->processes) {
    const uint64_t n = p.states[state];
    if (n > 0) owners.emplace_back(fmt::format("{} (pid {})", p.command, p.pid), n);
  }
  std::stable_sort(owners.begin(), owners.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  if (owners.empty()) return std::string(kNoOwner);
  const std::string text = owners_text(owners);
  ctx.fact("owner", fmt::format("{} held by {}", state_name, text));
  return fmt::format("{} {}", verb, text);
}

std::vector<FunctionSig> evidence_functions() {
  using T = Type;
  using C = ArgCheck;
  return {
      {"sockets", {T::kString}, T::kInt, C::kState, "sockets in a TCP state (census)", fn_sockets},
      {"port_sockets", {T::kString, T::kString}, T::kInt, C::kState,
       "sockets in a state on a local port: port_sockets(\"close-wait\", item)", fn_port_sockets},
      {"top_port_sockets", {T::kString}, T::kInt, C::kState, "most sockets in a state on any one local port",
       fn_top_port_sockets},
      {"accept_queue", {T::kString}, T::kInt, C::kNone, "connections waiting in a listening port's accept queue",
       fn_accept_queue},
      {"accept_backlog", {T::kString}, T::kInt, C::kNone,
       "accept-queue limit of a listening port: min(listen() backlog, somaxconn), summed over its sockets",
       fn_accept_backlog},
      {"listening", {T::kString}, T::kBool, C::kNone, "a listening socket is bound to the local port", fn_listening},
      {"remote_established", {T::kString}, T::kInt, C::kNone,
       "ESTABLISHED sockets from ephemeral ports towards a remote \"addr:port\"",
       [](EvalContext& ctx, const std::vector<Value>& a) { return remote_value(ctx, arg_str(a, 0), true); }},
      {"remote_time_wait", {T::kString}, T::kInt, C::kNone,
       "TIME-WAIT sockets from ephemeral ports towards a remote \"addr:port\"",
       [](EvalContext& ctx, const std::vector<Value>& a) { return remote_value(ctx, arg_str(a, 0), false); }},
      {"close_wait_owners", {T::kString}, T::kString, C::kNone,
       "\"owned by <process (pid N)>\" for CLOSE-WAIT on a local port, or why the owner is not known", fn_close_wait_owners},
      {"sockstat", {T::kString}, T::kInt, C::kSockstat, "a /proc/net/sockstat TCP field", fn_sockstat},
      {"counter", {T::kString}, T::kInt, C::kCounter, "a kernel counter's value since boot", fn_counter},
      {"counter_delta", {T::kString}, T::kInt, C::kCounter, "increase of a kernel counter over --interval",
       fn_counter_delta},
      {"threshold", {T::kString}, T::kInt, C::kThreshold, "a user threshold declared in the rule files",
       fn_threshold},
  };
}

std::vector<IdentSig> evidence_idents() {
  using T = Type;
  return {
      {"profile", T::kString, false, "the selected workload profile (--profile), \"\" when none", id_profile},
      {"ephemeral_ports", T::kInt, false, "size of ip_local_port_range", id_ephemeral_ports},
      {"fin_wait2_orphaned", T::kInt, false, "FIN-WAIT-2 sockets no process holds (bounded by tcp_fin_timeout)",
       id_fin_wait2_orphaned},
      {"fin_wait2_held", T::kInt, false, "FIN-WAIT-2 sockets a process half-closed and still holds (no timeout)",
       id_fin_wait2_held},
      {"top_remote_sockets", T::kInt, false, "ESTABLISHED + TIME-WAIT towards the busiest remote from ephemeral ports",
       id_top_remote_sockets},
      {"top_remote", T::kString, false, "the busiest remote \"addr:port\"", id_top_remote},
      {"close_wait_processes", T::kString, false, "\"owned by <processes>\" for all CLOSE-WAIT sockets, or why the owners are not known",
       id_close_wait_processes},
      {"fullest_listeners", T::kString, false, "the listening ports with the fullest accept queues, as text",
       id_fullest_listeners},
      {"rates_measured", T::kBool, false, "two counter samples were taken (--interval)", id_rates_measured},
      {"interval_ms", T::kInt, false, "milliseconds between the two counter samples, 0 without --interval",
       id_interval_ms},
      {"interval", T::kString, false, "the time between the two counter samples as text (\"10.0 s\")", id_interval},
  };
}

std::vector<IterationSig> evidence_iterations() {
  return {
      {"local_port", "every local port of the census per-port view (the busiest ports; item = \"9090\")",
       [](const EvalContext& ctx) {
         std::vector<std::string> out;
         const Census* c = census_of(ctx);
         if (c && c->ports) {
           for (const auto& p : *c->ports) out.push_back(std::to_string(p.port));
         }
         return out;
       }},
      {"listen_port", "every local port with a listening socket (item = \"9090\")",
       [](const EvalContext& ctx) {
         std::vector<std::string> out;
         const Census* c = census_of(ctx);
         if (c && c->listeners) {
           for (const auto& l : *c->listeners) out.push_back(std::to_string(l.port));
         }
         return out;
       }},
      {"remote", "every remote of the census per-remote view (item = \"10.0.0.5:443\" or \"[2001:db8::1]:443\")",
       [](const EvalContext& ctx) {
         std::vector<std::string> out;
         const Census* c = census_of(ctx);
         if (c && c->remotes) {
           for (const auto& r : *c->remotes) out.push_back(remote_item(r));
         }
         return out;
       }},
  };
}

const std::vector<std::string>& counter_names() {
  // The lifecycle counters, nstat-style (include/uapi/linux/snmp.h, net/ipv4/proc.c).
  static const std::vector<std::string> kNames = {
      "TcpExtTW", "TcpExtTWKilled", "TcpExtTWRecycled", "TcpExtTCPTimeWaitOverflow", "TcpExtPAWSTimewait",
      "TcpExtTCPACKSkippedTimeWait", "TcpExtTCPACKSkippedFinWait2", "TcpCurrEstab", "TcpEstabResets",
      "TcpExtTCPAbortOnClose", "TcpOutRsts", "TcpAttemptFails", "TcpExtTCPAbortOnData", "TcpExtTCPAbortOnMemory",
      "TcpExtTCPAbortOnTimeout", "TcpExtTCPAbortOnLinger", "TcpExtTCPAbortFailed", "TcpExtEmbryonicRsts",
      "TcpExtTCPChallengeACK", "TcpExtTCPSYNChallenge", "TcpExtListenOverflows", "TcpExtListenDrops",
      "TcpExtTCPReqQFullDrop", "TcpExtTCPReqQFullDoCookies", "TcpExtSyncookiesSent", "TcpExtSyncookiesRecv",
      "TcpExtSyncookiesFailed", "TcpExtTCPBacklogDrop", "TcpExtTCPDeferAcceptDrop", "TcpExtTCPMigrateReqSuccess",
      "TcpExtTCPMigrateReqFailure", "TcpExtTCPKeepAlive", "TcpExtTCPTimeouts", "TcpExtTCPSynRetrans",
      "TcpRetransSegs", "TcpActiveOpens", "TcpPassiveOpens", "TcpInSegs", "TcpOutSegs"};
  return kNames;
}

const std::vector<std::string>& sockstat_fields() {
  static const std::vector<std::string> kFields = {"inuse", "orphan", "tw", "alloc", "mem"};
  return kFields;
}

}  // namespace tcptune::core

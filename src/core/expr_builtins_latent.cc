// The latent-risk vocabulary: what the host's own settings imply before any traffic. Defaults
// the kernel derives from the host (the established-hash size, itself sized from RAM) are
// computed from the snapshot, never assumed; time budgets follow the kernel's retransmission
// model. Missing data is a gap naming what is needed.
#include <charconv>

#include <fmt/format.h>

#include "core/expr_registry.h"
#include "core/netns_view.h"

namespace tcptune::core {
namespace {

const std::string kEhash = "net.ipv4.tcp_ehash_entries";
const std::string kOrphans = "net.ipv4.tcp_max_orphans";

std::optional<int64_t> integer_sysctl(EvalContext& ctx, const std::string& key) {
  ctx.touch(key);
  const SysctlReading* r = ctx.snapshot->find(key);
  if (!r || r->state != SysctlReading::State::kValue) return std::nullopt;
  return r->value.as_integer();
}

// The size of the established hash the namespace judged uses: |tcp_ehash_entries| (6.1+;
// negative when the namespace shares the host's table), else twice an unconfigured
// tcp_max_orphans (tcp_init() sets it to ehash / 2).
std::optional<int64_t> namespace_ehash(EvalContext& ctx) {
  if (const auto n = integer_sysctl(ctx, kEhash); n && *n != 0) return *n < 0 ? -*n : *n;
  const bool configured = ctx.config && ctx.config->settings.count(kOrphans) != 0;
  if (const auto o = integer_sysctl(ctx, kOrphans); o && *o > 0 && !configured) return *o * 2;
  return std::nullopt;
}

// The kernel's default tcp_max_syn_backlog: max(128, ehash / 128) (net/ipv4/tcp_ipv4.c
// tcp_set_hashinfo(); tcp_sk_init() and tcp_init() before 6.1).
Value id_default_syn_backlog(EvalContext& ctx) {
  const auto ehash = namespace_ehash(ctx);
  if (!ehash) return Unknown{"default tcp_max_syn_backlog", "needs tcp_ehash_entries (6.1+) or an unconfigured tcp_max_orphans"};
  const int64_t def = std::max<int64_t>(128, *ehash / 128);
  ctx.fact("kernel default", fmt::format("net.ipv4.tcp_max_syn_backlog = max(128, ehash {} / 128) = {}", *ehash, def));
  return def;
}

// The kernel's default tcp_max_orphans: half the host's established hash (net/ipv4/tcp.c
// tcp_init()). The key is global, so only the host's table counts: the host's own
// tcp_ehash_entries, or its negation seen from a namespace sharing it.
Value id_default_max_orphans(EvalContext& ctx) {
  const auto n = integer_sysctl(ctx, kEhash);
  const bool host = !ctx.netns || ctx.netns->is_host || !ctx.host;
  if (!n || *n == 0 || (*n > 0 && !host)) {
    return Unknown{"default tcp_max_orphans", "needs the host's tcp_ehash_entries (6.1+)"};
  }
  const int64_t def = (*n < 0 ? -*n : *n) / 2;
  ctx.fact("kernel default", fmt::format("net.ipv4.tcp_max_orphans = ehash / 2 = {}", def));
  return def;
}

constexpr int64_t kRtoMinMs = 200;     // TCP_RTO_MIN, include/net/tcp.h
constexpr int64_t kRtoMaxMs = 120000;  // TCP_RTO_MAX
constexpr int64_t kTimeoutInitMs = 1000;  // TCP_TIMEOUT_INIT

// net/ipv4/tcp_timer.c tcp_model_timeout(): doubling from rto_base up to TCP_RTO_MAX, then
// TCP_RTO_MAX per further retransmission.
int64_t model_timeout_ms(int64_t boundary, int64_t rto_base) {
  int64_t thresh = 0;
  while ((rto_base << (thresh + 1)) <= kRtoMaxMs) ++thresh;  // ilog2(TCP_RTO_MAX / rto_base)
  if (boundary <= thresh) return ((int64_t{2} << boundary) - 1) * rto_base;
  return ((int64_t{2} << thresh) - 1) * rto_base + (boundary - thresh) * kRtoMaxMs;
}

// How long after the first retransmission a connection with unacknowledged data is aborted:
// retransmits_timed_out() with tcp_retries2 as the boundary and TCP_RTO_MIN as the base.
Value id_retries2_budget_ms(EvalContext& ctx) {
  const auto r = integer_sysctl(ctx, "net.ipv4.tcp_retries2");
  if (!r) return Unknown{"sysctl net.ipv4.tcp_retries2", "not collected"};
  if (*r < 0 || *r > 255) return Unknown{};
  return model_timeout_ms(*r, kRtoMinMs);
}

// How long a connect() to a peer that never answers hangs. The SYN timer fires after 1 s
// (TCP_TIMEOUT_INIT), then after each retransmission m after 1 s while m <= tcp_syn_linear_timeouts
// (6.5+; 0 before), else doubling up to TCP_RTO_MAX (tcp_retransmit_timer()). At each firing
// tcp_write_timeout() gives up when tcp_syn_retries + tcp_syn_linear_timeouts retransmissions
// were made, or when tcp_model_timeout(tcp_syn_retries, 1 s) has passed since the first SYN
// (retransmits_timed_out()), whichever comes first.
Value id_syn_timeout_ms(EvalContext& ctx) {
  const auto retries = integer_sysctl(ctx, "net.ipv4.tcp_syn_retries");
  if (!retries) return Unknown{"sysctl net.ipv4.tcp_syn_retries", "not collected"};
  int64_t linear = 0;
  static const std::string kLinear = "net.ipv4.tcp_syn_linear_timeouts";
  if (const SysctlReading* l = ctx.snapshot->find(kLinear); l && l->state != SysctlReading::State::kAbsent) {
    const auto v = integer_sysctl(ctx, kLinear);
    if (!v) return Unknown{"sysctl " + kLinear, "unreadable"};
    linear = *v;
  }
  if (*retries < 1 || *retries > 255 || linear < 0 || linear > 255) return Unknown{};
  const int64_t budget = model_timeout_ms(*retries, kTimeoutInitMs);
  int64_t elapsed = 0;
  for (int64_t m = 0;; ++m) {  // m retransmissions made; the timer fires after timeout m
    elapsed += m <= linear ? kTimeoutInitMs : std::min(kTimeoutInitMs << std::min<int64_t>(m - linear, 20), kRtoMaxMs);
    if (m >= *retries + linear || (m > 0 && elapsed >= budget)) return elapsed;
  }
}

// Counters and sockstat were read (not --no-census, not an offline snapshot without them), so
// a rule can tell "no traffic evidence" from "no evidence collected".
Value id_counters_collected(EvalContext& ctx) { return ctx.snapshot->counters.has_value(); }

std::optional<int64_t> parse_int(std::string_view t) {
  int64_t v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

// ip_local_reserved_ports as ranges: "8080,9000-9100" (the format proc_do_large_bitmap() reads
// and writes); nullopt when malformed.
std::optional<std::vector<std::pair<int64_t, int64_t>>> parse_reserved(const std::string& text) {
  std::vector<std::pair<int64_t, int64_t>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view part(text.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\n')) part.remove_suffix(1);
    if (!part.empty()) {
      const size_t dash = part.find('-');
      const auto lo = parse_int(part.substr(0, dash));
      const auto hi = dash == std::string_view::npos ? lo : parse_int(part.substr(dash + 1));
      if (!lo || !hi) return std::nullopt;
      out.emplace_back(*lo, *hi);
    }
    pos = end + 1;
  }
  return out;
}

const std::string kRange = "net.ipv4.ip_local_port_range";
const std::string kReserved = "net.ipv4.ip_local_reserved_ports";

const std::string& arg0(const std::vector<Value>& a) { return std::get<std::string>(a[0]); }

// A local port inside ip_local_port_range and not in ip_local_reserved_ports: connect() and
// bind() to port 0 may take it (inet_hash_connect(), inet_csk_find_open_port() skip only
// reserved ports).
Value fn_ephemeral_collision(EvalContext& ctx, const std::vector<Value>& a) {
  const auto port = parse_int(arg0(a));
  if (!port || *port < 1 || *port > 65535) return Unknown{"port " + arg0(a), "not a port number"};
  ctx.touch(kRange);
  const SysctlReading* r = ctx.snapshot->find(kRange);
  if (!r || r->state != SysctlReading::State::kValue || r->value.numbers.size() != 2) {
    return Unknown{"sysctl " + kRange, "not collected"};
  }
  if (*port < r->value.numbers[0] || *port > r->value.numbers[1]) return false;
  ctx.touch(kReserved);
  const SysctlReading* res = ctx.snapshot->find(kReserved);
  if (!res || res->state != SysctlReading::State::kValue) return Unknown{"sysctl " + kReserved, "not collected"};
  const auto ranges = parse_reserved(res->value.text);
  if (!ranges) return Unknown{"sysctl " + kReserved, "not a port list"};
  for (const auto& [lo, hi] : *ranges) {
    if (*port >= lo && *port <= hi) return false;
  }
  return true;
}

// The ip_local_reserved_ports line that adds the port to what is reserved now.
Value fn_reserved_ports_with(EvalContext& ctx, const std::vector<Value>& a) {
  ctx.touch(kReserved);
  const SysctlReading* res = ctx.snapshot->find(kReserved);
  if (!res || res->state != SysctlReading::State::kValue) return Unknown{"sysctl " + kReserved, "not collected"};
  std::string now = res->value.text;
  while (!now.empty() && (now.back() == ' ' || now.back() == '\n')) now.pop_back();
  return now.empty() ? arg0(a) : now + "," + arg0(a);
}

}  // namespace

std::vector<FunctionSig> latent_functions() {
  using T = Type;
  using C = ArgCheck;
  return {
      {"ephemeral_collision", {T::kString}, T::kBool, C::kNone,
       "a local port lies inside ip_local_port_range and not in ip_local_reserved_ports", fn_ephemeral_collision},
      {"reserved_ports_with", {T::kString}, T::kString, C::kNone,
       "ip_local_reserved_ports as it is now with the port added (\"8080,9090\")", fn_reserved_ports_with},
  };
}

std::vector<IdentSig> latent_idents() {
  using T = Type;
  return {
      {"default_syn_backlog", T::kInt, false,
       "the kernel's default tcp_max_syn_backlog for the namespace judged: max(128, ehash / 128)",
       id_default_syn_backlog},
      {"default_max_orphans", T::kInt, false, "the kernel's default tcp_max_orphans: the host's ehash / 2",
       id_default_max_orphans},
      {"retries2_budget_ms", T::kInt, false,
       "milliseconds of retransmissions after which tcp_retries2 aborts a connection (tcp_model_timeout())",
       id_retries2_budget_ms},
      {"syn_timeout_ms", T::kInt, false,
       "milliseconds a connect() to a silent peer hangs (tcp_syn_retries, tcp_syn_linear_timeouts on 6.5+)",
       id_syn_timeout_ms},
      {"counters_collected", T::kBool, false, "the kernel counters and sockstat were read", id_counters_collected},
  };
}

}  // namespace tcptune::core

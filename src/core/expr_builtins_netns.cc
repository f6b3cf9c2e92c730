// The namespace vocabulary of the condition language (docs/netns.md): which network
// namespace a rule is judging, the host's own value of a key, the kernel's compiled-in default,
// what the selected profile sets, and the key lists the namespace rules iterate.
//
// A new network namespace starts from compiled-in defaults for most TCP keys
// (net/ipv4/tcp_ipv4.c tcp_sk_init()), so "the host tuned it, the namespace
// did not" is decided by comparing host_sysctl(k), sysctl(k) and kernel_default(k).
//
// Not applicable (no gap): host_sysctl when judging the host itself, kernel_default of a key
// whose default is memory-derived or not in the catalogue, profile_value when no profile sets
// the key. Missing data (a gap): the host's reading absent, unreadable or not collected, the
// kernel release unknown.
#include <cstring>

#include <fmt/format.h>

#include "core/expr_registry.h"
#include "core/sysctl_conf_resolve.h"
#include "core/sysctl_value.h"
#include "core/netns_view.h"

namespace tcptune::core {
namespace {

const std::string& arg_str(const std::vector<Value>& a, size_t i) { return std::get<std::string>(a[i]); }

bool judging_host(const EvalContext& ctx) { return !ctx.netns || ctx.netns->is_host || !ctx.host; }

Value id_netns_host(EvalContext& ctx) { return judging_host(ctx); }

// The label also goes to the evidence, with up to five processes, so the finding names who is
// affected even when the message does not use it.
Value id_netns(EvalContext& ctx) {
  if (judging_host(ctx)) return std::string("host");
  ctx.fact("netns", netns_description(*ctx.netns));
  size_t n = 0;
  for (const auto& p : ctx.netns->processes) {
    if (n++ == 5) break;
    ctx.fact("process", fmt::format("{} {}{}", p.pid, p.command,
                                    p.container_id.empty() ? "" : " container " + p.container_id.substr(0, 12)));
  }
  return netns_description(*ctx.netns);
}

Value id_netns_shell(EvalContext& ctx) {
  if (judging_host(ctx)) return std::string();
  return netns_shell_prefix(*ctx.netns);
}

Value fn_host_sysctl(EvalContext& ctx, const std::vector<Value>& a) {
  if (judging_host(ctx)) return Unknown{};  // the host is judged by sysctl(key) itself
  const std::string& key = arg_str(a, 0);
  const std::string what = "host sysctl " + key;
  const SysctlReading* r = ctx.host->find(key);
  if (!r) return Unknown{what, "not collected"};
  switch (r->state) {
    case SysctlReading::State::kValue:
      ctx.fact("host", fmt::format("{} = {}", key, r->value.text));
      return r->value;
    case SysctlReading::State::kAbsent: return Unknown{what, "absent on this kernel"};
    case SysctlReading::State::kUnreadable: return Unknown{what, fmt::format("unreadable: {}", std::strerror(r->err))};
  }
  return Unknown{what, "not collected"};
}

Value fn_kernel_default(EvalContext& ctx, const std::vector<Value>& a) {
  const std::string& key = arg_str(a, 0);
  const CatalogueEntry* e = ctx.catalogue ? ctx.catalogue->find(key) : nullptr;
  if (!e) return Unknown{};
  ctx.touched_kernel = true;
  const auto kernel = ctx.snapshot->kernel_version();
  if (!kernel) return Unknown{"kernel release", ctx.snapshot->kernel_release ? "not a version" : "not collected"};
  const auto def = e->default_on(*kernel);
  if (!def) return Unknown{};  // memory-derived (or undocumented): no fixed number to compare with
  ctx.fact("kernel default", fmt::format("{} = {}", key, *def));
  return parse_sysctl_value(*def);
}

// The kernel's default tcp_max_tw_buckets for the namespace judged: half its established-hash
// size (net/ipv4/tcp_ipv4.c tcp_set_hashinfo(); tcp_init() before 6.1). tcp_ehash_entries (6.1+;
// negative in a namespace sharing the host's table) gives the size; older kernels have only the
// other value tcp_init() derives from the same size, tcp_max_orphans = ehash / 2, usable while no
// configuration file changed it. Otherwise missing data: memory is not in the snapshot.
Value id_default_tw_buckets(EvalContext& ctx) {
  static const std::string kEhash = "net.ipv4.tcp_ehash_entries";
  static const std::string kOrphans = "net.ipv4.tcp_max_orphans";
  ctx.touch(kEhash);
  if (const SysctlReading* r = ctx.snapshot->find(kEhash); r && r->state == SysctlReading::State::kValue) {
    if (const auto n = r->value.as_integer(); n && *n != 0) {
      const int64_t def = (*n < 0 ? -*n : *n) / 2;
      ctx.fact("kernel default", fmt::format("net.ipv4.tcp_max_tw_buckets = |tcp_ehash_entries| / 2 = {}", def));
      return def;
    }
  }
  ctx.touch(kOrphans);
  const SysctlReading* o = ctx.snapshot->find(kOrphans);
  const bool orphans_configured = ctx.config && ctx.config->settings.count(kOrphans) != 0;
  if (o && o->state == SysctlReading::State::kValue && !orphans_configured) {
    if (const auto n = o->value.as_integer(); n && *n > 0) {
      ctx.fact("kernel default", fmt::format("net.ipv4.tcp_max_tw_buckets = ehash / 2 = tcp_max_orphans = {}", *n));
      return *n;
    }
  }
  return Unknown{"default tcp_max_tw_buckets", "needs tcp_ehash_entries (6.1+) or an unconfigured tcp_max_orphans"};
}

Value fn_profile_value(EvalContext& ctx, const std::vector<Value>& a) {
  const std::string& key = arg_str(a, 0);
  if (!ctx.profile_values) return Unknown{};
  const auto it = ctx.profile_values->find(key);
  if (it == ctx.profile_values->end()) return Unknown{};
  ctx.fact("profile value", fmt::format("{} = {}{}", key, it->second,
                                        ctx.profile.empty() ? "" : " (profile " + ctx.profile + ")"));
  return parse_sysctl_value(it->second);
}

// The live value meets the profile's target: equal to it, or for an at_least key at or above it
// (a two-integer range: containing it).
Value fn_profile_met(EvalContext& ctx, const std::vector<Value>& a) {
  const std::string& key = arg_str(a, 0);
  if (!ctx.profile_values || !ctx.snapshot) return Unknown{};
  const auto it = ctx.profile_values->find(key);
  if (it == ctx.profile_values->end()) return Unknown{};
  const SysctlReading* r = ctx.snapshot->find(key);
  if (!r || !r->has_value()) return Unknown{key, "not read"};
  if (!value_differs(r->value, it->second).value_or(true)) return true;
  const bool floor = ctx.profile_floors && ctx.profile_floors->count(key) != 0;
  if (floor) ctx.fact("profile value", fmt::format("{} at least {} (profile {})", key, it->second, ctx.profile));
  return floor && meets_floor(r->value, it->second);
}

}  // namespace

std::vector<FunctionSig> netns_functions() {
  using T = Type;
  using C = ArgCheck;
  return {
      {"host_sysctl", {T::kString}, T::kValue, C::kSysctlKey,
       "the host's live value of a key while judging another namespace (n/a when judging the host)", fn_host_sysctl},
      {"kernel_default", {T::kString}, T::kValue, C::kSysctlKey,
       "the catalogue's compiled-in default for the running kernel (n/a when memory-derived)", fn_kernel_default},
      {"profile_value", {T::kString}, T::kValue, C::kSysctlKey,
       "the value the selected profile sets for a key (n/a when it sets none)", fn_profile_value},
      {"profile_met", {T::kString}, T::kBool, C::kSysctlKey,
       "the key's value meets the selected profile: equal to its value, or at or above it (a range: containing it) "
       "for an at_least setting (n/a when the profile sets no value for the key)", fn_profile_met},
  };
}

std::vector<IdentSig> netns_idents() {
  using T = Type;
  return {
      {"netns_host", T::kBool, false, "judging the host's own network namespace (true for a plain audit)",
       id_netns_host},
      {"netns", T::kString, false, "the network namespace being judged, as text (\"host\" for the host's own)",
       id_netns},
      {"default_tw_buckets", T::kInt, false,
       "the kernel's default tcp_max_tw_buckets for the namespace judged: |tcp_ehash_entries| / 2, or "
       "tcp_max_orphans (also ehash / 2) on kernels before 6.1 when no file configures it",
       id_default_tw_buckets},
      {"netns_shell", T::kString, false,
       "a shell prefix that runs a command in the namespace being judged ('ip netns exec NAME', "
       "'nsenter -t PID -n'; \"\" for the host)",
       id_netns_shell},
  };
}

std::vector<IterationSig> netns_iterations() {
  return {
      {"lifecycle_key", "the connection-lifecycle keys that are per namespace and start from compiled-in defaults "
                        "in a new namespace (item = the key)",
       [](const EvalContext&) { return lifecycle_keys(); }},
      {"netns_key", "every catalogue key settable per namespace (scope \"netns\"; item = the key)",
       [](const EvalContext& ctx) {
         std::vector<std::string> keys;
         if (!ctx.catalogue) return keys;
         for (const auto& [k, e] : ctx.catalogue->entries) {
           if (e.scope == "netns") keys.push_back(k);
         }
         return keys;
       }},
      {"profile_key", "every key the selected profile sets (none without a profile; item = the key)",
       [](const EvalContext& ctx) {
         std::vector<std::string> keys;
         if (!ctx.profile_values) return keys;
         for (const auto& [k, v] : *ctx.profile_values) keys.push_back(k);
         return keys;
       }},
  };
}

}  // namespace tcptune::core

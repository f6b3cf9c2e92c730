// The language's vocabulary as data: every function, identifier, record field and iteration
// source with its signature and documentation. The checker resolves names against these
// tables and the evaluator dispatches through them, so extending the language (census values,
// counters, thresholds, profiles, per-port iteration) means adding table rows.
#pragma once

#include <cstdint>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "core/expr_ast.h"
#include "core/expr_value.h"

namespace tcptune::core {

// What the checker verifies about a function's first argument.
enum class ArgCheck {
  kNone,
  kSysctlKey,  // a string literal must be a catalogue key (any expression is allowed)
  kThreshold,  // must be a string literal naming a threshold declared in the rule files
  kCounter,    // must be a string literal naming a known kernel counter (counter_names())
  kState,      // must be a string literal naming a TCP state ("close-wait", "TIME_WAIT", ...)
  kSockstat,   // must be a string literal naming a /proc/net/sockstat TCP field
};

struct FunctionSig {
  std::string_view name;
  std::vector<Type> params;
  Type result;
  ArgCheck check;  // load-time check of the first argument
  std::string_view doc;
  // Called with arguments already known (an unknown argument makes the call unknown).
  Value (*impl)(EvalContext& ctx, const std::vector<Value>& args);
};

struct IdentSig {
  std::string_view name;
  Type type;
  bool needs_item;  // only meaningful inside a rule with for_each
  std::string_view doc;
  Value (*impl)(EvalContext& ctx);
};

struct FieldSig {
  Type owner;
  std::string_view name;
  Type result;
  std::string_view doc;
  Value (*impl)(EvalContext& ctx, const Value& owner);  // owner is known and of type `owner`
};

struct IterationSig {
  std::string_view name;
  std::string_view doc;
  std::vector<std::string> (*items)(const EvalContext& ctx);  // in report order
};

const std::vector<FunctionSig>& function_table();
// The evidence vocabulary (census, counters, thresholds, profile): appended to the tables above
// (expr_builtins_evidence.cc).
std::vector<FunctionSig> evidence_functions();

// Owner evidence shared by the builtin files (defined in expr_builtins_evidence.cc).
inline constexpr const char* kNoProcessView = "owner not collected (run 'tcptune audit --processes' as root to name it)";
inline constexpr const char* kNoOwner = "owner not found (sockets of other users are visible to root only)";
// kNoOwner, or when the owner lists were capped (Census::owners_port_limit) that the port may
// also be outside the ports they name.
std::string no_port_owner(const Census& c, std::string_view state_name);
// "java (pid 4121)" for one owner, "java (pid 4121): 80, nginx (pid 77): 7" for several.
std::string owners_text(const std::vector<std::pair<std::string, uint64_t>>& owners);
// The processes holding sockets in `state` (the --processes view), most first: "<verb> TEXT",
// with the fact "<state_name> held by TEXT"; why not, when the view or an owner is missing.
Value processes_in_state(EvalContext& ctx, TcpState state, std::string_view state_name, std::string_view verb);
std::vector<IdentSig> evidence_idents();
std::vector<IterationSig> evidence_iterations();
// The namespace vocabulary (netns_host, netns, host_sysctl, kernel_default, profile_value,
// lifecycle_key, netns_key, profile_key): appended likewise (expr_builtins_netns.cc).
std::vector<FunctionSig> netns_functions();
std::vector<IdentSig> netns_idents();
std::vector<IterationSig> netns_iterations();
// The latent-risk vocabulary (default_syn_backlog, default_max_orphans, retries2_budget_ms,
// syn_timeout_ms, counters_collected): expr_builtins_latent.cc.
std::vector<IdentSig> latent_idents();
std::vector<FunctionSig> latent_functions();
// The coverage vocabulary (port_keepalive, port_no_timer, established_owners, remote_syn_sent,
// listen_sockets, keepalive_coverage, syn_sent_processes): expr_builtins_coverage.cc.
std::vector<FunctionSig> coverage_functions();
std::vector<IdentSig> coverage_idents();
// The trace vocabulary (traced_*; audit --trace): appended likewise (expr_builtins_trace.cc).
std::vector<FunctionSig> trace_functions();

// Kernel counters rules may name, nstat-style ("TcpExtListenOverflows"), and the sockstat
// fields ("inuse", "orphan", "tw", "alloc", "mem").
const std::vector<std::string>& counter_names();
const std::vector<std::string>& sockstat_fields();
const std::vector<IdentSig>& ident_table();
const std::vector<FieldSig>& field_table();
const std::vector<IterationSig>& iteration_table();

// Index into the table, or -1.
int find_function(std::string_view name);
int find_ident(std::string_view name);
int find_field(Type owner, std::string_view name);
int find_iteration(std::string_view name);

// Names for "did you mean" suggestions.
std::vector<std::string> function_names();
std::vector<std::string> ident_names();
std::vector<std::string> field_names(Type owner);
std::vector<std::string> iteration_names();

}  // namespace tcptune::core

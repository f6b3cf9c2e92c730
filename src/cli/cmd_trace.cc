// tcptune trace: for a few seconds, attribute every TCP reset the kernel sends or receives to
// its direction, reason, local port and owning process (docs/trace.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/netns_options.h"
#include "cli/output.h"
#include "core/reset_trace.h"
#include "core/reset_trace_json.h"
#include "platform/netns.h"
#include "platform/reset_trace.h"

namespace tcptune::cli {
namespace {

struct TraceOptions {
  uint32_t seconds = 10;
  OutputOptions out;
  NetnsArgs netns;
};

double rate(uint64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0.0; }

std::string owner_text(const core::ResetGroup& g) {
  if (g.pid == 0) return g.direction == "sent" && g.reason == "NO_SOCKET" ? "(no socket)" : "(owner unknown)";
  return fmt::format("{} (pid {})", g.command, g.pid);
}

std::string render_text(const core::ResetTrace& t) {
  std::string out = fmt::format("Resets in {:g} s: {} sent, {} received ({:.1f}/s)\n", t.seconds, t.sent, t.received,
                                rate(t.total(), t.seconds));
  if (!t.groups.empty()) {
    out += fmt::format("  {:<9} {:<26} {:>6}  {:<28} {:>7} {:>6} {:>8}\n", "DIRECTION", "REASON", "PORT", "PROCESS",
                       "COUNT", "SHARE", "RATE/S");
  }
  for (const auto& g : t.groups) {
    const uint64_t side = g.direction == "sent" ? t.sent : t.received;
    out += fmt::format("  {:<9} {:<26} {:>6}  {:<28} {:>7} {:>5.0f}% {:>8.1f}\n", g.direction,
                       g.reason.empty() ? "-" : g.reason, g.port, owner_text(g), g.count,
                       side ? 100.0 * static_cast<double>(g.count) / static_cast<double>(side) : 0.0,
                       rate(g.count, t.seconds));
  }
  if (!t.failed_connects.empty()) {
    out += "Failed connections (SYN-SENT to CLOSE), by destination and owner:\n";
    out += fmt::format("  {:<40} {:<28} {:>7}\n", "DESTINATION", "PROCESS", "COUNT");
  }
  for (const auto& f : t.failed_connects) {
    const std::string owner = f.pid ? fmt::format("{} (pid {})", f.command, f.pid) : "(owner unknown)";
    out += fmt::format("  {:<40} {:<28} {:>7}\n", f.remote, owner, f.count);
  }
  if (!t.addr_unavailable.empty()) {
    out += fmt::format("connect() failed with EADDRNOTAVAIL (no free local port) {} times, by process and "
                       "destination:\n", t.addr_unavailable_total());
    out += fmt::format("  {:<40} {:<28} {:>7}\n", "DESTINATION", "PROCESS", "COUNT");
  }
  for (const auto& f : t.addr_unavailable) {
    out += fmt::format("  {:<40} {:<28} {:>7}\n", f.remote.empty() ? "(not seen)" : f.remote,
                       fmt::format("{} (pid {})", f.command, f.pid), f.count);
  }
  if (t.left_out) out += fmt::format("Left out: {} events of other network namespaces\n", t.left_out);
  if (t.lost) out += fmt::format("Lost: {} events (the trace buffer overran; counts are lower bounds)\n", t.lost);
  for (const auto& n : t.notes) out += fmt::format("Note: {}\n", n);
  return out;
}

nlohmann::json render_json(const core::ResetTrace& t) {
  nlohmann::json j = {{"schema", "tcptune.trace"}, {"schema_version", 1}};
  j.update(core::reset_trace_to_json(t));
  return j;
}

core::Result<core::ResetTrace> trace_here(uint32_t seconds) {
  platform::ResetTraceOptions opts;
  opts.seconds = seconds;
  opts.message = [](const std::string& m) { std::fprintf(stderr, "tcptune: %s\n", m.c_str()); };
  return platform::trace_resets(opts);
}

core::Result<core::ResetTrace> trace_in(const Globals& g, const TraceOptions& o) {
  if (!o.netns.any()) return trace_here(o.seconds);
  auto targets = netns_targets(g, o.netns);
  if (!targets) return targets.error();
  auto text = platform::run_in_netns(targets->front(), [&]() -> core::Result<std::string> {
    auto t = trace_here(o.seconds);
    if (!t) return t.error();
    return core::reset_trace_to_json(*t).dump();
  });
  if (!text) return text.error();
  return core::reset_trace_from_json(nlohmann::json::parse(*text, nullptr, false), "trace child");
}

CommandResult run_trace(const Globals& g, TraceOptions o) {
  o.out.no_color = g.no_color;
  if (g.root != "/") return core::as_usage(core::make_error("--root", "cannot be combined with trace (it reads the live kernel)"));
  auto t = trace_in(g, o);
  if (!t) return t.error();
  Renderers r;
  r.text = [&](bool) { return render_text(*t); };
  r.json = [&] { return render_json(*t); };
  if (auto st = emit(o.out, r); !st) return st.error();
  return Outcome::kOk;
}

}  // namespace

void register_trace(CLI::App& app, Globals& g) {
  auto o = std::make_shared<TraceOptions>();
  auto* cmd = app.add_subcommand("trace", "Attribute TCP resets to reason, port and process from kernel tracepoints");
  cmd->add_option("--seconds", o->seconds, "How long to collect")->check(CLI::Range(1, 3600))->capture_default_str();
  cmd->add_option("--format", o->out.format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("-o,--output", o->out.file, "Write the result to FILE (atomically)");
  auto* name = cmd->add_option("--netns", o->netns.name, "Trace the network namespace bound at /run/netns/NAME");
  auto* pid = cmd->add_option("--netns-pid", o->netns.pid, "Trace the network namespace of process PID");
  name->excludes(pid);
  cmd->footer("Examples:\n  tcptune trace --seconds 30\n  tcptune trace --netns blue --format json");
  cmd->callback([&g, o] { g.result = run_trace(g, *o); });
}

}  // namespace tcptune::cli

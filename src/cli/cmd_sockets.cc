// `tcptune sockets`: the live TCP socket census, optionally with counter rates.
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/census_render.h"
#include "cli/output.h"
#include "cli/commands.h"
#include "cli/netns_options.h"
#include "cli/netns_render.h"
#include "platform/netns.h"
#include "core/census_json.h"
#include "platform/counters.h"
#include "platform/sock_diag.h"

namespace tcptune::cli {

namespace {

struct SocketsArgs {
  std::vector<std::string> states;
  std::optional<int> port;
  std::string by = "state";
  size_t top = 10;
  std::string format = "text";
  double watch = 0;
  double interval = 0;
  std::string source = "auto";
  // Hidden: sockets in use per pass of the process view (CensusOptions::owner_pass_sockets);
  // lets the tests take a small population's process view in several passes.
  std::optional<size_t> owner_pass_sockets;
  NetnsArgs netns;
};

core::Result<platform::CensusOptions> census_options(const SocketsArgs& a, const Globals& g) {
  platform::CensusOptions o;
  o.root = g.root;
  for (const std::string& s : a.states) {
    auto st = core::parse_state(s);
    if (!st)
      return core::make_error("--state", fmt::format("unknown state '{}'", s), 0,
                              "use a name such as established, syn-recv, fin-wait-2, time-wait, close-wait, listen");
    o.state_mask |= 1u << static_cast<unsigned>(*st);
  }
  if (a.port) {
    if (*a.port < 0 || *a.port > 65535) return core::make_error("--port", fmt::format("{} is not a port", *a.port));
    o.port = static_cast<uint16_t>(*a.port);
  }
  o.by_port = a.by == "port";
  o.by_remote = a.by == "remote";
  o.by_process = a.by == "process";
  o.top_n = a.top;
  if (a.owner_pass_sockets) o.owner_pass_sockets = *a.owner_pass_sockets;
  o.source = a.source == "proc" ? platform::CensusSourceChoice::kProcNetTcp
             : a.source == "sock_diag" ? platform::CensusSourceChoice::kSockDiag
                                       : platform::CensusSourceChoice::kAuto;
  return o;
}

// One census (and counter rates when asked); returns the rendered output or an error.
core::Result<std::string> one_pass(const SocketsArgs& a, const platform::CensusOptions& o, const Globals& g) {
  std::optional<core::Counters> counters;
  if (a.interval > 0) {
    auto c = platform::read_counters_with_rates(g.root, static_cast<uint32_t>(a.interval * 1000.0));
    if (!c) return c.error();
    counters = std::move(*c);
  }
  auto c = platform::take_census(o);
  if (!c) return c.error();
  if (a.format == "json") {
    nlohmann::json j = {{"census", core::census_to_json(*c)}};
    if (counters) j["counters"] = core::counters_to_json(*counters);
    return j.dump(2) + "\n";
  }
  std::string out = render_census(*c);
  if (counters) out += render_counter_rates(*counters);
  return out;
}

// The census of each namespace the options name, run inside it: the text outputs under a heading
// per namespace, the JSON documents (each the ordinary `sockets` JSON plus "netns" and "error")
// in {"namespaces":[...]} for --all-netns. A namespace that cannot be read is reported and the
// others still are.
CommandResult run_netns_sockets(const Globals& g, const SocketsArgs& a,
                                const std::function<core::Result<std::string>()>& pass) {
  auto targets = netns_targets(g, a.netns);
  if (!targets) return targets.error();
  nlohmann::json arr = nlohmann::json::array();
  std::string text;
  Outcome outcome = Outcome::kOk;
  for (const auto& t : *targets) {
    auto out = t.is_host ? pass() : platform::run_in_netns(t, pass);
    const std::string title = fmt::format("network namespace {} ({})", t.inode, core::netns_label(t));
    if (!out) {
      outcome = Outcome::kPartFailed;
      print_error(out.error());
    }
    if (a.format == "json") {
      auto j = out ? nlohmann::json::parse(*out, nullptr, false) : nlohmann::json::object();
      j["netns"] = netns_info_json(t);
      j["error"] = out ? nlohmann::json(nullptr) : nlohmann::json(out.error().summary());
      arr.push_back(std::move(j));
    } else if (out) {
      text += (targets->size() > 1 || !t.is_host ? "== " + title + " ==\n" : std::string()) + *out + "\n";
    }
  }
  if (a.format == "json") {
    const nlohmann::json doc = a.netns.all ? nlohmann::json{{"namespaces", std::move(arr)}}
                               : arr.empty() ? nlohmann::json()
                                             : arr.front();
    text = doc.dump(2) + "\n";
  }
  if (auto st = write_output("", text); !st) return st.error();
  return outcome;
}

CommandResult run_sockets(const SocketsArgs& a, const Globals& g) {
  auto o = census_options(a, g);
  if (!o) return core::as_usage(o.error());
  if (a.netns.any()) {
    if (a.watch > 0) return core::as_usage(core::make_error("--watch", "cannot be combined with a namespace option"));
    return run_netns_sockets(g, a, [&] { return one_pass(a, *o, g); });
  }
  for (;;) {
    auto out = one_pass(a, *o, g);
    if (!out) return out.error();
    // --watch redraws in place (cursor home + clear) until interrupted; JSON is one document
    // per refresh so it can be piped.
    const std::string clear = a.watch > 0 && a.format == "text" ? "\x1b[H\x1b[2J" : "";
    if (auto st = write_output("", clear + *out); !st) return st.error();
    if (a.watch <= 0) return Outcome::kOk;
    std::this_thread::sleep_for(std::chrono::duration<double>(a.watch));
  }
}

}  // namespace

void register_sockets(CLI::App& app, Globals& g) {
  auto args = std::make_shared<SocketsArgs>();
  CLI::App* sub = app.add_subcommand("sockets", "Live TCP socket census by state, port, remote or process");
  sub->add_option("--state", args->states, "Only these states (time-wait, TIME_WAIT, tw, close-wait, ...)");
  sub->add_option("--port", args->port, "Only sockets with this local port");
  sub->add_option("--by", args->by, "View: state, port, remote or process")
      ->check(CLI::IsMember({"state", "port", "remote", "process"}));
  sub->add_option("--top", args->top, "Rows in the port, remote and process views")->check(CLI::PositiveNumber);
  sub->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--watch", args->watch, "Refresh every SECONDS until interrupted")->check(CLI::NonNegativeNumber);
  sub->add_option("--interval", args->interval, "Sample counters twice, SECONDS apart, and show rates")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--owner-pass-sockets", args->owner_pass_sockets)->group("");
  sub->add_option("--source", args->source, "Census source (auto falls back to /proc/net/tcp)")
      ->check(CLI::IsMember({"auto", "sock_diag", "proc"}));
  add_netns_options(sub, args->netns);
  sub->footer("Examples:\n  tcptune sockets --state time-wait --by remote\n  tcptune sockets --by process --top 5");
  sub->callback([args, &g]() { g.result = run_sockets(*args, g); });
}

}  // namespace tcptune::cli

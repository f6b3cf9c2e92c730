#include "core/recommend_auto.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace tcptune::core {
namespace {

constexpr uint64_t kMinConnections = 20;     // fewer: not enough to judge a workload
constexpr double kTimeWaitSeconds = 60.0;    // TCP_TIMEWAIT_LEN (include/net/tcp.h)
constexpr double kShortLifetime = 60.0;      // seconds: "short-lived"
constexpr double kLongLifetime = 600.0;      // seconds: "long-lived"
constexpr double kOutboundShare = 0.3;       // of all connections
constexpr double kPortPressure = 0.1;        // one destination holding this share of the range

struct Side {
  uint64_t established = 0;
  uint64_t time_wait = 0;
  uint64_t total = 0;
};

struct Lifetime {
  std::optional<double> seconds;
  std::string basis;
  bool lower_bound = false;  // no open during the sample: only a minimum is known
};

// Little's law: mean lifetime = connections / arrival (or departure) rate. Closes by this side
// are counted by TIME-WAIT, which lasts exactly 60 s; opens by the counters' rate. With no open
// in the sample, the rate is below one per interval, so the lifetime is at least N x interval.
Lifetime lifetime(const Side& s, std::optional<double> opens_per_s, double interval_s) {
  if (s.established == 0) return {};
  if (opens_per_s && *opens_per_s > 0) {
    return {static_cast<double>(s.established) / *opens_per_s,
            fmt::format("{} ESTABLISHED / {:.1f} opens/s", s.established, *opens_per_s), false};
  }
  if (opens_per_s && interval_s > 0) {
    return {static_cast<double>(s.established) * interval_s,
            fmt::format("no new connection in {:.1f} s among {} ESTABLISHED", interval_s, s.established), true};
  }
  if (s.time_wait == 0) return {};
  return {static_cast<double>(s.established) * kTimeWaitSeconds / static_cast<double>(s.time_wait),
          fmt::format("{} ESTABLISHED x 60 s / {} TIME-WAIT (TIME-WAIT lasts 60 s)", s.established, s.time_wait),
          false};
}

std::string seconds_text(const Lifetime& l) {
  const double s = *l.seconds;
  const std::string v = s < 120 ? fmt::format("~{:.0f} s", s) : fmt::format("~{:.0f} min", s / 60);
  return l.lower_bound ? "at least " + v : v;
}

double share(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

struct Analysis {
  Side in, out;
  uint64_t connections = 0;
  Lifetime in_life, out_life;
  double pressure = 0;  // busiest destination's share of the ephemeral range
  bool client = false, short_server = false, long_server = false;
};

Analysis analyse(const WorkloadObservation& o, AutoChoice& c) {
  Analysis a;
  a.connections = o.established + o.time_wait + o.close_wait + o.other;
  std::vector<std::string> listening;
  for (const auto& p : o.ports) {
    if (!p.listening) continue;
    listening.push_back(std::to_string(p.port));
    a.in.established += p.established;
    a.in.time_wait += p.time_wait;
    a.in.total += p.established + p.time_wait + p.other;
  }
  a.out = {o.established - std::min(o.established, a.in.established),
           o.time_wait - std::min(o.time_wait, a.in.time_wait), a.connections - std::min(a.connections, a.in.total)};
  c.evidence.push_back(fmt::format("{} connections: {} ESTABLISHED, {} TIME-WAIT, {} CLOSE-WAIT, {} other; "
                                   "{} listening sockets", a.connections, o.established, o.time_wait,
                                   o.close_wait, o.other, o.listening));
  c.evidence.push_back(fmt::format("inbound (local ports {}): {} ESTABLISHED, {} TIME-WAIT",
                                   listening.empty() ? "none listening" : fmt::format("{}", fmt::join(listening, ", ")),
                                   a.in.established, a.in.time_wait));
  c.evidence.push_back(fmt::format("outbound (other local ports): {} ESTABLISHED, {} TIME-WAIT = {:.0f}% of connections",
                                   a.out.established, a.out.time_wait, 100 * share(a.out.total, a.connections)));
  if (o.active_opens && o.passive_opens) {
    c.evidence.push_back(fmt::format("since boot: {} outbound connects (ActiveOpens), {} accepted (PassiveOpens)",
                                     *o.active_opens, *o.passive_opens));
  }
  if (!o.remotes.empty() && o.ephemeral_ports && *o.ephemeral_ports > 0) {
    const auto& top = *std::max_element(o.remotes.begin(), o.remotes.end(), [](const auto& x, const auto& y) {
      return x.established + x.time_wait < y.established + y.time_wait;
    });
    a.pressure = share(top.established + top.time_wait, *o.ephemeral_ports);
    c.evidence.push_back(fmt::format("busiest destination {}: {} ESTABLISHED + {} TIME-WAIT of {} ephemeral ports ({:.1f}%)",
                                     top.endpoint, top.established, top.time_wait, *o.ephemeral_ports, 100 * a.pressure));
  }
  a.in_life = lifetime(a.in, o.passive_per_s, o.rate_interval_s);
  a.out_life = lifetime(a.out, o.active_per_s, o.rate_interval_s);
  for (const auto* l : {&a.in_life, &a.out_life}) {
    if (!l->seconds) continue;
    c.evidence.push_back(fmt::format("estimated {} connection lifetime: {} ({})", l == &a.in_life ? "inbound" : "outbound",
                                     seconds_text(*l), l->basis));
  }
  if (a.in.established >= kMinConnections && !a.in_life.seconds) {
    c.caveats.push_back("inbound lifetime cannot be estimated: no TIME-WAIT on the listening ports (the peers "
                        "may be closing first) and no counter rates");
  }
  if (o.ports_partial) c.caveats.push_back("only the busiest local ports were listed: a quiet listening port counts as outbound");
  if (o.close_wait > 0) {
    c.caveats.push_back(fmt::format("{} CLOSE-WAIT: the application has not called close() on them; no sysctl fixes "
                                    "that (keepalive does not reap CLOSE-WAIT)", o.close_wait));
  }
  const auto short_life = [](const Lifetime& l) { return l.seconds && !l.lower_bound && *l.seconds <= kShortLifetime; };
  a.client = a.out.total >= kMinConnections && share(a.out.total, a.connections) >= kOutboundShare &&
             (a.out.time_wait >= a.out.established || short_life(a.out_life) || a.pressure >= kPortPressure);
  a.short_server = a.in.total >= kMinConnections && short_life(a.in_life);
  a.long_server = a.in.established >= kMinConnections && a.in_life.seconds && *a.in_life.seconds >= kLongLifetime;
  return a;
}

}  // namespace

AutoChoice recommend_auto(const WorkloadObservation& obs) {
  AutoChoice c;
  const Analysis a = analyse(obs, c);
  if (a.connections < kMinConnections) {
    c.why.push_back(fmt::format("nothing fits: {} connections are too few to tell a workload (at least {} needed)",
                                a.connections, kMinConnections));
    return c;
  }
  const std::string client_why = fmt::format(
      "outbound connections are {:.0f}% of all (TIME-WAIT {}, ESTABLISHED {}){}",
      100 * share(a.out.total, a.connections), a.out.time_wait, a.out.established,
      a.pressure >= kPortPressure ? ", and one destination holds a large share of the ephemeral ports" : "");
  if (a.client && a.long_server) {
    c.why.push_back("nothing fits: long-lived inbound connections and short outbound ones; no shipped profile "
                    "covers both (write one with include = [\"chat-long\", \"http-client\"])");
  } else if (a.client && a.short_server) {
    c.profile = "reverse-proxy";
    c.why.push_back("short-lived inbound connections on listening ports and " + client_why);
  } else if (a.client) {
    c.profile = "http-client";
    c.why.push_back(client_why);
  } else if (a.short_server) {
    c.profile = "http-short";
    c.why.push_back(fmt::format("inbound connections on listening ports live {}", seconds_text(a.in_life)));
  } else if (a.long_server) {
    c.profile = "chat-long";
    c.why.push_back(fmt::format("{} inbound connections stay open {}", a.in.established, seconds_text(a.in_life)));
  } else {
    c.why.push_back("nothing fits: the connections are neither clearly short-lived nor long-lived, nor mostly outbound");
  }
  return c;
}

WorkloadObservation observe(const Census& c, const std::optional<Counters>& counters) {
  WorkloadObservation o;
  using S = TcpState;
  o.established = c.states[S::kEstablished];
  o.time_wait = c.states[S::kTimeWait];
  o.close_wait = c.states[S::kCloseWait];
  o.listening = c.states[S::kListen];
  for (S s : {S::kSynSent, S::kSynRecv, S::kFinWait1, S::kFinWait2, S::kLastAck, S::kClosing}) o.other += c.states[s];
  if (c.ports) {
    for (const PortCounts& p : *c.ports) {
      uint64_t other = 0;
      for (S s : {S::kSynSent, S::kSynRecv, S::kFinWait1, S::kFinWait2, S::kCloseWait, S::kLastAck, S::kClosing})
        other += p.states[s];
      o.ports.push_back({p.port, p.states[S::kListen] > 0, p.states[S::kEstablished], p.states[S::kTimeWait], other});
    }
    o.ports_partial = c.distinct_ports > c.ports->size();
  }
  if (c.remotes) {
    for (const RemoteCounts& r : *c.remotes) {
      const bool v6 = r.address.find(':') != std::string::npos;
      o.remotes.push_back({v6 ? fmt::format("[{}]:{}", r.address, r.port) : fmt::format("{}:{}", r.address, r.port),
                           r.established, r.time_wait});
    }
  }
  if (c.ephemeral_range) o.ephemeral_ports = c.ephemeral_range->size();
  if (counters) {
    const auto& v = counters->current.values;
    if (auto a = v.find("TcpActiveOpens"); a != v.end()) o.active_opens = a->second;
    if (auto p = v.find("TcpPassiveOpens"); p != v.end()) o.passive_opens = p->second;
    const auto rates = counter_rates(*counters);
    if (auto a = rates.find("TcpActiveOpens"); a != rates.end()) o.active_per_s = a->second;
    if (auto p = rates.find("TcpPassiveOpens"); p != rates.end()) o.passive_per_s = p->second;
    if (counters->earlier && counters->current.monotonic_ms > counters->earlier->monotonic_ms) {
      o.rate_interval_s = static_cast<double>(counters->current.monotonic_ms - counters->earlier->monotonic_ms) / 1000.0;
    }
  }
  return o;
}

}  // namespace tcptune::core

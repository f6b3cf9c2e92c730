// `recommend --auto`: which shipped profile fits the observed workload, and why. The decision
// works on a WorkloadObservation (what the socket census and the TCP counters say, reduced to
// what matters here), so it can be tested on plain numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/census.h"

namespace tcptune::core {

struct PortObservation {
  uint16_t port = 0;
  bool listening = false;  // a LISTEN socket on this local port: its connections are inbound
  uint64_t established = 0;
  uint64_t time_wait = 0;
  uint64_t other = 0;  // every other connected state (CLOSE-WAIT, FIN-WAIT-*, SYN-*, ...)
  bool operator==(const PortObservation&) const = default;
};

struct RemoteObservation {
  std::string endpoint;  // "203.0.113.7:443"
  uint64_t established = 0;
  uint64_t time_wait = 0;
  bool operator==(const RemoteObservation&) const = default;
};

struct WorkloadObservation {
  // Totals over every TCP socket of the namespace.
  uint64_t established = 0;
  uint64_t time_wait = 0;
  uint64_t close_wait = 0;
  uint64_t other = 0;       // other connected states (not LISTEN, not unconnected)
  uint64_t listening = 0;   // LISTEN sockets
  std::vector<PortObservation> ports;  // busiest local ports; every listening port when known
  bool ports_partial = false;          // some local ports were not listed (top N only)
  std::vector<RemoteObservation> remotes;  // busiest outbound destinations (ephemeral ports)
  std::optional<uint32_t> ephemeral_ports;  // size of ip_local_port_range
  std::optional<int64_t> active_opens;      // Tcp ActiveOpens since boot (outbound connects)
  std::optional<int64_t> passive_opens;     // Tcp PassiveOpens since boot (accepted)
  std::optional<double> active_per_s;       // the same as rates, when two samples were taken
  std::optional<double> passive_per_s;
  double rate_interval_s = 0;               // seconds between the two samples
  bool operator==(const WorkloadObservation&) const = default;
};

struct AutoChoice {
  std::optional<std::string> profile;  // nullopt: nothing fits
  std::vector<std::string> why;        // the decision, in words
  std::vector<std::string> evidence;   // what was observed, with numbers
  std::vector<std::string> caveats;    // what could not be estimated, and advice no sysctl gives
};

// Inbound = connections on a listening local port; outbound = the rest. Lifetimes are estimated
// with Little's law: from TIME-WAIT (each active close holds one for exactly 60 s,
// TCP_TIMEWAIT_LEN in include/net/tcp.h) and from open rates when two counter samples
// exist. Short inbound -> http-short; many short outbound or ephemeral-port pressure ->
// http-client; both -> reverse-proxy; long-lived inbound -> chat-long. Too few connections, or
// a mix no shipped profile covers, -> nothing fits (and says so).
AutoChoice recommend_auto(const WorkloadObservation& obs);

// Reduces a census (by port and by remote, when taken) and the counters (ActiveOpens and
// PassiveOpens, with rates when two samples exist) to an observation.
WorkloadObservation observe(const Census& census, const std::optional<Counters>& counters);

}  // namespace tcptune::core

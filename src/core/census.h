// Socket-state census and kernel counters: the evidence half of every audit.
// A Census is an aggregate (never per-socket records, except the owners view asked for with
// --by process); Counters are one or two samples of /proc/net/{sockstat,netstat,snmp}.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcptune::core {

// Kernel TCP state numbers as reported by sock_diag and /proc/net/tcp (include/net/tcp_states.h). Request sockets are reported as kSynRecv; 12/13 never appear in a dump.
enum class TcpState : uint8_t {
  kUnknown = 0,  // slot for any value the kernel reports that is not 1..11
  kEstablished = 1,
  kSynSent = 2,
  kSynRecv = 3,
  kFinWait1 = 4,
  kFinWait2 = 5,
  kTimeWait = 6,
  kClose = 7,
  kCloseWait = 8,
  kLastAck = 9,
  kListen = 10,
  kClosing = 11,
};
inline constexpr size_t kStateSlots = 12;  // index = kernel value, 0 = unknown

// Canonical display name ("ESTABLISHED", "TIME-WAIT", ..., "unknown").
std::string_view state_name(TcpState s);
// Parses the forms people type: "time-wait", "TIME_WAIT", "timewait", "tw", "estab", "listening",
// "syn-recv", "close_wait", "cw", ... Case-insensitive. nullopt when not a state.
std::optional<TcpState> parse_state(std::string_view text);
// The slot a raw kernel state value is counted in (values outside 1..11 -> kUnknown).
inline size_t state_slot(uint8_t raw) { return raw >= 1 && raw <= 11 ? raw : 0; }

struct StateCounts {
  std::array<uint64_t, kStateSlots> n{};
  uint64_t& operator[](TcpState s) { return n[static_cast<size_t>(s)]; }
  uint64_t operator[](TcpState s) const { return n[static_cast<size_t>(s)]; }
  uint64_t total() const;
  bool operator==(const StateCounts&) const = default;
};

// Where the census came from (DESIGN.md: nothing degrades silently).
enum class CensusSource : uint8_t { kSockDiag, kProcNetTcp };
std::string_view source_name(CensusSource s);  // "sock_diag" / "proc_net_tcp"

struct PortCounts {
  uint16_t port = 0;  // local port
  StateCounts states;
  // ESTABLISHED sockets on the port by the timer sock_diag reports (Census::timers_counted):
  // keepalive = timer 2, the keepalive timer armed (the socket has SO_KEEPALIVE); no_timer =
  // timer 0, idle with no timer at all (no SO_KEEPALIVE). The rest show the retransmission or
  // zero-window-probe timer, which hides whether keepalive is on (inet_sk_diag_fill()).
  uint64_t keepalive = 0;
  uint64_t no_timer = 0;
  bool operator==(const PortCounts&) const = default;
};

// Outbound connections grouped by remote endpoint: only sockets whose local port lies in
// ip_local_port_range (the ones that consume ephemeral ports) are counted here.
struct RemoteCounts {
  std::string address;  // "127.0.0.1", "::1"
  uint16_t port = 0;
  uint64_t established = 0;
  uint64_t time_wait = 0;
  uint64_t syn_sent = 0;  // connect() in progress: SYN sent, no SYN-ACK yet
  bool operator==(const RemoteCounts&) const = default;
};

// Sockets owned by one process (found through /proc/<pid>/fd, as `ss -p` does).
struct ProcessSockets {
  int32_t pid = 0;
  std::string command;
  StateCounts states;
  bool operator==(const ProcessSockets&) const = default;
};

// Listening sockets grouped by local port (several with SO_REUSEPORT or one per family).
// From sock_diag: queued = accept-queue length, backlog = its limit, min(listen() backlog,
// somaxconn at listen() time) (__sys_listen() in net/socket.c). /proc/net/tcp has no limit:
// backlog is 0 there (unknown).
struct ListenerCounts {
  uint16_t port = 0;
  uint32_t sockets = 0;
  uint64_t queued = 0;   // sum over the port's listeners
  uint64_t backlog = 0;  // sum over the port's listeners; 0 = unknown
  bool operator==(const ListenerCounts&) const = default;
};

// Sockets of one state on one local port held by one process (the process view joined with
// the local port; used to name the owner of CLOSE-WAIT sockets).
struct PortOwner {
  uint16_t port = 0;
  int32_t pid = 0;
  std::string command;
  uint64_t sockets = 0;
  bool operator==(const PortOwner&) const = default;
};

struct PortRange {
  uint16_t low = 0;
  uint16_t high = 0;
  uint32_t size() const { return high >= low ? uint32_t{high} - low + 1u : 0u; }
  bool contains(uint16_t p) const { return p >= low && p <= high; }
  bool operator==(const PortRange&) const = default;
};

struct Census {
  CensusSource source = CensusSource::kSockDiag;
  std::string method;          // how the counts were obtained, in words
  StateCounts states;          // totals by state (IPv4 + IPv6)
  uint64_t ipv4 = 0;           // sockets seen per family in the dump (derived counts excluded)
  uint64_t ipv6 = 0;
  bool time_wait_derived = false;  // TIME-WAIT = sockstat tw - FIN-WAIT-2 minisocks
  uint32_t state_filter = 0;   // bitmask of requested states (1 << value); 0 = all
  std::optional<uint16_t> port_filter;
  std::optional<std::vector<PortCounts>> ports;  // top N local ports by total, when asked
  uint64_t distinct_ports = 0;
  std::optional<std::vector<RemoteCounts>> remotes;  // top N remotes, when asked
  uint64_t distinct_remotes = 0;
  bool remotes_capped = false;  // more distinct remotes than the tracking cap: view partial
  std::optional<PortRange> ephemeral_range;  // ip_local_port_range when known
  std::optional<std::vector<ProcessSockets>> processes;  // when asked (--by process)
  uint64_t sockets_without_owner = 0;  // in the process view: minisocks, request socks, others
  std::optional<std::vector<PortOwner>> close_wait_owners;  // with the process view: CLOSE-WAIT by port and owner
  std::optional<std::vector<PortOwner>> established_owners;  // with the process view: ESTABLISHED by port and owner
  // The owner lists name the owners of at most this many ports per state (the ports with the
  // most sockets in it); 0 = every port with such sockets is in the lists.
  uint32_t owners_port_limit = 0;
  // The keepalive view: ESTABLISHED sockets with the keepalive timer armed (idiag_timer 2) and
  // with no timer (0), in total and per port (PortCounts). False in snapshots written before it
  // existed: then the counts are unknown, not zero.
  bool timers_counted = false;
  uint64_t established_keepalive = 0;
  uint64_t established_no_timer = 0;
  std::optional<std::vector<ListenerCounts>> listeners;  // with the per-port view: every listening port
  // FIN-WAIT-2 sockets no application holds: timewait minisocks (timer 3) and orphaned full
  // sockets (no inode), both bounded by tcp_fin_timeout; the rest were half-closed with
  // shutdown() by a process that still holds them, and no timeout applies (tcp_fin_time(),
  // tcp_keepalive_timer() in net/ipv4/tcp_timer.c; tests/kernel/resets_test.cc).
  uint64_t fin_wait2_orphaned = 0;
  std::vector<std::string> notes;      // partial data, fallbacks and why

  bool operator==(const Census&) const = default;
};

// /proc/net/sockstat "TCP:" line (net/ipv4/proc.c sockstat_seq_show(): inuse and tw are per netns; orphan, alloc
// and mem are host-global; tw includes orphaned FIN-WAIT-2 minisocks).
struct SockStat {
  int64_t inuse = 0;
  int64_t orphan = 0;
  int64_t tw = 0;
  int64_t alloc = 0;
  int64_t mem = 0;  // pages
  bool operator==(const SockStat&) const = default;
};

// One reading of the counters. Keys are nstat-style: file prefix + header name
// ("TcpExtListenOverflows", "TcpCurrEstab", "IpExtInOctets").
struct CounterSample {
  uint64_t monotonic_ms = 0;  // when it was taken (CLOCK_MONOTONIC), to compute rates
  std::optional<SockStat> sockstat;
  std::map<std::string, int64_t> values;
  bool operator==(const CounterSample&) const = default;
};

struct Counters {
  CounterSample current;
  std::optional<CounterSample> earlier;  // present when --interval asked for rates
  std::vector<std::string> notes;        // files that could not be read, and why
  bool operator==(const Counters&) const = default;
};

// Per-second rates of the counters present in both samples (current - earlier) / seconds.
// Empty when there is no earlier sample or the samples are not ordered in time.
std::map<std::string, double> counter_rates(const Counters& c);

}  // namespace tcptune::core

// Streaming aggregation of decoded sockets into a Census. Memory is bounded independently of the
// number of sockets: a per-port table (at most 65536 rows), a remote table capped at
// max_remotes entries; only the process view keeps 4 bytes per socket with an inode
// (core/census_owners.h), and its caller splits that into passes past a budget.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/census.h"
#include "core/census_owners.h"
#include "core/remote_table.h"
#include "core/inet_diag_decode.h"

namespace tcptune::core {

struct AggregateOptions {
  uint32_t state_mask = 0;          // count only these states (1 << value); 0 = all
  std::optional<uint16_t> port;     // count only sockets with this local port
  bool by_port = false;             // build the per-port view
  bool by_remote = false;           // build the per-remote view (needs ephemeral_range)
  std::optional<PortRange> ephemeral_range;
  bool collect_inodes = false;      // keep the sockets with an inode for the process view
  size_t top_n = 10;
  size_t max_remotes = 65536;
};

// Formats a network-order address of the given family ("10.0.0.1", "2001:db8::1").
std::string format_address(uint8_t family, const std::array<uint8_t, 16>& addr);

struct InodeOwner {
  int32_t pid = 0;
  std::string command;
};

class CensusAggregator {
 public:
  explicit CensusAggregator(AggregateOptions opts);
  // Counts one socket given as decoded fields (the /proc/net/tcp fallback, tests).
  void on_socket(const DiagSocket& s);
  // Decodes one dump datagram (decode_inet_diag) and counts its sockets, reading each one's
  // fields in place (DiagWireView); what the netlink reader calls. Counts exactly what
  // on_socket of each decoded DiagSocket would.
  Result<DecodeStep> consume(std::span<const uint8_t> datagram, uint16_t msg_type);

  // Orphaned FIN-WAIT-2 timewait minisocks seen (state 5 with the timewait timer), before any
  // filter; they are counted in /proc/net/sockstat "tw" together with TIME-WAIT.
  uint64_t fin_wait2_minisocks() const { return fw2_minisocks_; }
  // CLOSE-WAIT sockets seen, before any filter: Tcp CurrEstab counts them with ESTABLISHED.
  uint64_t close_wait_seen() const { return close_wait_seen_; }
  // The sockets kept for the process view (collect_inodes); null otherwise.
  SocketOwnerIndex* owner_index() { return owners_.get(); }
  const SocketOwnerIndex* owner_index() const { return owners_.get(); }
  // The ports whose owners the process view names (SocketOwnerIndex::seal): the `keep` busiest
  // of CLOSE-WAIT and of ESTABLISHED by this census's per-port counts, i.e. the ports the port
  // view shows. Empty without by_port or collect_inodes.
  OwnerPorts owner_ports(size_t keep) const;
  // Hands the process view's index over, so that the aggregator (its per-port tables and
  // remote map) can be freed before the index is sealed and /proc/*/fd walked.
  std::unique_ptr<SocketOwnerIndex> take_owner_index() { return std::move(owners_); }
  // Hands an index in (a later pass of a partitioned process view): the sockets that pass the
  // filters are added to it.
  void adopt_owner_index(std::unique_ptr<SocketOwnerIndex> index) { owners_ = std::move(index); }
  const AggregateOptions& options() const { return opts_; }

  // Builds the census (top-N views sorted by count, descending, ties by key ascending).
  Census finish(CensusSource source, std::string method) const;

 private:
  struct Direct;  // the sink consume() hands to the decode loop: count() inlined, no vtable
  // The per-socket work, on a DiagSocket (on_socket) or a DiagWireView (consume): one body,
  // instantiated for both, so the two inputs cannot count differently.
  template <class View>
  void count(const View& v);
  template <class View>
  void count_remote(const View& v);
  void count_listener(uint16_t port, uint32_t rqueue, uint32_t wqueue);
  // Per-port counters, one column of 65536 bytes (one per port number) per state, then
  // ESTABLISHED with the keepalive timer armed and with no timer. A byte that wraps carries 256
  // into wraps_, so only ports with 256+ sockets in one column use the map. Column-major: the
  // pages of a state no socket is in are never touched, so a census costs one byte per port in
  // use per state present (5-7 states at most on a busy host), not 14.
  static constexpr size_t kKeepaliveColumn = kStateSlots;
  static constexpr size_t kNoTimerColumn = kStateSlots + 1;
  static constexpr size_t kPortColumns = kStateSlots + 2;
  void bump_port(uint16_t port, size_t column);
  uint32_t port_value(uint16_t port, size_t column) const;
  // 32-bit sums: one port cannot hold 2^32 sockets (each costs kernel memory).
  uint32_t port_sum(uint16_t port, const size_t* columns, size_t n) const;
  bool column_used(size_t column) const;

  AggregateOptions opts_;
  StateCounts states_;
  uint64_t ipv4_ = 0;
  uint64_t ipv6_ = 0;
  uint64_t fw2_minisocks_ = 0;
  uint64_t close_wait_seen_ = 0;
  uint64_t fw2_orphaned_ = 0;  // after the filters, like the state counts
  uint64_t est_keepalive_ = 0;  // ESTABLISHED with idiag_timer 2 (keepalive armed)
  uint64_t est_no_timer_ = 0;   // ESTABLISHED with idiag_timer 0
  std::vector<ListenerCounts> listener_rows_;  // in first-seen order
  NamedPorts busiest_ports(size_t column, size_t keep) const;  // owner_ports() of one state
  // Per-port tables, allocated only with by_port or collect_inodes (the owner lists name the
  // busiest ports'), one slot per port number. calloc'ed: the
  // allocator hands large blocks over as fresh zero pages, so nothing is cleared up front and
  // only the pages of ports actually seen become resident.
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  template <class T>
  using Zeroed = std::unique_ptr<T[], Free>;
  template <class T>
  static Zeroed<T> zeroed(size_t n) { return Zeroed<T>(static_cast<T*>(std::calloc(n, sizeof(T)))); }
  Zeroed<uint32_t> listener_index_;  // port -> 1 + row in listener_rows_, 0 = unseen
  Zeroed<uint8_t> port_cols_;        // [column * 65536 + port]
  Zeroed<uint64_t> wrapped_ports_;   // 65536 bits: ports with an entry in wraps_
  Zeroed<uint64_t> seen_ports_;      // 65536 bits: ports with at least one socket
  std::unordered_map<uint32_t, uint32_t> wraps_;  // port << 4 | column -> times the byte wrapped
  RemoteTable remotes_;
  bool remotes_capped_ = false;
  std::unique_ptr<SocketOwnerIndex> owners_;
};

}  // namespace tcptune::core

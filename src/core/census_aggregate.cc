#include "core/census_aggregate.h"

#include <algorithm>
#include <map>
#include <new>

#include <fmt/format.h>

#include "core/inet_diag_decode.h"

namespace tcptune::core {

namespace {

constexpr uint8_t kTimewaitTimer = 3;  // idiag_timer for timewait minisocks (inet_twsk_diag_fill)
// idiag_timer of a full socket whose sk_timer is pending and no retransmission or probe timer
// is (net/ipv4/inet_diag.c inet_sk_diag_fill()); in ESTABLISHED only SO_KEEPALIVE arms sk_timer.
constexpr uint8_t kKeepaliveTimer = 2;

std::string format_ipv6(const std::array<uint8_t, 16>& a) {
  uint16_t w[8];
  for (size_t i = 0; i < 8; ++i) w[i] = static_cast<uint16_t>((a[2 * i] << 8) | a[2 * i + 1]);
  // IPv4-mapped addresses read better in their dotted form (RFC 5952 section 5).
  if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0xffff)
    return fmt::format("::ffff:{}.{}.{}.{}", a[12], a[13], a[14], a[15]);
  // RFC 5952: compress the longest run (>= 2) of zero words, the first one on a tie.
  size_t best = 8, best_len = 0;
  for (size_t i = 0; i < 8;) {
    size_t j = i;
    while (j < 8 && w[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  std::string out;
  for (size_t i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += fmt::format("{:x}", w[i]);
  }
  return out;
}

}  // namespace

std::string format_address(uint8_t family, const std::array<uint8_t, 16>& addr) {
  if (family == kAfInet) return fmt::format("{}.{}.{}.{}", addr[0], addr[1], addr[2], addr[3]);
  return format_ipv6(addr);
}

size_t CensusAggregator::RemoteHash::operator()(const RemoteKey& k) const {
  // FNV-1a over the key bytes: cheap and good enough for a bounded table.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  for (uint8_t b : k.addr) mix(b);
  mix(static_cast<uint8_t>(k.port >> 8));
  mix(static_cast<uint8_t>(k.port));
  mix(k.family);
  return static_cast<size_t>(h);
}

CensusAggregator::CensusAggregator(AggregateOptions opts) : opts_(std::move(opts)) {
  if (opts_.by_port) {
    listener_index_ = zeroed<uint32_t>(65536);
    port_index_ = zeroed<uint32_t>(65536);
    port_rows_ = zeroed<PortRow>(65536);
    port_of_row_ = zeroed<uint16_t>(65536);
    port_timers_ = zeroed<TimerRow>(65536);
    if (!listener_index_ || !port_index_ || !port_rows_ || !port_of_row_ || !port_timers_) throw std::bad_alloc();
  }
}

namespace {

// DiagSocket with the accessors of DiagWireView, so count() has one body for both.
struct SocketFields {
  const DiagSocket& s;
  uint8_t family() const { return s.family; }
  uint8_t state() const { return s.state; }
  uint8_t timer() const { return s.timer; }
  uint16_t sport() const { return s.sport; }
  uint32_t inode() const { return s.inode; }
  uint32_t rqueue() const { return s.rqueue; }
  uint32_t wqueue() const { return s.wqueue; }
  const DiagSocket& socket() const { return s; }
};

}  // namespace

// Inlined into the decode loop (consume) and into on_socket: per-socket work only.
template <class View>
[[gnu::always_inline]] inline void CensusAggregator::count(const View& v) {
  const uint8_t state = v.state();
  // Minisocks are counted before any filter: the TIME-WAIT derivation needs all of them.
  if (state == static_cast<uint8_t>(TcpState::kFinWait2) && v.timer() == kTimewaitTimer)
    ++fw2_minisocks_;
  close_wait_seen_ += state == static_cast<uint8_t>(TcpState::kCloseWait);
  if (opts_.state_mask != 0 && (state >= 32 || !(opts_.state_mask & (1u << state)))) return;
  const uint16_t sport = v.sport();
  if (opts_.port && sport != *opts_.port) return;
  const size_t slot = state_slot(state);
  ++states_.n[slot];
  if (slot == static_cast<size_t>(TcpState::kFinWait2) && (v.timer() == kTimewaitTimer || v.inode() == 0))
    ++fw2_orphaned_;
  // The keepalive view: which ESTABLISHED sockets a tcp_keepalive_* value can reach.
  const bool estab = slot == static_cast<size_t>(TcpState::kEstablished);
  const uint8_t timer = estab ? v.timer() : uint8_t{1};
  if (estab) {
    est_keepalive_ += timer == kKeepaliveTimer;
    est_no_timer_ += timer == 0;
  }
  const uint8_t family = v.family();
  if (family == kAfInet) ++ipv4_;
  else if (family == kAfInet6) ++ipv6_;
  if (opts_.by_port) {
    if (slot == static_cast<size_t>(TcpState::kListen)) count_listener(sport, v.rqueue(), v.wqueue());
    uint32_t idx = port_index_[sport];
    if (idx == 0) {  // a port's first socket: rows are zero already
      port_of_row_[n_port_rows_] = sport;
      idx = port_index_[sport] = ++n_port_rows_;
    }
    ++port_rows_[idx - 1][slot];
    if (estab && timer == kKeepaliveTimer) ++port_timers_[idx - 1][0];
    else if (estab && timer == 0) ++port_timers_[idx - 1][1];
  }
  if (opts_.by_remote) count_remote(v.socket());
  if (opts_.collect_inodes) inodes_.push_back(SocketInode{v.inode(), state, sport});
}

void CensusAggregator::on_socket(const DiagSocket& s) { count(SocketFields{s}); }

struct CensusAggregator::Direct {
  CensusAggregator& agg;
  void on_wire(const DiagWireView& v) { agg.count(v); }
};

Result<DecodeStep> CensusAggregator::consume(std::span<const uint8_t> datagram, uint16_t msg_type) {
  Direct direct{*this};
  return decode_inet_diag(datagram, msg_type, direct);
}

void CensusAggregator::count_listener(uint16_t port, uint32_t rqueue, uint32_t wqueue) {
  uint32_t& idx = listener_index_[port];
  if (idx == 0) {
    listener_rows_.push_back(ListenerCounts{port, 0, 0, 0});
    idx = static_cast<uint32_t>(listener_rows_.size());
  }
  ListenerCounts& row = listener_rows_[idx - 1];
  ++row.sockets;
  row.queued += rqueue;
  row.backlog += wqueue;
}

void CensusAggregator::count_remote(const DiagSocket& s) {
  const bool estab = s.state == static_cast<uint8_t>(TcpState::kEstablished);
  const bool tw = s.state == static_cast<uint8_t>(TcpState::kTimeWait);
  const bool syn_sent = s.state == static_cast<uint8_t>(TcpState::kSynSent);
  if (!(estab || tw || syn_sent) || !opts_.ephemeral_range || !opts_.ephemeral_range->contains(s.sport)) return;
  RemoteKey key{s.dst, s.dport, s.family};
  if (s.family == kAfInet) std::fill(key.addr.begin() + 4, key.addr.end(), uint8_t{0});
  auto it = remotes_.find(key);
  if (it == remotes_.end()) {
    // Past the cap new remotes are not tracked (and the view says so) to keep memory bounded.
    if (remotes_.size() >= opts_.max_remotes) {
      remotes_capped_ = true;
      return;
    }
    it = remotes_.emplace(key, RemoteTally{}).first;
  }
  if (estab) ++it->second.established;
  else if (tw) ++it->second.time_wait;
  else ++it->second.syn_sent;
}

Census CensusAggregator::finish(CensusSource source, std::string method) const {
  Census c;
  c.source = source;
  c.method = std::move(method);
  c.states = states_;
  c.ipv4 = ipv4_;
  c.ipv6 = ipv6_;
  c.state_filter = opts_.state_mask;
  c.port_filter = opts_.port;
  c.ephemeral_range = opts_.ephemeral_range;
  c.fin_wait2_orphaned = fw2_orphaned_;
  c.timers_counted = true;
  c.established_keepalive = est_keepalive_;
  c.established_no_timer = est_no_timer_;
  if (opts_.by_port) {
    std::vector<ListenerCounts> ls = listener_rows_;
    std::sort(ls.begin(), ls.end(), [](const auto& a, const auto& b) { return a.port < b.port; });
    c.listeners = std::move(ls);
    // Rank (total, port) pairs and materialise only the top N rows: the table can hold tens of
    // thousands of ephemeral ports and sorting full rows dominated the user-space cost.
    std::vector<std::pair<uint64_t, uint16_t>> rank;
    rank.reserve(n_port_rows_);
    for (size_t r = 0; r < n_port_rows_; ++r) {
      // 32-bit sums: one port cannot hold 2^32 sockets (each costs kernel memory), and the
      // narrow sum is a third of the instructions of a widening one.
      uint32_t t = 0;
      for (uint32_t v : port_rows_[r]) t += v;
      rank.emplace_back(t, port_of_row_[r]);
    }
    const size_t keep = std::min(opts_.top_n, rank.size());
    std::partial_sort(rank.begin(), rank.begin() + static_cast<std::ptrdiff_t>(keep), rank.end(),
                      [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    std::vector<PortCounts> ports(keep);
    for (size_t i = 0; i < keep; ++i) {
      ports[i].port = rank[i].second;
      const PortRow& row = port_rows_[port_index_[rank[i].second] - 1];
      for (size_t k = 0; k < kStateSlots; ++k) ports[i].states.n[k] = row[k];
      const TimerRow& timers = port_timers_[port_index_[rank[i].second] - 1];
      ports[i].keepalive = timers[0];
      ports[i].no_timer = timers[1];
    }
    c.distinct_ports = rank.size();
    c.ports = std::move(ports);
  }
  if (opts_.by_remote) {
    std::vector<RemoteCounts> rs;
    rs.reserve(remotes_.size());
    for (const auto& [k, v] : remotes_)
      rs.push_back(RemoteCounts{format_address(k.family, k.addr), k.port, v.established, v.time_wait, v.syn_sent});
    c.distinct_remotes = rs.size();
    c.remotes_capped = remotes_capped_;
    std::sort(rs.begin(), rs.end(), [](const RemoteCounts& a, const RemoteCounts& b) {
      const uint64_t ta = a.established + a.time_wait + a.syn_sent, tb = b.established + b.time_wait + b.syn_sent;
      if (ta != tb) return ta > tb;
      if (a.address != b.address) return a.address < b.address;
      return a.port < b.port;
    });
    if (rs.size() > opts_.top_n) rs.resize(opts_.top_n);
    c.remotes = std::move(rs);
  }
  return c;
}

std::vector<PortOwner> attribute_port_owners(const std::vector<SocketInode>& inodes,
                                             const std::unordered_map<uint32_t, InodeOwner>& owners,
                                             TcpState state) {
  std::map<std::pair<uint16_t, int32_t>, PortOwner> by_key;
  for (const SocketInode& si : inodes) {
    if (state_slot(si.state) != static_cast<size_t>(state) || si.inode == 0) continue;
    auto it = owners.find(si.inode);
    if (it == owners.end()) continue;
    PortOwner& po = by_key[{si.port, it->second.pid}];
    po.port = si.port;
    po.pid = it->second.pid;
    po.command = it->second.command;
    ++po.sockets;
  }
  std::vector<PortOwner> out;
  for (auto& [k, po] : by_key) out.push_back(std::move(po));
  std::stable_sort(out.begin(), out.end(), [](const PortOwner& a, const PortOwner& b) { return a.sockets > b.sockets; });
  return out;
}

std::vector<ProcessSockets> attribute_owners(const std::vector<SocketInode>& inodes,
                                             const std::unordered_map<uint32_t, InodeOwner>& owners,
                                             uint64_t* without_owner) {
  std::map<int32_t, ProcessSockets> by_pid;
  uint64_t orphans = 0;
  for (const SocketInode& si : inodes) {
    auto it = si.inode == 0 ? owners.end() : owners.find(si.inode);
    if (it == owners.end()) {
      ++orphans;
      continue;
    }
    ProcessSockets& ps = by_pid[it->second.pid];
    ps.pid = it->second.pid;
    ps.command = it->second.command;
    ++ps.states.n[state_slot(si.state)];
  }
  if (without_owner) *without_owner = orphans;
  std::vector<ProcessSockets> out;
  for (auto& [pid, ps] : by_pid) out.push_back(std::move(ps));
  std::stable_sort(out.begin(), out.end(), [](const ProcessSockets& a, const ProcessSockets& b) {
    return a.states.total() > b.states.total();
  });
  return out;
}

}  // namespace tcptune::core

#include "core/census_aggregate.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <new>

#include <fmt/format.h>

#include "core/inet_diag_decode.h"
#include "core/port_rank.h"

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

CensusAggregator::CensusAggregator(AggregateOptions opts) : opts_(std::move(opts)) {
  if (opts_.collect_inodes) owners_ = std::make_unique<SocketOwnerIndex>();
  if (opts_.by_port || opts_.collect_inodes) {
    listener_index_ = zeroed<uint32_t>(65536);
    port_cols_ = zeroed<uint8_t>(kPortColumns * 65536);
    wrapped_ports_ = zeroed<uint64_t>(65536 / 64);
    seen_ports_ = zeroed<uint64_t>(65536 / 64);
    if (!listener_index_ || !port_cols_ || !wrapped_ports_ || !seen_ports_) throw std::bad_alloc();
  }
}

// Adds one to a per-port byte counter; a wrap to 0 is carried into wraps_ (256 per entry).
void CensusAggregator::bump_port(uint16_t port, size_t column) {
  if (++port_cols_[column * 65536 + port] != 0) [[likely]]
    return;
  ++wraps_[(uint32_t{port} << 4) | static_cast<uint32_t>(column)];
  wrapped_ports_[port / 64] |= uint64_t{1} << (port % 64);
}

uint32_t CensusAggregator::port_value(uint16_t port, size_t column) const {
  uint32_t v = port_cols_[column * 65536 + port];
  if ((wrapped_ports_[port / 64] >> (port % 64)) & 1u) {
    auto it = wraps_.find((uint32_t{port} << 4) | static_cast<uint32_t>(column));
    if (it != wraps_.end()) v += it->second * 256u;
  }
  return v;
}

// The ranking's inner loop (every port seen, every column in use): bytes straight from the
// columns, unless one of the port's bytes ever wrapped (then port_value() adds the carries).
uint32_t CensusAggregator::port_sum(uint16_t port, const size_t* columns, size_t n) const {
  uint32_t t = 0;
  if ((wrapped_ports_[port / 64] >> (port % 64)) & 1u) [[unlikely]] {
    for (size_t i = 0; i < n; ++i) t += port_value(port, columns[i]);
    return t;
  }
  const uint8_t* at = port_cols_.get() + port;
  for (size_t i = 0; i < n; ++i) t += at[columns[i] * 65536];
  return t;
}

// A column is bumped once for every socket its total counts (count() below), so the totals say
// which columns hold anything; the others are never read, and their pages never touched.
bool CensusAggregator::column_used(size_t column) const {
  if (column == kKeepaliveColumn) return est_keepalive_ != 0;
  if (column == kNoTimerColumn) return est_no_timer_ != 0;
  return states_.n[column] != 0;
}

namespace {

// DiagSocket with the accessors of DiagWireView, so count() has one body for both.
struct SocketFields {
  const DiagSocket& s;
  uint8_t family() const { return s.family; }
  uint8_t state() const { return s.state; }
  uint8_t timer() const { return s.timer; }
  uint16_t sport() const { return s.sport; }
  uint16_t dport() const { return s.dport; }
  uint32_t inode() const { return s.inode; }
  uint32_t rqueue() const { return s.rqueue; }
  uint32_t wqueue() const { return s.wqueue; }
  const uint8_t* dst() const { return s.dst.data(); }
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
  if (port_cols_) {
    if (slot == static_cast<size_t>(TcpState::kListen)) count_listener(sport, v.rqueue(), v.wqueue());
    seen_ports_[sport / 64] |= uint64_t{1} << (sport % 64);
    bump_port(sport, slot);
    if (estab && timer == kKeepaliveTimer) bump_port(sport, kKeepaliveColumn);
    else if (estab && timer == 0) bump_port(sport, kNoTimerColumn);
  }
  if (opts_.by_remote) count_remote(v);
  if (owners_) owners_->add(v.inode(), state, sport);
}

void CensusAggregator::on_socket(const DiagSocket& s) { count(SocketFields{s}); }

NamedPorts CensusAggregator::busiest_ports(size_t column, size_t keep) const {
  NamedPorts named;
  if (!port_cols_ || !column_used(column)) return named;
  TopPorts top(keep);
  for_each_port(seen_ports_.get(), [&](uint16_t port) {
    const uint32_t n = port_sum(port, &column, 1);
    if (n == 0) return;
    ++named.distinct;
    top.offer(port, n);
  });
  named.ports = top.ports();
  return named;
}

OwnerPorts CensusAggregator::owner_ports(size_t keep) const {
  return OwnerPorts{busiest_ports(static_cast<size_t>(TcpState::kCloseWait), keep),
                    busiest_ports(static_cast<size_t>(TcpState::kEstablished), keep)};
}

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

template <class View>
void CensusAggregator::count_remote(const View& v) {
  const uint8_t state = v.state();
  const bool estab = state == static_cast<uint8_t>(TcpState::kEstablished);
  const bool tw = state == static_cast<uint8_t>(TcpState::kTimeWait);
  const bool syn_sent = state == static_cast<uint8_t>(TcpState::kSynSent);
  if (!(estab || tw || syn_sent) || !opts_.ephemeral_range || !opts_.ephemeral_range->contains(v.sport())) return;
  // Past the cap new remotes are not tracked (and the view says so) to keep memory bounded.
  RemoteTally* t = remotes_.find_or_add(v.dst(), v.family(), v.dport(), opts_.max_remotes);
  if (t == nullptr) {
    remotes_capped_ = true;
    return;
  }
  if (estab) ++t->established;
  else if (tw) ++t->time_wait;
  else ++t->syn_sent;
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
    // The top N ports by total (core/port_rank.h), visiting only the ports seen and, for each,
    // only the state columns in use: a census of a few ports reads a few bytes.
    std::array<size_t, kStateSlots> used{};
    size_t n_used = 0;
    for (size_t k = 0; k < kStateSlots; ++k)
      if (column_used(k)) used[n_used++] = k;
    TopPorts top(opts_.top_n);
    uint64_t distinct = 0;
    for_each_port(seen_ports_.get(), [&](uint16_t port) {
      const uint32_t t = port_sum(port, used.data(), n_used);
      if (t == 0) return;
      ++distinct;
      top.offer(port, t);
    });
    const std::vector<uint16_t> busiest = top.ports();
    std::vector<PortCounts> ports(busiest.size());
    for (size_t i = 0; i < busiest.size(); ++i) {
      const uint16_t port = busiest[i];
      ports[i].port = port;
      for (size_t k = 0; k < kStateSlots; ++k) ports[i].states.n[k] = column_used(k) ? port_value(port, k) : 0;
      ports[i].keepalive = column_used(kKeepaliveColumn) ? port_value(port, kKeepaliveColumn) : 0;
      ports[i].no_timer = column_used(kNoTimerColumn) ? port_value(port, kNoTimerColumn) : 0;
    }
    c.distinct_ports = distinct;
    c.ports = std::move(ports);
  }
  if (opts_.by_remote) {
    std::vector<RemoteCounts> rs;
    rs.reserve(remotes_.size());
    remotes_.for_each([&](const RemoteKey& k, const RemoteTally& v) {
      rs.push_back(RemoteCounts{format_address(k.family, k.addr), k.port, v.established, v.time_wait, v.syn_sent});
    });
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

}  // namespace tcptune::core

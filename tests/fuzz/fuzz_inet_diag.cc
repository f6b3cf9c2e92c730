// sock_diag dump replies (core::decode_inet_diag) with any bytes, decoded for both message
// types and streamed into the census aggregator as DiagSockets (on_socket, the input of the
// /proc/net/tcp fallback; once with every view and a small remote cap, once with state and port
// filters), so truncated, misaligned and hostile messages reach the aggregation code too; and
// the aggregator's consume() (the netlink reader's path, fields read in place) must give the
// same census, step and error.
#include <span>

#include "core/census_aggregate.h"
#include "core/inet_diag_decode.h"
#include "fuzz_common.h"

namespace {

// Counts what the decoder hands over and forwards it to the aggregator as a DiagSocket.
struct Counting {
  tcptune::core::CensusAggregator& next;
  size_t seen = 0;
  void on_socket(const tcptune::core::DiagSocket& s) {
    ++seen;
    next.on_socket(s);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  const std::span<const uint8_t> datagram(data, size);
  // SOCK_DIAG_BY_FAMILY with every view on; TCPDIAG_GETSOCK with the filters instead.
  for (const uint16_t type : {uint16_t{20}, uint16_t{18}}) {
    const bool views = type == 20;
    core::AggregateOptions o;
    o.by_port = views;
    o.by_remote = views;
    o.ephemeral_range = core::PortRange{1024, 65535};
    o.collect_inodes = views;
    o.state_mask = views ? 0u : (1u << 1) | (1u << 6) | (1u << 8);  // ESTABLISHED, TIME-WAIT, CLOSE-WAIT
    if (!views) o.port = 8080;
    o.top_n = 3;
    o.max_remotes = 8;
    core::CensusAggregator agg(o);
    Counting sink{agg};
    auto step = core::decode_inet_diag(datagram, type, sink);
    if (step) {
      fuzz::require(step->sockets == sink.seen, "DecodeStep::sockets differs from sockets delivered");
    } else {
      (void)step.error().render();
    }
    const core::Census c = agg.finish(core::CensusSource::kSockDiag, "fuzz");
    // The path the netlink reader takes (consume: fields read in place) must agree with the
    // DiagSocket input exactly.
    core::CensusAggregator direct(o);
    auto direct_step = direct.consume(datagram, type);
    fuzz::require(direct_step.ok() == step.ok(), "consume() and decode_inet_diag() disagree on success");
    if (direct_step && step) {
      fuzz::require(direct_step->sockets == step->sockets && direct_step->done == step->done &&
                        direct_step->interrupted == step->interrupted,
                    "consume() and decode_inet_diag() disagree on the step");
    } else if (!direct_step) {
      fuzz::require(direct_step.error().render() == step.error().render(), "consume() and decode_inet_diag() errors differ");
    }
    fuzz::require(direct.finish(core::CensusSource::kSockDiag, "fuzz") == c, "consume() census differs");
    fuzz::require(direct.fin_wait2_minisocks() == agg.fin_wait2_minisocks(), "consume() minisocks differ");
    if (views) {
      // The process view's index: the same sockets kept on both paths; claiming every kept inode
      // once attributes each socket exactly once, and the lists stay within the port limit.
      const auto kept = direct.owner_index()->list();
      fuzz::require(kept == agg.owner_index()->list(), "consume() kept sockets differ");
      const auto owned = direct.take_owner_index();
      core::SocketOwnerIndex& index = *owned;
      index.seal(2, direct.owner_ports(2));
      uint64_t claimed = 0;
      for (const auto& k : kept) claimed += index.claim(static_cast<int32_t>(k.inode % 3), k.inode);
      fuzz::require(claimed == kept.size(), "a kept socket could not be claimed once");
      fuzz::require(!index.claim(1, kept.empty() ? 1u : kept.front().inode) || kept.empty(), "a socket was claimed twice");
      core::Census owners;
      index.finish(&owners);
      fuzz::require(owners.sockets_without_owner == index.without_inode(), "unclaimed sockets miscounted");
      uint64_t total = 0;
      for (const auto& p : *owners.processes) total += p.states.total();
      fuzz::require(total == kept.size(), "process view does not add up");
    }
    fuzz::require(c.states.total() <= sink.seen, "census counts more sockets than were decoded");
    fuzz::require(!c.ports || c.ports->size() <= o.top_n, "port view longer than top_n");
    fuzz::require(!c.remotes || c.remotes->size() <= o.top_n, "remote view longer than top_n");
  }
  return 0;
}

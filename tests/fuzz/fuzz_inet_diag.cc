// sock_diag dump replies (core::decode_inet_diag) with any bytes, decoded for both message
// types and streamed into the census aggregator (once with every view and a small remote cap,
// once with state and port filters), so truncated, misaligned and hostile messages reach the
// aggregation code too.
#include <span>

#include "core/census_aggregate.h"
#include "core/inet_diag_decode.h"
#include "fuzz_common.h"

namespace {

// Counts what the decoder hands over and forwards it.
struct Counting final : tcptune::core::DiagSink {
  explicit Counting(tcptune::core::DiagSink& next) : next_(next) {}
  void on_socket(const tcptune::core::DiagSocket& s) override {
    ++seen;
    next_.on_socket(s);
  }
  size_t seen = 0;

 private:
  tcptune::core::DiagSink& next_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  const std::span<const uint8_t> datagram(data, size);
  // SOCK_DIAG_BY_FAMILY with every view on; TCPDIAG_GETSOCK with the filters instead (the
  // per-port table costs 3 MiB of ASan-poisoned reservation per run, so only once).
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
    Counting sink(agg);
    auto step = core::decode_inet_diag(datagram, type, sink);
    if (step) {
      fuzz::require(step->sockets == sink.seen, "DecodeStep::sockets differs from sockets delivered");
    } else {
      (void)step.error().render();
    }
    const core::Census c = agg.finish(core::CensusSource::kSockDiag, "fuzz");
    fuzz::require(c.states.total() <= sink.seen, "census counts more sockets than were decoded");
    fuzz::require(!c.ports || c.ports->size() <= o.top_n, "port view longer than top_n");
    fuzz::require(!c.remotes || c.remotes->size() <= o.top_n, "remote view longer than top_n");
  }
  return 0;
}

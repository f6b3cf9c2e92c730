#include "platform/sock_diag.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <memory>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "core/census_aggregate.h"
#include "core/census_derive.h"
#include "core/kernel_version.h"
#include "core/proc_net_parse.h"
#include "platform/fs_util.h"
#include "platform/netlink.h"
#include "platform/proc_owner.h"

namespace tcptune::platform {

namespace {

constexpr uint32_t kAllStates = 0xfff;  // what ss asks for: states 0..11, no bound-inactive
constexpr uint32_t kTimeWaitBit = 1u << 6;
constexpr uint32_t kFinWait2Bit = 1u << 5;
constexpr uint32_t kEstablishedBit = 1u << 1;
constexpr uint32_t kCloseWaitBit = 1u << 8;

core::AggregateOptions aggregate_options(const CensusOptions& o, std::vector<std::string>* notes) {
  core::AggregateOptions a;
  a.state_mask = o.state_mask;
  a.port = o.port;
  a.by_port = o.by_port;
  a.by_remote = o.by_remote;
  a.collect_inodes = o.by_process;
  a.top_n = o.top_n;
  const std::string path = join_root(o.root, "proc/sys/net/ipv4/ip_local_port_range");
  auto text = read_file(path, 4096);
  if (text) a.ephemeral_range = core::parse_port_range(*text);
  if (!a.ephemeral_range && o.by_remote)
    notes->push_back(fmt::format("remote view empty: cannot read ip_local_port_range ({})",
                                 text ? "malformed" : text.error().render()));
  return a;
}

core::Result<core::SockStat> read_sockstat(const std::string& root) {
  const std::string path = join_root(root, "proc/net/sockstat");
  auto text = read_file(path, 1 << 16);
  if (!text) return text.error();
  return core::parse_sockstat(*text, path);
}

core::Result<int64_t> read_sockstat_tw(const std::string& root) {
  auto st = read_sockstat(root);
  if (!st) return st.error();
  return st->tw;
}

core::Result<int64_t> read_curr_estab(const std::string& root) {
  const std::string path = join_root(root, "proc/net/snmp");
  auto text = read_file(path, 1 << 16);
  if (!text) return text.error();
  auto values = core::parse_netstat(*text, path);
  if (!values) return values.error();
  auto it = values->find("TcpCurrEstab");
  if (it == values->end()) return core::make_error(path, "no Tcp CurrEstab");
  return it->second;
}

std::optional<core::KernelVersion> kernel_version(const std::string& root) {
  auto rel = read_file(join_root(root, "proc/sys/kernel/osrelease"), 4096);
  if (!rel) return std::nullopt;
  auto v = core::parse_kernel_version(*rel);
  if (!v) return std::nullopt;
  return *v;
}

bool at_least(const std::optional<core::KernelVersion>& v, int major, int minor) {
  return v && (v->major > major || (v->major == major && v->minor >= minor));
}

// tcp_death_row (and so sockstat "tw") is per network namespace since 4.11; before that it was
// host-wide and could not be compared with a per-namespace dump (net/ipv4/tcp_ipv4.c
// tcp_sk_init()).
bool sockstat_tw_is_per_netns(const std::optional<core::KernelVersion>& v) { return at_least(v, 4, 11); }

// Tcp CurrEstab counts ESTABLISHED + CLOSE-WAIT from mainline 6.10 (upstream a46d0ea5c942,
// tcp_set_state() in net/ipv4/tcp.c; tests/kernel/currestab_test.cc). Older kernels count
// ESTABLISHED only, unless a stable backport changed that, so they are left on the dump.
bool curr_estab_counts_close_wait(const std::optional<core::KernelVersion>& v) { return at_least(v, 6, 10); }

// TCP sockets in use in this namespace, IPv4 (sockstat "TCP: inuse") and IPv6 (sockstat6
// "TCP6: inuse"): the per-namespace count of hashed full sockets, listeners and established
// hash alike (sock_prot_inuse_add() in __inet_hash() and inet_ehash_nolisten(),
// net/ipv4/inet_hashtables.c), so every dumped socket with an inode is one of them.
std::optional<int64_t> tcp_sockets_in_use(const std::string& root) {
  auto st = read_sockstat(root);
  if (!st) return std::nullopt;
  int64_t n = st->inuse;
  if (auto v6 = read_file(join_root(root, "proc/net/sockstat6"), 1 << 16)) {  // absent without IPv6
    constexpr std::string_view kKey = "TCP6: inuse ";
    const size_t at = v6->find(kKey);
    int64_t m = 0;
    if (at != std::string::npos) {
      const char* b = v6->data() + at + kKey.size();
      if (std::from_chars(b, v6->data() + v6->size(), m).ec == std::errc() && m > 0) n += m;
    }
  }
  return n;
}

// Passes of the process view (CensusOptions::owner_pass_sockets): 1 unless the sockets in use
// exceed the budget, at most 64.
uint32_t owner_passes(const CensusOptions& o) {
  if (!o.by_process || o.owner_pass_sockets == 0) return 1;
  const auto n = tcp_sockets_in_use(o.root);
  if (!n || *n <= 0) return 1;
  const auto budget = static_cast<int64_t>(o.owner_pass_sockets);
  return static_cast<uint32_t>(std::min<int64_t>((*n + budget - 1) / budget, 64));
}

// One walk for both families; kernels without the compat request get one dump per family.
core::Result<DumpOutcome> dump_both(uint32_t states, core::CensusAggregator& agg, bool* compat) {
  auto r = dump_tcp_sockets(TcpDumpRequest{states, 0}, agg);
  if (r) return r;
  const int e = r.error().err;
  if (e != EINVAL && e != ENOENT && e != EOPNOTSUPP) return r;
  *compat = false;
  auto v4 = dump_tcp_sockets(TcpDumpRequest{states, 2}, agg);
  if (!v4) return v4;
  auto v6 = dump_tcp_sockets(TcpDumpRequest{states, 10}, agg);
  if (!v6) return v6;
  return DumpOutcome{v4->sockets + v6->sockets, v4->interrupted || v6->interrupted};
}

}  // namespace

namespace {

// The owner lists name the owners of this many ports per state at least (--top if larger).
constexpr size_t kOwnerPorts = 64;

size_t owner_ports(const CensusOptions& o) { return std::max(o.top_n, kOwnerPorts); }

// Seals `index`, walks /proc/*/fd and claims; with partitions (owner_passes()) dumps again for
// each further pass, into the same index, and walks again. `named`:
// CensusAggregator::owner_ports(owner_ports(o)), taken from the first, complete aggregator.
// `states`: what the first dump asked the kernel for (0 when the census came from a file: one pass).
void add_process_view(const CensusOptions& o, const core::OwnerPorts& named, uint32_t states,
                      std::unique_ptr<core::SocketOwnerIndex> index, core::Census* c) {
  const uint32_t parts = index->partitions();
  uint64_t unreadable = 0;
  for (uint32_t part = 0; part < parts; ++part) {
    if (part > 0) {
      index->next_partition();  // the previous pass's entries are freed first
      core::AggregateOptions a;  // counts nothing but what the filters pass: no per-port tables
      a.state_mask = o.state_mask;
      a.port = o.port;
      core::CensusAggregator agg(a);
      agg.adopt_owner_index(std::move(index));
      bool compat = true;
      auto r = dump_both(states, agg, &compat);
      index = agg.take_owner_index();
      if (!r) {
        c->notes.push_back(fmt::format("process view incomplete: pass {} of {}: {}", part + 1, parts, r.error().render()));
        break;
      }
    }
    index->seal(owner_ports(o), named);
    uint64_t unreadable_now = 0;
    auto walked = walk_socket_fds(
        o.root, [&index](int32_t pid, uint32_t inode) { return index->claim(pid, inode); },
        [&index](int32_t pid, std::string command) { index->name(pid, std::move(command)); }, &unreadable_now);
    unreadable = std::max(unreadable, unreadable_now);
    if (!walked) {
      c->notes.push_back("process view unavailable: " + walked.error().render());
      break;
    }
  }
  if (unreadable != 0)
    c->notes.push_back(fmt::format("process view: fd tables of {} processes were unreadable", unreadable));
  if (parts > 1)
    c->notes.push_back(fmt::format(
        "process view joined in {} passes (a dump and a walk of /proc/*/fd each) to keep its memory bounded: more "
        "than {} TCP sockets in use",
        parts, o.owner_pass_sockets));
  index->finish(c);
}

// Counts everything from messages: what --by port/remote/process and filters need.
core::Result<core::Census> full_dump(const CensusOptions& o, std::vector<std::string> notes) {
  core::Census c;
  std::unique_ptr<core::SocketOwnerIndex> owners;
  core::OwnerPorts named;
  const uint32_t states = o.state_mask != 0 ? (o.state_mask & kAllStates) : kAllStates;
  {
    core::CensusAggregator agg(aggregate_options(o, &notes));
    if (agg.owner_index()) agg.owner_index()->set_partitions(owner_passes(o));
    bool compat = true;
    auto r = dump_both(states, agg, &compat);
    if (!r) return r.error();
    c = agg.finish(core::CensusSource::kSockDiag,
                   compat ? "sock_diag: one inet_diag dump (both families)" : "sock_diag: one inet_diag dump per family");
    if (r->interrupted) notes.push_back("dump interrupted (NLM_F_DUMP_INTR): counts may be inconsistent");
    owners = agg.take_owner_index();
    if (owners) named = agg.owner_ports(owner_ports(o));
  }  // the per-port tables and the remote map are gone before the index is sealed and /proc walked
  c.notes.insert(c.notes.end(), notes.begin(), notes.end());
  if (owners) add_process_view(o, named, states, std::move(owners), &c);  // kept only with by_process
  return c;
}

struct Derivations {
  bool time_wait = false;
  bool established = false;
};

std::optional<core::CounterPair> pair_of(const core::Result<int64_t>& before, const core::Result<int64_t>& after) {
  if (!before || !after) return std::nullopt;
  return core::CounterPair{*before, *after};
}

// Counts the majority states without a message per socket (core/census_derive.h): TIME-WAIT as
// sockstat "tw" minus the FIN-WAIT-2 minisocks in the dump, ESTABLISHED as Tcp CurrEstab minus
// the CLOSE-WAIT sockets in the dump; the dump asks only for the other states. Every ehash
// bucket is still walked (inet_diag_dump_icsk() in net/ipv4/inet_diag.c filters by state while
// walking), so the saving is the messages: their fill, copy, and the recvmsg round trips.
// Exact when the population is static; the counters are read before and after the dump and a
// note says when they moved (a dump is not atomic across hash buckets either), rather than
// paying for a second, full dump. nullopt when a counter cannot be read or is inconsistent.
std::optional<core::Result<core::Census>> derived_dump(const CensusOptions& o, Derivations want) {
  std::vector<std::string> notes;
  core::CensusAggregator agg(aggregate_options(o, &notes));
  const uint32_t wanted = o.state_mask != 0 ? (o.state_mask & kAllStates) : kAllStates;
  uint32_t states = wanted;
  if (want.time_wait) states = (states & ~kTimeWaitBit) | kFinWait2Bit;
  if (want.established) states = (states & ~kEstablishedBit) | kCloseWaitBit;
  core::Result<int64_t> tw0 = want.time_wait ? read_sockstat_tw(o.root) : core::Result<int64_t>(0);
  core::Result<int64_t> est0 = want.established ? read_curr_estab(o.root) : core::Result<int64_t>(0);
  if (!tw0 || !est0) return std::nullopt;
  bool compat = true;
  auto r = dump_both(states, agg, &compat);
  if (!r) return core::Result<core::Census>(r.error());
  core::DeriveInputs in;
  in.fin_wait2_minisocks = agg.fin_wait2_minisocks();
  in.close_wait = agg.close_wait_seen();
  if (want.time_wait) {
    in.sockstat_tw = pair_of(tw0, read_sockstat_tw(o.root));
    if (!in.sockstat_tw) return std::nullopt;
  }
  if (want.established) {
    in.curr_estab = pair_of(est0, read_curr_estab(o.root));
    if (!in.curr_estab) return std::nullopt;
  }
  auto d = core::derive_totals(in);
  if (!d) return std::nullopt;
  std::string method = compat ? "sock_diag: one inet_diag dump (both families)" : "sock_diag: one inet_diag dump per family";
  if (want.established && want.time_wait) method += " without ESTABLISHED and TIME-WAIT";
  else if (want.established) method += " without ESTABLISHED";
  else method += " without TIME-WAIT";
  if (want.established) method += "; ESTABLISHED = Tcp CurrEstab - CLOSE-WAIT";
  if (want.time_wait) method += "; TIME-WAIT = sockstat tw - FIN-WAIT-2 minisocks";
  core::Census c = agg.finish(core::CensusSource::kSockDiag, std::move(method));
  if (d->time_wait && (wanted & kTimeWaitBit)) {
    c.states[core::TcpState::kTimeWait] = *d->time_wait;
    c.time_wait_derived = true;
  }
  if (d->established && (wanted & kEstablishedBit)) c.states[core::TcpState::kEstablished] = *d->established;
  notes.insert(notes.end(), d->notes.begin(), d->notes.end());
  if (r->interrupted) notes.push_back("dump interrupted (NLM_F_DUMP_INTR): counts may be inconsistent");
  c.notes.insert(c.notes.end(), notes.begin(), notes.end());
  return core::Result<core::Census>(std::move(c));
}

}  // namespace

core::Result<core::Census> NetlinkSockDiag::take(const CensusOptions& o) {
  const bool totals_only = !o.by_port && !o.by_remote && !o.by_process && !o.port;
  // The dump always describes the caller's namespace, so the counters must be the live ones too.
  const bool live_root = o.root == "/";
  if (totals_only && live_root) {
    const auto kv = kernel_version(o.root);
    Derivations want;
    want.time_wait = o.derive_time_wait && (o.state_mask == 0 || (o.state_mask & kTimeWaitBit)) &&
                     sockstat_tw_is_per_netns(kv);
    want.established = o.derive_established && (o.state_mask == 0 || (o.state_mask & kEstablishedBit)) &&
                       curr_estab_counts_close_wait(kv);
    if (want.time_wait || want.established) {
      if (auto c = derived_dump(o, want)) return std::move(*c);
      return full_dump(o, {"state totals not derived (sockstat or snmp unreadable or inconsistent); counted from a full dump"});
    }
  }
  return full_dump(o, {});
}

core::Result<core::Census> ProcNetTcp::take(const CensusOptions& o) {
  std::vector<std::string> notes;
  core::CensusAggregator agg(aggregate_options(o, &notes));
  const struct {
    const char* path;
    uint8_t family;
  } files[] = {{"proc/net/tcp", core::kAfInet}, {"proc/net/tcp6", core::kAfInet6}};
  for (const auto& f : files) {
    const std::string path = join_root(o.root, f.path);
    std::ifstream in(path);  // streamed line by line: the file can hold millions of sockets
    if (!in) {
      if (f.family == core::kAfInet6) {
        notes.push_back(path + ": not readable (no IPv6?); IPv6 sockets not counted");
        continue;
      }
      return core::make_error(path, "cannot open", errno);
    }
    std::string line;
    core::DiagSocket s;
    while (std::getline(in, line))
      if (core::parse_proc_net_tcp_line(line, f.family, &s)) agg.on_socket(s);
  }
  core::Census c = agg.finish(core::CensusSource::kProcNetTcp, "/proc/net/tcp and /proc/net/tcp6");
  c.notes.insert(c.notes.end(), notes.begin(), notes.end());
  if (auto owners = agg.take_owner_index()) add_process_view(o, agg.owner_ports(owner_ports(o)), 0, std::move(owners), &c);
  return c;
}

core::Result<core::Census> take_census(const CensusOptions& o) {
  if (o.source == CensusSourceChoice::kProcNetTcp) return ProcNetTcp().take(o);
  auto c = NetlinkSockDiag().take(o);
  if (c || o.source == CensusSourceChoice::kSockDiag) return c;
  const int e = c.error().err;
  // Restricted containers answer EPERM/EACCES; kernels without sock_diag or inet_diag answer
  // EPROTONOSUPPORT/ENOENT/EOPNOTSUPP/EAFNOSUPPORT.
  if (e != EPERM && e != EACCES && e != EPROTONOSUPPORT && e != ENOENT && e != EOPNOTSUPP &&
      e != EAFNOSUPPORT && e != EINVAL)
    return c;
  auto p = ProcNetTcp().take(o);
  if (p) p->notes.insert(p->notes.begin(), "sock_diag unavailable (" + c.error().render() + "); used /proc/net/tcp");
  return p;
}

}  // namespace tcptune::platform

#include "platform/sock_diag.h"

#include <cerrno>
#include <fstream>
#include <unordered_set>

#include <fmt/format.h>

#include "core/census_aggregate.h"
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

core::Result<int64_t> read_sockstat_tw(const std::string& root) {
  const std::string path = join_root(root, "proc/net/sockstat");
  auto text = read_file(path, 1 << 16);
  if (!text) return text.error();
  auto st = core::parse_sockstat(*text, path);
  if (!st) return st.error();
  return st->tw;
}

// tcp_death_row (and so sockstat "tw") is per network namespace since 4.11; before that it was
// host-wide and could not be compared with a per-namespace dump (net/ipv4/tcp_ipv4.c
// tcp_sk_init()).
bool sockstat_tw_is_per_netns(const std::string& root) {
  auto rel = read_file(join_root(root, "proc/sys/kernel/osrelease"), 4096);
  if (!rel) return false;
  auto v = core::parse_kernel_version(*rel);
  return v && (v->major > 4 || (v->major == 4 && v->minor >= 11));
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

void add_process_view(const CensusOptions& o, const core::CensusAggregator& agg, core::Census* c) {
  std::unordered_set<uint32_t> wanted;
  for (const core::SocketInode& si : agg.inodes())
    if (si.inode != 0) wanted.insert(si.inode);
  uint64_t unreadable = 0;
  auto owners = find_socket_owners(o.root, wanted, &unreadable);
  if (!owners) {
    c->notes.push_back("process view unavailable: " + owners.error().render());
    owners = std::unordered_map<uint32_t, core::InodeOwner>{};
  }
  if (unreadable != 0)
    c->notes.push_back(fmt::format("process view: fd tables of {} processes were unreadable", unreadable));
  c->processes = core::attribute_owners(agg.inodes(), *owners, &c->sockets_without_owner);
  c->close_wait_owners = core::attribute_port_owners(agg.inodes(), *owners, core::TcpState::kCloseWait);
  c->established_owners = core::attribute_port_owners(agg.inodes(), *owners, core::TcpState::kEstablished);
}

// Counts everything from messages: what --by port/remote/process and filters need.
core::Result<core::Census> full_dump(const CensusOptions& o, std::vector<std::string> notes) {
  core::CensusAggregator agg(aggregate_options(o, &notes));
  bool compat = true;
  const uint32_t states = o.state_mask != 0 ? (o.state_mask & kAllStates) : kAllStates;
  auto r = dump_both(states, agg, &compat);
  if (!r) return r.error();
  core::Census c = agg.finish(core::CensusSource::kSockDiag,
                              compat ? "sock_diag: one inet_diag dump (both families)"
                                     : "sock_diag: one inet_diag dump per family");
  if (r->interrupted) notes.push_back("dump interrupted (NLM_F_DUMP_INTR): counts may be inconsistent");
  c.notes.insert(c.notes.end(), notes.begin(), notes.end());
  if (o.by_process) add_process_view(o, agg, &c);
  return c;
}

// Counts TIME-WAIT without asking the kernel for a message per TIME-WAIT socket:
// sockstat "tw" counts every timewait minisock of this namespace, i.e. TIME-WAIT plus orphaned
// FIN-WAIT-2 minisocks (tcp_time_wait() in net/ipv4/tcp_minisocks.c),
// and the latter are in the dump as state 5 with the timewait timer. Exact when the population
// is static; when "tw" moves during the dump the counts are a blur either way (a dump is not
// atomic across hash buckets either), so rather than paying for a second, full dump the census
// says so in a note. nullopt when sockstat cannot be read or the dump failed.
std::optional<core::Result<core::Census>> derived_dump(const CensusOptions& o) {
  std::vector<std::string> notes;
  core::CensusAggregator agg(aggregate_options(o, &notes));
  const uint32_t wanted = o.state_mask != 0 ? (o.state_mask & kAllStates) : kAllStates;
  const uint32_t states = (wanted & ~kTimeWaitBit) | kFinWait2Bit;
  auto before = read_sockstat_tw(o.root);
  if (!before) return std::nullopt;
  bool compat = true;
  auto r = dump_both(states, agg, &compat);
  if (!r) return core::Result<core::Census>(r.error());
  auto after = read_sockstat_tw(o.root);
  if (!after) return std::nullopt;
  const int64_t tw = *after - static_cast<int64_t>(agg.fin_wait2_minisocks());
  if (tw < 0) return std::nullopt;
  core::Census c = agg.finish(core::CensusSource::kSockDiag,
                              compat ? "sock_diag: one inet_diag dump (both families) without TIME-WAIT; "
                                       "TIME-WAIT = sockstat tw - FIN-WAIT-2 minisocks"
                                     : "sock_diag: one inet_diag dump per family without TIME-WAIT; "
                                       "TIME-WAIT = sockstat tw - FIN-WAIT-2 minisocks");
  c.states[core::TcpState::kTimeWait] = static_cast<uint64_t>(tw);
  c.time_wait_derived = true;
  if (*after != *before)
    notes.push_back(fmt::format("sockets changed during the census (sockstat tw {} -> {}): counts are approximate",
                                *before, *after));
  if (r->interrupted) notes.push_back("dump interrupted (NLM_F_DUMP_INTR): counts may be inconsistent");
  c.notes.insert(c.notes.end(), notes.begin(), notes.end());
  return core::Result<core::Census>(std::move(c));
}

}  // namespace

core::Result<core::Census> NetlinkSockDiag::take(const CensusOptions& o) {
  const bool wants_tw = o.state_mask == 0 || (o.state_mask & kTimeWaitBit);
  const bool totals_only = !o.by_port && !o.by_remote && !o.by_process && !o.port;
  // The dump always describes the caller's namespace, so sockstat must be the live one too.
  const bool live_root = o.root == "/";
  if (o.derive_time_wait && wants_tw && totals_only && live_root && sockstat_tw_is_per_netns(o.root)) {
    if (auto c = derived_dump(o)) return std::move(*c);
    return full_dump(o, {"TIME-WAIT not derived (sockstat unreadable or inconsistent); counted from a full dump"});
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
  if (o.by_process) add_process_view(o, agg, &c);
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

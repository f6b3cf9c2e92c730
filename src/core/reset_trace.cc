#include "core/reset_trace.h"
#include "core/reset_trace_tasks.h"

#include <algorithm>
#include <map>
#include <tuple>


namespace tcptune::core {
namespace {

struct Endpoints {
  std::string local;
  uint16_t lport = 0;
  std::string remote;
  uint16_t rport = 0;
};

std::string value_of(const TraceLine& t, const char* key) {
  const std::string* v = t.find(key);
  return v ? *v : std::string();
}

uint16_t port_of(const TraceLine& t, const char* key) {
  const std::string v = value_of(t, key);
  unsigned long n = 0;
  try {
    n = v.empty() ? 0 : std::stoul(v);
  } catch (...) {
    return 0;
  }
  return n > 0xffff ? 0 : static_cast<uint16_t>(n);
}

// The address pair of the older layouts (sport/dport/saddr/daddr/saddrv6/daddrv6): the IPv4
// field unless the socket is IPv6, where the kernel fills saddr with zeroes.
std::string address_of(const TraceLine& t, const char* v4, const char* v6) {
  const std::string a = value_of(t, v4);
  const std::string b = value_of(t, v6);
  const bool is_v6 = value_of(t, "family") == "AF_INET6" || (a == "0.0.0.0" && !b.empty() && b != "::");
  return is_v6 ? b : a;
}

// Local and remote endpoints of a reset event. tcp_send_reset names the sender's side `src`
// (6.10+: src=/dest= from a sockaddr; older: sport/saddr); tcp_receive_reset names the local
// socket's side `saddr`/`sport` (include/trace/events/tcp.h).
std::optional<Endpoints> endpoints_of(const TraceLine& t) {
  Endpoints e;
  if (const std::string* src = t.find("src")) {
    const std::string* dest = t.find("dest");
    if (!dest || !split_endpoint(*src, &e.local, &e.lport) || !split_endpoint(*dest, &e.remote, &e.rport)) {
      return std::nullopt;
    }
    return e;
  }
  if (!t.find("sport") || !t.find("dport")) return std::nullopt;
  e.local = address_of(t, "saddr", "saddrv6");
  e.remote = address_of(t, "daddr", "daddrv6");
  e.lport = port_of(t, "sport");
  e.rport = port_of(t, "dport");
  return e;
}

const TraceSocket* owner_socket(const std::vector<TraceSocket>& sockets, const Endpoints& e) {
  const TraceSocket* listener = nullptr;
  for (const auto& s : sockets) {
    if (s.port != e.lport) continue;
    if (!s.listener && s.address == e.local && s.remote_address == e.remote && s.remote_port == e.rport) return &s;
    if (s.listener && (s.address == e.local || s.address == "0.0.0.0" || s.address == "::")) listener = &s;
  }
  return listener;
}

bool in_namespace(const ResetTraceInput& in, const std::vector<int32_t>& tasks, const TraceLine& t, const Endpoints& e) {
  if (t.pid != 0 && std::find(tasks.begin(), tasks.end(), t.pid) != tasks.end()) return true;
  for (const auto& s : in.sockets) {
    if (s.listener && s.port == e.rport && (s.address == e.remote || s.address == "0.0.0.0" || s.address == "::")) {
      return true;  // a reset from a local listener's peer
    }
    const bool wildcard = s.address == "0.0.0.0" || s.address == "::";
    if (s.port == e.lport && (s.address == e.local || (s.listener && wildcard))) return true;
    if (!s.listener && s.port == e.rport && s.address == e.remote) return true;  // a local peer
  }
  return false;
}

// The connecting socket of a failed outgoing connection, as a census saw it.
const TraceSocket* connecting_socket(const std::vector<TraceSocket>& sockets, const Endpoints& e) {
  for (const auto& s : sockets) {
    if (!s.listener && s.port == e.lport && s.address == e.local && s.remote_port == e.rport &&
        s.remote_address == e.remote) {
      return &s;
    }
  }
  return nullptr;
}

// "10.0.0.1:5432", "[::1]:5432"
std::string remote_text(const Endpoints& e) {
  return (e.remote.find(':') != std::string::npos ? "[" + e.remote + "]" : e.remote) + ":" + std::to_string(e.rport);
}

// A connect() that returned -EADDRNOTAVAIL (errno 99, include/uapi/asm-generic/errno.h).
bool is_addr_unavailable(const TraceLine& t) { return t.event == "sys_exit_connect" && value_of(t, "ret") == "-99"; }

using GroupKey = std::tuple<std::string, std::string, uint16_t, int32_t, std::string>;
using OwnerKey = std::tuple<std::string, int32_t, std::string>;

void sort_groups(std::vector<ResetGroup>& groups) {
  std::sort(groups.begin(), groups.end(), [](const ResetGroup& a, const ResetGroup& b) {
    return std::tie(b.count, a.direction, a.port, a.reason) < std::tie(a.count, b.direction, b.port, b.reason);
  });
}

}  // namespace

ResetTrace build_reset_trace(const ResetTraceInput& in) { return build_reset_trace(in, {}); }

ResetTrace build_reset_trace(const ResetTraceInput& in, const std::vector<int32_t>& local_tasks) {
  ResetTrace out;
  out.seconds = in.seconds;
  out.lost = in.lost;
  out.reasons_known = in.reasons_known;
  out.notes = in.notes;
  std::map<GroupKey, uint64_t> groups;
  std::map<OwnerKey, uint64_t> failed;
  std::map<OwnerKey, uint64_t> unavailable;  // (remote, pid, command)
  std::map<int32_t, std::string> portless;   // task -> destination of its last port-less SYN-SENT -> CLOSE
  for (const TraceLine& t : in.lines) {
    if (is_addr_unavailable(t)) {
      const auto task = in.tasks.find(t.pid);
      const bool local = (task != in.tasks.end() && task->second.local) ||
                         std::find(local_tasks.begin(), local_tasks.end(), t.pid) != local_tasks.end();
      const auto dest = portless.find(t.pid);
      const std::string remote = dest == portless.end() ? std::string() : dest->second;
      if (dest != portless.end()) portless.erase(dest);
      if (in.namespace_only && !local) {
        ++out.left_out;
      } else if (task != in.tasks.end()) {
        ++unavailable[{remote, task->second.process, task->second.command}];
      } else {
        ++unavailable[{remote, t.pid, t.comm}];
      }
      continue;
    }
    const bool sent = t.event == "tcp_send_reset";
    const bool received = t.event == "tcp_receive_reset";
    const bool state = t.event == "inet_sock_set_state";
    if (!sent && !received && !state) continue;
    if (state && (value_of(t, "oldstate") != "TCP_SYN_SENT" || value_of(t, "newstate") != "TCP_CLOSE" ||
                  value_of(t, "protocol") != "IPPROTO_TCP")) {
      continue;
    }
    auto e = endpoints_of(t);
    if (!e) continue;
    if (state && e->lport == 0) {
      // connect() entered SYN-SENT but found no local port: no connection was attempted; the
      // destination goes with the task's sys_exit_connect (in the caller's context too).
      portless[t.pid] = remote_text(*e);
      continue;
    }
    if (in.namespace_only && !in_namespace(in, local_tasks, t, *e)) {
      ++out.left_out;
      continue;
    }
    if (state) {
      const TraceSocket* owner = connecting_socket(in.sockets, *e);
      ++failed[{remote_text(*e), owner ? owner->pid : 0, owner ? owner->command : ""}];
      continue;
    }
    const TraceSocket* owner = owner_socket(in.sockets, *e);
    ++(sent ? out.sent : out.received);
    ++groups[{sent ? "sent" : "received", sent ? value_of(t, "reason") : "", e->lport, owner ? owner->pid : 0,
              owner ? owner->command : ""}];
  }
  for (const auto& [k, n] : groups) {
    out.groups.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), n, std::get<3>(k), std::get<4>(k)});
  }
  sort_groups(out.groups);
  for (const auto& [k, n] : failed) out.failed_connects.push_back({std::get<0>(k), n, std::get<1>(k), std::get<2>(k)});
  std::stable_sort(out.failed_connects.begin(), out.failed_connects.end(),
                   [](const FailedConnects& a, const FailedConnects& b) { return a.count > b.count; });
  out.addr_unavailable_traced = in.addr_unavailable_traced;
  for (const auto& [k, n] : unavailable) {
    out.addr_unavailable.push_back({std::get<1>(k), std::get<2>(k), n, std::get<0>(k)});
  }
  std::stable_sort(out.addr_unavailable.begin(), out.addr_unavailable.end(),
                   [](const ConnectFailure& a, const ConnectFailure& b) { return a.count > b.count; });
  return out;
}

double reason_share(const ResetTrace& t, uint16_t port, const std::string& reason) {
  uint64_t all = 0;
  uint64_t with = 0;
  for (const auto& g : t.groups) {
    if (g.direction != "sent" || g.port != port) continue;
    all += g.count;
    if (g.reason == reason) with += g.count;
  }
  return all == 0 ? 0.0 : static_cast<double>(with) / static_cast<double>(all);
}

}  // namespace tcptune::core

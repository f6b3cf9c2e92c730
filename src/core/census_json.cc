#include "core/census_json.h"

#include <fmt/format.h>

namespace tcptune::core {

namespace {

using nlohmann::json;

json states_to_json(const StateCounts& s, bool all) {
  json o = json::object();
  for (size_t i = 0; i < kStateSlots; ++i)
    if (all || s.n[i] != 0) o[std::string(state_name(static_cast<TcpState>(i)))] = s.n[i];
  return o;
}

json mask_to_json(uint32_t mask) {
  json a = json::array();
  for (size_t i = 1; i < kStateSlots; ++i)
    if (mask & (1u << i)) a.push_back(state_name(static_cast<TcpState>(i)));
  return a;
}

json sample_to_json(const CounterSample& s) {
  json o = {{"monotonic_ms", s.monotonic_ms}, {"values", s.values}};
  if (s.sockstat)
    o["sockstat"] = {{"inuse", s.sockstat->inuse}, {"orphan", s.sockstat->orphan}, {"tw", s.sockstat->tw},
                     {"alloc", s.sockstat->alloc}, {"mem", s.sockstat->mem}};
  return o;
}

}  // namespace

json census_to_json(const Census& c) {
  json j = {{"source", source_name(c.source)},
            {"method", c.method},
            {"total", c.states.total()},
            {"states", states_to_json(c.states, true)},
            {"ipv4", c.ipv4},
            {"ipv6", c.ipv6},
            {"time_wait_derived", c.time_wait_derived},
            {"state_filter", mask_to_json(c.state_filter)},
            {"port_filter", c.port_filter ? json(*c.port_filter) : json(nullptr)},
            {"fin_wait2_orphaned", c.fin_wait2_orphaned},
            {"notes", c.notes}};
  if (c.ports) {
    json a = json::array();
    for (const PortCounts& p : *c.ports)
      a.push_back({{"port", p.port}, {"total", p.states.total()}, {"states", states_to_json(p.states, false)},
                   {"established_keepalive", p.keepalive}, {"established_no_timer", p.no_timer}});
    j["ports"] = std::move(a);
    j["distinct_ports"] = c.distinct_ports;
  }
  if (c.remotes) {
    json a = json::array();
    for (const RemoteCounts& r : *c.remotes)
      a.push_back({{"address", r.address}, {"port", r.port}, {"established", r.established}, {"time_wait", r.time_wait},
                   {"syn_sent", r.syn_sent}});
    j["remotes"] = std::move(a);
    j["distinct_remotes"] = c.distinct_remotes;
    j["remotes_capped"] = c.remotes_capped;
  }
  if (c.ephemeral_range)
    j["ephemeral_range"] = {{"low", c.ephemeral_range->low}, {"high", c.ephemeral_range->high},
                            {"size", c.ephemeral_range->size()}};
  if (c.processes) {
    json a = json::array();
    for (const ProcessSockets& p : *c.processes)
      a.push_back({{"pid", p.pid}, {"command", p.command}, {"total", p.states.total()},
                   {"states", states_to_json(p.states, false)}});
    j["processes"] = std::move(a);
    j["sockets_without_owner"] = c.sockets_without_owner;
  }
  if (c.close_wait_owners) {
    json a = json::array();
    for (const PortOwner& o : *c.close_wait_owners)
      a.push_back({{"port", o.port}, {"pid", o.pid}, {"command", o.command}, {"sockets", o.sockets}});
    j["close_wait_owners"] = std::move(a);
  }
  if (c.established_owners) {
    json a = json::array();
    for (const PortOwner& o : *c.established_owners)
      a.push_back({{"port", o.port}, {"pid", o.pid}, {"command", o.command}, {"sockets", o.sockets}});
    j["established_owners"] = std::move(a);
  }
  if (c.owners_port_limit != 0) j["owners_port_limit"] = c.owners_port_limit;
  if (c.timers_counted)
    j["keepalive"] = {{"established_keepalive", c.established_keepalive},
                      {"established_no_timer", c.established_no_timer}};
  if (c.listeners) {
    json a = json::array();
    for (const ListenerCounts& l : *c.listeners)
      a.push_back({{"port", l.port}, {"sockets", l.sockets}, {"queued", l.queued}, {"backlog", l.backlog}});
    j["listeners"] = std::move(a);
  }
  return j;
}

namespace {

using VT = json::value_t;
constexpr uint64_t kPortMax = 65535;

std::string item(const std::string& at, const char* name, size_t i) { return fmt::format("{}/{}/{}", at, name, i); }

StateCounts read_states(JsonReader& r, const json& j, const std::string& at) {
  StateCounts s;
  const json* o = r.typed(j, at, "states", VT::object);
  if (!o) return s;
  for (const auto& [k, v] : o->items()) {
    const std::string p = at + "/states/" + json_pointer_token(k);
    const auto st = parse_state(k);
    if (!st && k != "unknown") {
      r.fail(p, fmt::format("unknown state '{}'", k));
      return s;
    }
    s[st.value_or(TcpState::kUnknown)] = r.unsigned_value(v, p);
  }
  return s;
}

uint32_t read_mask(JsonReader& r, const json& j, const std::string& at) {
  uint32_t m = 0;
  const std::vector<std::string> names = r.strings(j, at, "state_filter");
  for (size_t i = 0; i < names.size(); ++i) {
    const auto st = parse_state(names[i]);
    if (!st) {
      r.fail(item(at, "state_filter", i), fmt::format("unknown state '{}'", names[i]));
      return 0;
    }
    m |= 1u << static_cast<unsigned>(*st);
  }
  return m;
}

uint16_t port(JsonReader& r, const json& j, const std::string& at) {
  return static_cast<uint16_t>(r.unsigned_integer(j, at, "port", kPortMax));
}

int32_t pid(JsonReader& r, const json& j, const std::string& at) {
  return static_cast<int32_t>(r.unsigned_integer(j, at, "pid", INT32_MAX));
}

// The optional list `name`: absent stays nullopt, present is read element by element.
template <typename T, typename F>
void read_list(JsonReader& r, const json& j, const std::string& at, const char* name,
               std::optional<std::vector<T>>& out, F one) {
  if (!j.contains(name)) return;
  out.emplace();
  const json* a = r.typed(j, at, name, VT::array);
  for (size_t i = 0; a && i < a->size() && !r.failed(); ++i) out->push_back(one((*a)[i], item(at, name, i)));
}

void read_views(JsonReader& r, const json& j, const std::string& at, Census& c) {
  read_list(r, j, at, "ports", c.ports, [&](const json& e, const std::string& p) {
    PortCounts pc{port(r, e, p), read_states(r, e, p)};
    // Absent in snapshots written before the keepalive view (Census::timers_counted false).
    if (e.contains("established_keepalive")) pc.keepalive = r.unsigned_integer(e, p, "established_keepalive");
    if (e.contains("established_no_timer")) pc.no_timer = r.unsigned_integer(e, p, "established_no_timer");
    return pc;
  });
  if (c.ports) c.distinct_ports = r.unsigned_integer(j, at, "distinct_ports");
  read_list(r, j, at, "remotes", c.remotes, [&](const json& e, const std::string& p) {
    RemoteCounts rc{r.string(e, p, "address"), port(r, e, p), r.unsigned_integer(e, p, "established"),
                    r.unsigned_integer(e, p, "time_wait")};
    if (e.contains("syn_sent")) rc.syn_sent = r.unsigned_integer(e, p, "syn_sent");
    return rc;
  });
  if (c.remotes) {
    c.distinct_remotes = r.unsigned_integer(j, at, "distinct_remotes");
    c.remotes_capped = r.boolean(j, at, "remotes_capped");
  }
  if (j.contains("ephemeral_range")) {
    const std::string p = at + "/ephemeral_range";
    const json& e = *j.find("ephemeral_range");
    c.ephemeral_range = PortRange{static_cast<uint16_t>(r.unsigned_integer(e, p, "low", kPortMax)),
                                  static_cast<uint16_t>(r.unsigned_integer(e, p, "high", kPortMax))};
  }
  read_list(r, j, at, "processes", c.processes, [&](const json& e, const std::string& p) {
    return ProcessSockets{pid(r, e, p), r.string(e, p, "command"), read_states(r, e, p)};
  });
  if (c.processes) c.sockets_without_owner = r.unsigned_integer(j, at, "sockets_without_owner");
  read_list(r, j, at, "close_wait_owners", c.close_wait_owners, [&](const json& e, const std::string& p) {
    return PortOwner{port(r, e, p), pid(r, e, p), r.string(e, p, "command"), r.unsigned_integer(e, p, "sockets")};
  });
  read_list(r, j, at, "established_owners", c.established_owners, [&](const json& e, const std::string& p) {
    return PortOwner{port(r, e, p), pid(r, e, p), r.string(e, p, "command"), r.unsigned_integer(e, p, "sockets")};
  });
  if (j.contains("owners_port_limit"))
    c.owners_port_limit = static_cast<uint32_t>(r.unsigned_integer(j, at, "owners_port_limit", kPortMax + 1));
  if (j.contains("keepalive")) {
    const std::string p = at + "/keepalive";
    const json& k = *j.find("keepalive");
    c.timers_counted = true;
    c.established_keepalive = r.unsigned_integer(k, p, "established_keepalive");
    c.established_no_timer = r.unsigned_integer(k, p, "established_no_timer");
  }
  read_list(r, j, at, "listeners", c.listeners, [&](const json& e, const std::string& p) {
    return ListenerCounts{port(r, e, p), static_cast<uint32_t>(r.unsigned_integer(e, p, "sockets", UINT32_MAX)),
                          r.unsigned_integer(e, p, "queued"), r.unsigned_integer(e, p, "backlog")};
  });
}

CounterSample read_sample(JsonReader& r, const json& j, const std::string& at) {
  CounterSample s;
  s.monotonic_ms = r.unsigned_integer(j, at, "monotonic_ms");
  if (const json* v = r.typed(j, at, "values", VT::object)) {
    for (const auto& [k, n] : v->items()) {
      const std::string p = at + "/values/" + json_pointer_token(k);
      s.values[k] = r.integer_value(n, p);
    }
  }
  if (j.contains("sockstat")) {
    const std::string p = at + "/sockstat";
    const json& t = *j.find("sockstat");
    s.sockstat = SockStat{r.integer(t, p, "inuse"), r.integer(t, p, "orphan"), r.integer(t, p, "tw"),
                          r.integer(t, p, "alloc"), r.integer(t, p, "mem")};
  }
  return s;
}

}  // namespace

Census census_from_json(JsonReader& r, const json& j, const std::string& at) {
  Census c;
  if (!r.expect(j, at, VT::object)) return c;
  const std::string source = r.string(j, at, "source");
  if (source == "sock_diag") c.source = CensusSource::kSockDiag;
  else if (source == "proc_net_tcp") c.source = CensusSource::kProcNetTcp;
  else if (!r.failed()) r.fail(at + "/source", fmt::format("unknown source '{}' (expected sock_diag or proc_net_tcp)", source));
  c.method = r.string(j, at, "method");
  c.states = read_states(r, j, at);
  c.ipv4 = r.unsigned_integer(j, at, "ipv4");
  c.ipv6 = r.unsigned_integer(j, at, "ipv6");
  c.time_wait_derived = r.boolean(j, at, "time_wait_derived");
  c.state_filter = read_mask(r, j, at);
  if (const json* f = r.member(j, at, "port_filter"); f && !f->is_null())
    c.port_filter = static_cast<uint16_t>(r.unsigned_value(*f, at + "/port_filter", kPortMax));
  read_views(r, j, at, c);
  // Absent in snapshots written before the field existed.
  if (j.contains("fin_wait2_orphaned")) c.fin_wait2_orphaned = r.unsigned_integer(j, at, "fin_wait2_orphaned");
  c.notes = r.strings(j, at, "notes");
  return c;
}

Counters counters_from_json(JsonReader& r, const json& j, const std::string& at) {
  Counters c;
  if (!r.expect(j, at, VT::object)) return c;
  if (const json* cur = r.member(j, at, "current")) c.current = read_sample(r, *cur, at + "/current");
  if (j.contains("earlier")) c.earlier = read_sample(r, *j.find("earlier"), at + "/earlier");
  c.notes = r.strings(j, at, "notes");
  return c;
}

json counters_to_json(const Counters& c) {
  json j = {{"current", sample_to_json(c.current)}, {"notes", c.notes}};
  if (c.earlier) {
    j["earlier"] = sample_to_json(*c.earlier);
    j["rates"] = counter_rates(c);  // derived; ignored when read back
  }
  return j;
}

}  // namespace tcptune::core

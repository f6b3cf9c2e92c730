#include "core/census_json.h"

namespace tcptune::core {

namespace {

using nlohmann::json;

json states_to_json(const StateCounts& s, bool all) {
  json o = json::object();
  for (size_t i = 0; i < kStateSlots; ++i)
    if (all || s.n[i] != 0) o[std::string(state_name(static_cast<TcpState>(i)))] = s.n[i];
  return o;
}

StateCounts states_from_json(const json& j) {
  StateCounts s;
  for (const auto& [k, v] : j.items()) {
    const size_t slot = k == "unknown" ? 0 : static_cast<size_t>(parse_state(k).value_or(TcpState::kUnknown));
    if (slot == 0 && k != "unknown") throw std::invalid_argument("unknown state '" + k + "'");
    s.n[slot] = v.get<uint64_t>();
  }
  return s;
}

json mask_to_json(uint32_t mask) {
  json a = json::array();
  for (size_t i = 1; i < kStateSlots; ++i)
    if (mask & (1u << i)) a.push_back(state_name(static_cast<TcpState>(i)));
  return a;
}

uint32_t mask_from_json(const json& a) {
  uint32_t m = 0;
  for (const auto& v : a) {
    const auto st = parse_state(v.get<std::string>());
    if (!st) throw std::invalid_argument("unknown state '" + v.get<std::string>() + "'");
    m |= 1u << static_cast<unsigned>(*st);
  }
  return m;
}

json sample_to_json(const CounterSample& s) {
  json o = {{"monotonic_ms", s.monotonic_ms}, {"values", s.values}};
  if (s.sockstat)
    o["sockstat"] = {{"inuse", s.sockstat->inuse}, {"orphan", s.sockstat->orphan}, {"tw", s.sockstat->tw},
                     {"alloc", s.sockstat->alloc}, {"mem", s.sockstat->mem}};
  return o;
}

CounterSample sample_from_json(const json& j) {
  CounterSample s;
  s.monotonic_ms = j.at("monotonic_ms").get<uint64_t>();
  s.values = j.at("values").get<std::map<std::string, int64_t>>();
  if (j.contains("sockstat")) {
    const json& t = j.at("sockstat");
    s.sockstat = SockStat{t.at("inuse").get<int64_t>(), t.at("orphan").get<int64_t>(), t.at("tw").get<int64_t>(),
                          t.at("alloc").get<int64_t>(), t.at("mem").get<int64_t>()};
  }
  return s;
}

Census census_from_json_or_throw(const json& j) {
  Census c;
  const std::string src = j.at("source").get<std::string>();
  if (src == "sock_diag") c.source = CensusSource::kSockDiag;
  else if (src == "proc_net_tcp") c.source = CensusSource::kProcNetTcp;
  else throw std::invalid_argument("unknown source '" + src + "'");
  c.method = j.at("method").get<std::string>();
  c.states = states_from_json(j.at("states"));
  c.ipv4 = j.at("ipv4").get<uint64_t>();
  c.ipv6 = j.at("ipv6").get<uint64_t>();
  c.time_wait_derived = j.at("time_wait_derived").get<bool>();
  c.state_filter = mask_from_json(j.at("state_filter"));
  if (!j.at("port_filter").is_null()) c.port_filter = j.at("port_filter").get<uint16_t>();
  if (j.contains("ports")) {
    c.ports.emplace();
    for (const json& p : j.at("ports"))
      c.ports->push_back(PortCounts{p.at("port").get<uint16_t>(), states_from_json(p.at("states"))});
    c.distinct_ports = j.at("distinct_ports").get<uint64_t>();
  }
  if (j.contains("remotes")) {
    c.remotes.emplace();
    for (const json& r : j.at("remotes"))
      c.remotes->push_back(RemoteCounts{r.at("address").get<std::string>(), r.at("port").get<uint16_t>(),
                                        r.at("established").get<uint64_t>(), r.at("time_wait").get<uint64_t>()});
    c.distinct_remotes = j.at("distinct_remotes").get<uint64_t>();
    c.remotes_capped = j.at("remotes_capped").get<bool>();
  }
  if (j.contains("ephemeral_range"))
    c.ephemeral_range = PortRange{j.at("ephemeral_range").at("low").get<uint16_t>(),
                                  j.at("ephemeral_range").at("high").get<uint16_t>()};
  if (j.contains("processes")) {
    c.processes.emplace();
    for (const json& p : j.at("processes"))
      c.processes->push_back(ProcessSockets{p.at("pid").get<int32_t>(), p.at("command").get<std::string>(),
                                            states_from_json(p.at("states"))});
    c.sockets_without_owner = j.at("sockets_without_owner").get<uint64_t>();
  }
  if (j.contains("close_wait_owners")) {
    c.close_wait_owners.emplace();
    for (const json& o : j.at("close_wait_owners"))
      c.close_wait_owners->push_back(PortOwner{o.at("port").get<uint16_t>(), o.at("pid").get<int32_t>(),
                                               o.at("command").get<std::string>(), o.at("sockets").get<uint64_t>()});
  }
  if (j.contains("listeners")) {
    c.listeners.emplace();
    for (const json& l : j.at("listeners"))
      c.listeners->push_back(ListenerCounts{l.at("port").get<uint16_t>(), l.at("sockets").get<uint32_t>(),
                                            l.at("queued").get<uint64_t>(), l.at("backlog").get<uint64_t>()});
  }
  // Absent in snapshots written before the field existed.
  c.fin_wait2_orphaned = j.value("fin_wait2_orphaned", uint64_t{0});
  c.notes = j.at("notes").get<std::vector<std::string>>();
  return c;
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
      a.push_back({{"port", p.port}, {"total", p.states.total()}, {"states", states_to_json(p.states, false)}});
    j["ports"] = std::move(a);
    j["distinct_ports"] = c.distinct_ports;
  }
  if (c.remotes) {
    json a = json::array();
    for (const RemoteCounts& r : *c.remotes)
      a.push_back({{"address", r.address}, {"port", r.port}, {"established", r.established}, {"time_wait", r.time_wait}});
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
  if (c.listeners) {
    json a = json::array();
    for (const ListenerCounts& l : *c.listeners)
      a.push_back({{"port", l.port}, {"sockets", l.sockets}, {"queued", l.queued}, {"backlog", l.backlog}});
    j["listeners"] = std::move(a);
  }
  return j;
}

Result<Census> census_from_json(const json& j) {
  if (!j.is_object()) return make_error("snapshot", "'census' is not an object");
  // nlohmann reports type and key errors by exception; they stop here (no exceptions across
  // module boundaries).
  try {
    return census_from_json_or_throw(j);
  } catch (const std::exception& e) {
    return make_error("snapshot", std::string("'census': ") + e.what());
  }
}

json counters_to_json(const Counters& c) {
  json j = {{"current", sample_to_json(c.current)}, {"notes", c.notes}};
  if (c.earlier) {
    j["earlier"] = sample_to_json(*c.earlier);
    j["rates"] = counter_rates(c);  // derived; ignored when read back
  }
  return j;
}

Result<Counters> counters_from_json(const json& j) {
  if (!j.is_object()) return make_error("snapshot", "'counters' is not an object");
  try {
    Counters c;
    c.current = sample_from_json(j.at("current"));
    if (j.contains("earlier")) c.earlier = sample_from_json(j.at("earlier"));
    c.notes = j.at("notes").get<std::vector<std::string>>();
    return c;
  } catch (const std::exception& e) {
    return make_error("snapshot", std::string("'counters': ") + e.what());
  }
}

}  // namespace tcptune::core

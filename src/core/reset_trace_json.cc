#include "core/reset_trace_json.h"

#include "core/json_read.h"

namespace tcptune::core {

nlohmann::json reset_trace_to_json(const ResetTrace& t) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : t.groups) {
    groups.push_back({{"direction", g.direction}, {"reason", g.reason}, {"port", g.port}, {"count", g.count},
                      {"pid", g.pid}, {"command", g.command}});
  }
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& f : t.failed_connects) {
    failed.push_back({{"remote", f.remote}, {"count", f.count}, {"pid", f.pid}, {"command", f.command}});
  }
  nlohmann::json unavailable = nlohmann::json::array();
  for (const auto& f : t.addr_unavailable) {
    unavailable.push_back({{"pid", f.pid}, {"command", f.command}, {"count", f.count}, {"remote", f.remote}});
  }
  return {{"seconds", t.seconds}, {"sent", t.sent}, {"received", t.received}, {"reasons_known", t.reasons_known},
          {"left_out", t.left_out}, {"lost", t.lost}, {"groups", groups}, {"failed_connects", failed},
          {"connect_eaddrnotavail_traced", t.addr_unavailable_traced}, {"connect_eaddrnotavail", unavailable},
          {"notes", t.notes}};
}

Result<ResetTrace> reset_trace_from_json(const nlohmann::json& j, const std::string& origin) {
  JsonReader r(origin);
  ResetTrace t;
  const std::string at = "/resets";
  if (!r.expect(j, at, nlohmann::json::value_t::object)) return r.error();
  if (const auto* s = r.member(j, at, "seconds"); s && s->is_number()) t.seconds = s->get<double>();
  t.sent = static_cast<uint64_t>(r.integer(j, at, "sent"));
  t.received = static_cast<uint64_t>(r.integer(j, at, "received"));
  t.reasons_known = r.boolean(j, at, "reasons_known");
  t.left_out = static_cast<uint64_t>(r.integer(j, at, "left_out"));
  t.lost = static_cast<uint64_t>(r.integer(j, at, "lost"));
  const auto* groups = r.member(j, at, "groups");
  if (groups && r.expect(*groups, at + "/groups", nlohmann::json::value_t::array)) {
    for (size_t i = 0; i < groups->size(); ++i) {
      const auto& g = (*groups)[i];
      const std::string gat = at + "/groups/" + std::to_string(i);
      t.groups.push_back({r.string(g, gat, "direction"), r.string(g, gat, "reason"),
                          static_cast<uint16_t>(r.integer(g, gat, "port")), static_cast<uint64_t>(r.integer(g, gat, "count")),
                          static_cast<int32_t>(r.integer(g, gat, "pid")), r.string(g, gat, "command")});
    }
  }
  const auto* failed = r.member(j, at, "failed_connects");
  if (failed && r.expect(*failed, at + "/failed_connects", nlohmann::json::value_t::array)) {
    for (size_t i = 0; i < failed->size(); ++i) {
      const auto& f = (*failed)[i];
      const std::string fat = at + "/failed_connects/" + std::to_string(i);
      FailedConnects fc{r.string(f, fat, "remote"), static_cast<uint64_t>(r.integer(f, fat, "count")), 0, ""};
      if (f.is_object() && f.contains("pid")) {  // absent in snapshots of the first trace version
        fc.pid = static_cast<int32_t>(r.integer(f, fat, "pid"));
        fc.command = r.string(f, fat, "command");
      }
      t.failed_connects.push_back(std::move(fc));
    }
  }
  // Both absent in snapshots of the first trace version: not traced then.
  if (j.contains("connect_eaddrnotavail_traced")) {
    t.addr_unavailable_traced = r.boolean(j, at, "connect_eaddrnotavail_traced");
    const auto* un = r.member(j, at, "connect_eaddrnotavail");
    if (un && r.expect(*un, at + "/connect_eaddrnotavail", nlohmann::json::value_t::array)) {
      for (size_t i = 0; i < un->size(); ++i) {
        const auto& f = (*un)[i];
        const std::string fat = at + "/connect_eaddrnotavail/" + std::to_string(i);
        t.addr_unavailable.push_back({static_cast<int32_t>(r.integer(f, fat, "pid")), r.string(f, fat, "command"),
                                      static_cast<uint64_t>(r.integer(f, fat, "count")), r.string(f, fat, "remote")});
      }
    }
  }
  const auto* notes = r.member(j, at, "notes");
  if (notes && r.expect(*notes, at + "/notes", nlohmann::json::value_t::array)) {
    for (const auto& n : *notes) {
      if (n.is_string()) t.notes.push_back(n.get<std::string>());
    }
  }
  if (r.failed()) return r.error();
  return t;
}

}  // namespace tcptune::core

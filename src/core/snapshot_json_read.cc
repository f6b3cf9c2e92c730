// snapshot_from_json: the checked reader for the format written by snapshot_to_json.
#include <fmt/format.h>

#include "core/census_json.h"
#include "core/reset_trace_json.h"
#include "core/json_read.h"
#include "core/snapshot_json.h"

namespace tcptune::core {
namespace {

using nlohmann::json;
using VT = json::value_t;

SourceLoc read_loc(JsonReader& r, const json& j, const std::string& at) {
  SourceLoc l;
  const auto* m = r.member(j, at, "where");
  if (!m) return l;
  const std::string p = at + "/where";
  l.file = r.string(*m, p, "file");
  l.line = static_cast<int>(r.integer(*m, p, "line"));
  l.col = static_cast<int>(r.integer(*m, p, "col"));
  return l;
}

ConfReader read_reader(JsonReader& r, const std::string& text, const std::string& at) {
  if (text == "none") return ConfReader::kNone;
  if (text == "systemd") return ConfReader::kSystemd;
  if (text == "procps") return ConfReader::kProcps;
  if (text == "both") return ConfReader::kBoth;
  r.fail(at, fmt::format("unknown reader '{}'", text));
  return ConfReader::kNone;
}

SysctlConfig read_config(JsonReader& r, const json& j, const std::string& at) {
  SysctlConfig c;
  if (!r.expect(j, at, VT::object)) return c;
  if (const auto* l = r.member(j, at, "layout"); l && r.expect(*l, at + "/layout", VT::object)) {
    c.layout.systemd_dirs = r.strings(*l, at + "/layout", "systemd_dirs");
    c.layout.procps_dirs = r.strings(*l, at + "/layout", "procps_dirs");
    c.layout.procps_conf = r.string(*l, at + "/layout", "procps_conf");
  }
  if (const auto* files = r.member(j, at, "files"); files && r.expect(*files, at + "/files", VT::array)) {
    for (size_t i = 0; i < files->size(); ++i) {
      const auto& f = (*files)[i];
      const std::string p = fmt::format("{}/files/{}", at, i);
      ConfFile cf;
      cf.path = r.string(f, p, "path");
      cf.symlink_target = r.string(f, p, "symlink_target");
      cf.masked_by = r.string(f, p, "masked_by");
      cf.masked_null = r.boolean(f, p, "masked_null");
      cf.read_error = r.string(f, p, "read_error");
      cf.readers = read_reader(r, r.string(f, p, "readers"), p + "/readers");
      c.files.push_back(std::move(cf));
    }
  }
  if (const auto* as = r.member(j, at, "assignments"); as && r.expect(*as, at + "/assignments", VT::array)) {
    for (size_t i = 0; i < as->size(); ++i) {
      const auto& a = (*as)[i];
      const std::string p = fmt::format("{}/assignments/{}", at, i);
      ConfAssignment ca;
      ca.key = r.string(a, p, "key");
      ca.value = r.string(a, p, "value");
      ca.where = read_loc(r, a, p);
      ca.ignore_failure = r.boolean(a, p, "ignore_failure");
      ca.glob = r.boolean(a, p, "glob");
      ca.exclude = r.boolean(a, p, "exclude");
      c.assignments.push_back(std::move(ca));
    }
  }
  if (const auto* is = r.member(j, at, "issues"); is && r.expect(*is, at + "/issues", VT::array)) {
    for (size_t i = 0; i < is->size(); ++i) {
      const std::string p = fmt::format("{}/issues/{}", at, i);
      ConfIssue ci;
      ci.where = read_loc(r, (*is)[i], p);
      ci.message = r.string((*is)[i], p, "message");
      c.issues.push_back(std::move(ci));
    }
  }
  return c;
}

SysctlReading read_reading(JsonReader& r, const json& j, const std::string& at) {
  const std::string state = r.string(j, at, "state");
  if (state == "value") return SysctlReading::of(r.string(j, at, "text"));
  if (state == "absent") return SysctlReading::absent();
  if (state == "unreadable") return SysctlReading::unreadable(static_cast<int>(r.integer(j, at, "errno")));
  if (!r.failed()) r.fail(at + "/state", fmt::format("unknown state '{}' (expected value, absent or unreadable)", state));
  return SysctlReading::absent();
}

void read_sysctls(JsonReader& r, const json& j, Snapshot& s) {
  if (!r.expect(j, "/sysctls", VT::object)) return;
  for (const auto& [k, v] : j.items()) {
    s.sysctls[k] = read_reading(r, v, "/sysctls/" + json_pointer_token(k));
    if (r.failed()) return;
  }
}

// Version 2: "host" (a string, possibly empty) and "labels" (an object of strings).
void read_host(JsonReader& r, const json& j, Snapshot& s) {
  s.host = r.string(j, "", "host");
  const auto* l = r.member(j, "", "labels");
  if (!l || !r.expect(*l, "/labels", VT::object)) return;
  for (const auto& [k, v] : l->items()) {
    if (!r.expect(v, "/labels/" + json_pointer_token(k), VT::string)) return;
    s.labels[k] = v.get<std::string>();
  }
}

void read_header(JsonReader& r, const json& j, Snapshot& s) {
  if (r.string(j, "", "schema") != "tcptune.snapshot" && !r.failed()) {
    r.fail("/schema", "not a tcptune snapshot (expected \"tcptune.snapshot\")");
    return;
  }
  const auto version = r.integer(j, "", "schema_version");
  if (!r.failed() && (version < kSnapshotOldestVersion || version > kSnapshotSchemaVersion)) {
    r.fail("/schema_version", fmt::format("unsupported version {} (this tcptune reads {} to {})", version,
                                          kSnapshotOldestVersion, kSnapshotSchemaVersion));
    return;
  }
  s.tool_version = r.string(j, "", "tool_version");
  s.root = r.string(j, "", "root");
  if (version >= 2) read_host(r, j, s);
  s.kernel_release = r.opt_string(j, "", "kernel_release");
  if (const auto* n = r.member(j, "", "netns"); n && r.expect(*n, "/netns", VT::object)) {
    if (const auto* ino = r.member(*n, "/netns", "inode"); ino && !ino->is_null()) {
      if (r.expect(*ino, "/netns/inode", VT::number_integer)) s.netns.inode = ino->get<uint64_t>();
    }
    s.netns.name = r.string(*n, "/netns", "name");
  }
}

void read_modules(JsonReader& r, const json& j, Snapshot& s) {
  const auto* m = r.member(j, "", "modules");
  if (!m || m->is_null()) return;
  if (!r.expect(*m, "/modules", VT::array)) return;
  s.modules_known = true;
  for (size_t i = 0; i < m->size(); ++i) {
    if (!r.expect((*m)[i], fmt::format("/modules/{}", i), VT::string)) return;
    s.modules.push_back((*m)[i].get<std::string>());
  }
}

void read_gaps(JsonReader& r, const json& j, Snapshot& s) {
  const auto* g = r.member(j, "", "gaps");
  if (!g || !r.expect(*g, "/gaps", VT::array)) return;
  for (size_t i = 0; i < g->size(); ++i) {
    const std::string p = fmt::format("/gaps/{}", i);
    s.gaps.push_back(Gap{r.string((*g)[i], p, "what"), r.string((*g)[i], p, "reason")});
  }
}

}  // namespace

Result<Snapshot> snapshot_from_json(const json& j, std::string_view origin) {
  JsonReader r{std::string(origin)};
  Snapshot s;
  if (!r.expect(j, "", VT::object)) return r.error();
  read_header(r, j, s);
  if (const auto* sys = r.member(j, "", "sysctls"); sys && !r.failed()) read_sysctls(r, *sys, s);
  read_modules(r, j, s);
  if (const auto* c = r.member(j, "", "config"); c && !r.failed()) s.config = read_config(r, *c, "/config");
  if (r.failed()) return r.error();
  if (const auto* c = r.member(j, "", "census"); c && !c->is_null()) s.census = census_from_json(r, *c, "/census");
  if (const auto* c = r.member(j, "", "counters"); c && !c->is_null() && !r.failed())
    s.counters = counters_from_json(r, *c, "/counters");
  if (auto it = j.find("resets"); it != j.end() && !it->is_null()) {
    auto resets = reset_trace_from_json(*it, std::string(origin));
    if (!resets) return resets.error();
    s.resets = std::move(resets.value());
  }
  read_gaps(r, j, s);
  if (r.failed()) return r.error();
  return s;
}

}  // namespace tcptune::core

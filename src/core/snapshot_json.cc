#include "core/snapshot_json.h"

#include <fmt/format.h>

#include "core/census_json.h"
#include "core/reset_trace_json.h"
#include "core/json_read.h"

namespace tcptune::core {
namespace {

using nlohmann::json;

json loc_to_json(const SourceLoc& l) { return {{"file", l.file}, {"line", l.line}, {"col", l.col}}; }

std::string_view reader_name(ConfReader r) {
  switch (r) {
    case ConfReader::kNone: return "none";
    case ConfReader::kSystemd: return "systemd";
    case ConfReader::kProcps: return "procps";
    case ConfReader::kBoth: return "both";
  }
  return "none";
}

json reading_to_json(const SysctlReading& r) {
  json j = {{"state", state_name(r.state)}};
  if (r.state == SysctlReading::State::kValue) j["text"] = r.value.text;
  if (r.state == SysctlReading::State::kUnreadable) j["errno"] = r.err;
  return j;
}

json config_to_json(const SysctlConfig& c) {
  json files = json::array();
  for (const auto& f : c.files) {
    files.push_back({{"path", f.path}, {"symlink_target", f.symlink_target}, {"masked_by", f.masked_by},
                     {"masked_null", f.masked_null}, {"read_error", f.read_error},
                     {"readers", reader_name(f.readers)}});
  }
  json assigns = json::array();
  for (const auto& a : c.assignments) {
    assigns.push_back({{"key", a.key}, {"value", a.value}, {"where", loc_to_json(a.where)},
                       {"ignore_failure", a.ignore_failure}, {"glob", a.glob}, {"exclude", a.exclude}});
  }
  json issues = json::array();
  for (const auto& i : c.issues) issues.push_back({{"where", loc_to_json(i.where)}, {"message", i.message}});
  json layout = {{"systemd_dirs", c.layout.systemd_dirs}, {"procps_dirs", c.layout.procps_dirs},
                 {"procps_conf", c.layout.procps_conf}};
  return {{"layout", layout}, {"files", files}, {"assignments", assigns}, {"issues", issues}};
}

}  // namespace

json snapshot_to_json(const Snapshot& s) {
  json j;
  j["schema"] = "tcptune.snapshot";
  j["schema_version"] = kSnapshotSchemaVersion;
  j["tool_version"] = s.tool_version;
  j["root"] = s.root;
  j["host"] = s.host;
  j["labels"] = s.labels;
  j["kernel_release"] = s.kernel_release ? json(*s.kernel_release) : json(nullptr);
  j["netns"] = {{"inode", s.netns.inode ? json(*s.netns.inode) : json(nullptr)}, {"name", s.netns.name}};
  json sysctls = json::object();
  for (const auto& [k, r] : s.sysctls) sysctls[k] = reading_to_json(r);
  j["sysctls"] = std::move(sysctls);
  j["modules"] = s.modules_known ? json(s.modules) : json(nullptr);
  j["config"] = config_to_json(s.config);
  j["census"] = s.census ? census_to_json(*s.census) : json(nullptr);
  j["counters"] = s.counters ? counters_to_json(*s.counters) : json(nullptr);
  if (s.resets) j["resets"] = reset_trace_to_json(*s.resets);  // optional: older snapshots lack it
  json gaps = json::array();
  for (const auto& g : s.gaps) gaps.push_back({{"what", g.what}, {"reason", g.reason}});
  j["gaps"] = std::move(gaps);
  return j;
}

SourceLoc location_of_offset(std::string_view text, size_t offset, std::string_view origin) {
  SourceLoc loc{std::string(origin), 1, 1};
  if (offset > text.size()) offset = text.size();
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') { ++loc.line; loc.col = 1; } else { ++loc.col; }
  }
  return loc;
}

Result<Snapshot> snapshot_from_text(std::string_view text, std::string_view origin) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    const size_t off = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    if (auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
    // Drop nlohmann's "last read: '...'" excerpt: the location already points at the spot.
    if (auto a = what.find("; last read: '"); a != std::string::npos) {
      if (auto b = what.find("';", a + 14); b != std::string::npos) what.erase(a, b + 1 - a);
    }
    return make_file_error(location_of_offset(text, off, origin), fmt::format("invalid JSON: {}", what),
                           "pass a file written by 'tcptune snapshot'");
  } catch (const json::exception& e) {
    // The parser also throws out_of_range (406: a number such as 1e400 that overflows a
    // double), which carries no position; found by tests/fuzz/fuzz_snapshot.
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return make_error(std::string(origin), fmt::format("invalid JSON: {}", what), 0,
                      "pass a file written by 'tcptune snapshot'");
  }
  return snapshot_from_json(j, origin);
}

}  // namespace tcptune::core

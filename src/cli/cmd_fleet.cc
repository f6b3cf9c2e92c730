// tcptune fleet SNAPSHOT...|DIR: many hosts' snapshots compared per group (core/fleet.h). Each
// snapshot is read, audited with the same function as `tcptune audit --snapshot`, folded into the
// tallies and dropped, so memory does not grow with the number of snapshots. A snapshot that
// cannot be read is skipped with its located error and counted; it never ends the run.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/audit_pipeline.h"
#include "cli/commands.h"
#include "cli/fleet_render.h"
#include "cli/output.h"
#include "core/fleet.h"
#include "platform/data_dirs.h"

namespace tcptune::cli {
namespace {

struct FleetOptions {
  std::vector<std::string> paths;
  std::string group_by;
  AuditRequest request{{}, platform::system_config_dir() + "/tcptune.toml", false, {}, {}};
  OutputOptions out;
};

// The snapshot files named: files as given, directories' *.json entries in name order.
core::Result<std::vector<std::string>> snapshot_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      if (!fs::exists(p, ec)) return core::make_error(p, "no such file or directory", 0, "pass snapshot files or a directory of them");
      files.push_back(p);
      continue;
    }
    std::vector<std::string> entries;
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".json" && !it->is_directory(ec)) entries.push_back(it->path().string());
    }
    if (ec) return core::make_error(p, "cannot list the directory", ec.value());
    std::sort(entries.begin(), entries.end());
    files.insert(files.end(), entries.begin(), entries.end());
  }
  return files;
}

// A host's name: the one its snapshot records, else the file name without ".json".
std::string host_name(const core::Snapshot& s, const std::string& file) {
  if (!s.host.empty()) return s.host;
  return std::filesystem::path(file).stem().string();
}

core::FleetHost fleet_host(const core::Snapshot& s, const std::string& file, const std::string& group_by,
                           const AuditInputs& inputs) {
  core::FleetHost h;
  h.name = host_name(s, file);
  if (group_by.empty()) {
    h.group = core::host_pattern(h.name);
  } else if (auto it = s.labels.find(group_by); it != s.labels.end()) {
    h.group = it->second;
  }
  h.values = core::fleet_values(s);
  const core::Report report = audit_snapshot(s, inputs);
  for (const auto& f : report.findings) {
    auto [it, fresh] = h.findings.emplace(f.id, f.severity);
    if (!fresh) it->second = std::max(it->second, f.severity);
  }
  return h;
}

CommandResult run_fleet(const FleetOptions& o) {
  auto files = snapshot_files(o.paths);
  if (!files) return files.error();
  auto inputs = load_audit_inputs(o.request);
  if (!inputs) return inputs.error();
  core::FleetTally tally;
  std::vector<core::FleetSkip> skipped;
  for (const auto& file : *files) {
    SnapshotSource source;
    source.file = file;
    auto snapshot = obtain_snapshot(source);
    if (!snapshot) {
      skipped.push_back({file, snapshot.error().summary()});
      continue;
    }
    tally.add(fleet_host(*snapshot, file, o.group_by, *inputs));
  }
  core::FleetReport report = tally.report();
  report.group_by = o.group_by;
  report.skipped = std::move(skipped);
  if (report.hosts == 0) {
    const std::string why = report.skipped.empty() ? "" : fmt::format(" (first: {})", report.skipped.front().error);
    return core::make_error(fmt::format("{} snapshot file{}", files->size(), files->size() == 1 ? "" : "s"),
                            "none could be read" + why, 0, "take snapshots with 'tcptune snapshot -o FILE'");
  }
  Renderers r;
  r.text = [&](bool) { return render_fleet_text(report); };
  r.json = [&] { return render_fleet_json(report); };
  if (auto st = emit(o.out, r); !st) return st.error();
  return Outcome::kOk;
}

}  // namespace

void register_fleet(CLI::App& app, Globals& g) {
  auto o = std::make_shared<FleetOptions>();
  auto* cmd = app.add_subcommand("fleet", "Compare many hosts' snapshots: keys that differ from the majority, findings");
  cmd->add_option("SNAPSHOT", o->paths, "Snapshot files (from 'tcptune snapshot'), or directories of *.json files")->required();
  cmd->add_option("--group-by", o->group_by, "Group hosts by this snapshot label (default: by host name pattern)");
  cmd->add_option("--format", o->out.format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("-o,--output", o->out.file, "Write to FILE (atomically)");
  cmd->add_option("--rules", o->request.rule_dirs, "Also load rules from DIR (repeatable)");
  cmd->add_option("--profile", o->request.profile, "Audit each snapshot against this workload profile");
  cmd->footer("Examples:\n  tcptune fleet snapshots/\n  tcptune fleet --group-by role --format json snapshots/*.json\n"
              "(take each snapshot with: tcptune snapshot --label role=web -o FILE)");
  cmd->callback([&g, o] { g.result = run_fleet(*o); });
}

}  // namespace tcptune::cli

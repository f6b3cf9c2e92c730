// tcptune snapshot [-o FILE]: capture everything an audit looks at, as JSON; with a namespace
// option, one namespace's snapshot or every namespace's ({"schema":"tcptune.netns-snapshots"}).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/audit_pipeline.h"
#include "cli/commands.h"
#include "cli/knowledge.h"
#include "cli/netns_options.h"
#include "cli/netns_render.h"
#include "cli/output.h"
#include "core/snapshot_json.h"

namespace tcptune::cli {
namespace {

struct SnapshotOptions {
  std::string output;
  NetnsArgs netns;
  std::vector<std::string> labels;  // --label KEY=VALUE
};

// --label KEY=VALUE, repeatable; a later KEY replaces an earlier one.
core::Result<std::map<std::string, std::string>> parse_labels(const std::vector<std::string>& args) {
  std::map<std::string, std::string> labels;
  for (const auto& a : args) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      return core::as_usage(core::make_error("--label " + a, "expected KEY=VALUE", 0, "for example --label role=web"));
    }
    labels[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return labels;
}

// The host name and labels every snapshot of this run records (kernel.hostname is read with the
// other sysctls, so --root trees name their own host).
void name_host(core::Snapshot& s, const std::map<std::string, std::string>& labels) {
  if (const auto* h = s.find("kernel.hostname"); h && h->has_value()) {
    s.host = h->value.text;
    while (!s.host.empty() && (s.host.back() == '\n' || s.host.back() == ' ')) s.host.pop_back();
  }
  s.labels = labels;
}

nlohmann::json namespaces_json(const std::vector<NamespaceSnapshot>& spaces) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& s : spaces) {
    auto j = netns_info_json(s.info);
    j["global_keys"] = s.global_keys;
    j["error"] = s.error ? nlohmann::json(s.error->summary()) : nlohmann::json(nullptr);
    j["snapshot"] = s.snapshot ? core::snapshot_to_json(*s.snapshot) : nlohmann::json(nullptr);
    arr.push_back(std::move(j));
  }
  return {{"schema", "tcptune.netns-snapshots"}, {"schema_version", 1}, {"namespaces", std::move(arr)}};
}

CommandResult run_snapshot(const Globals& g, const SnapshotOptions& o) {
  std::vector<core::NetnsInfo> targets;
  if (o.netns.any()) {
    auto named = netns_targets(g, o.netns);
    if (!named) return named.error();
    targets = std::move(*named);
  }
  auto labels = parse_labels(o.labels);
  if (!labels) return labels.error();
  auto k = load_knowledge({}, KnowledgeParts::kRules);
  if (!k) return k.error();
  SnapshotSource source;
  source.root = g.root;
  source.keys = keys_to_collect(*k);
  source.keys.push_back("kernel.hostname");
  // With a namespace option the host's census is needed only when the host is one of them.
  source.census = targets.empty() || std::any_of(targets.begin(), targets.end(), [](const auto& t) { return t.is_host; });
  auto host = obtain_snapshot(source);
  if (!host) return host.error();
  name_host(*host, *labels);
  nlohmann::json doc;
  if (!o.netns.any()) {
    doc = core::snapshot_to_json(*host);
  } else {
    auto spaces = collect_namespaces(*host, targets, *k, true);
    for (auto& sp : spaces) {
      if (sp.snapshot) {  // the namespaces of one host share its host name (one UTS namespace)
        sp.snapshot->host = host->host;
        sp.snapshot->labels = *labels;
      }
    }
    if (o.netns.all) {
      doc = namespaces_json(spaces);
    } else if (!spaces.front().snapshot) {
      return *spaces.front().error;
    } else {
      doc = core::snapshot_to_json(*spaces.front().snapshot);
    }
  }
  if (auto st = write_output(o.output, doc.dump(2) + "\n"); !st) return st.error();
  return Outcome::kOk;
}

}  // namespace

void register_snapshot(CLI::App& app, Globals& g) {
  auto o = std::make_shared<SnapshotOptions>();
  auto* cmd = app.add_subcommand("snapshot", "Capture settings, configuration and evidence as JSON");
  cmd->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of standard output");
  cmd->add_option("--label", o->labels, "Record KEY=VALUE in the snapshot (repeatable; tcptune fleet --group-by KEY)");
  add_netns_options(cmd, o->netns);
  cmd->footer("Examples:\n  tcptune snapshot -o host.json   (then elsewhere: tcptune audit --snapshot host.json)\n"
              "  tcptune snapshot --label role=web -o web1.json   (then: tcptune fleet --group-by role DIR)");
  cmd->callback([&g, o] { g.result = run_snapshot(g, *o); });
}

}  // namespace tcptune::cli

// tcptune explain KEY: what a sysctl does, its unit, default, range, scope and misconceptions.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/explain_render.h"
#include "cli/knowledge.h"
#include "cli/output.h"
#include "core/catalogue_suggest.h"
#include "core/sysctl_key.h"
#include "platform/sysctl_store.h"

namespace tcptune::cli {
namespace {

struct ExplainOptions {
  std::string key;
  std::string format = "text";
};

// Accepts the canonical key, the slash form, or a unique suffix ("tcp_fin_timeout").
const core::CatalogueEntry* lookup(const core::Catalogue& cat, const std::string& wanted) {
  const std::string key = core::normalize_key(wanted);
  if (const auto* e = cat.find(key)) return e;
  const core::CatalogueEntry* match = nullptr;
  for (const auto& [k, e] : cat.entries) {
    if (k.size() > key.size() && k.compare(k.size() - key.size(), key.size(), key) == 0 &&
        k[k.size() - key.size() - 1] == '.') {
      if (match) return nullptr;  // ambiguous
      match = &e;
    }
  }
  return match;
}

int run_explain(const Globals& g, const ExplainOptions& o) {
  auto k = load_knowledge({}, false);
  if (!k) return report_error(k.error(), kExitRuntime);
  const auto* entry = lookup(k->catalogue, o.key);
  if (!entry) {
    const auto near = core::suggest_keys(k->catalogue, o.key);
    std::string hint = near.empty() ? "run 'tcptune explain --list' to see the keys tcptune knows"
                                    : fmt::format("did you mean {}?", fmt::join(near, ", "));
    return report_error(core::make_error(o.key, "not a key tcptune knows", 0, hint), kExitUsage);
  }
  platform::ProcSysctl store(g.root);
  const core::SysctlReading live = store.read(entry->key);
  const std::string text = o.format == "json" ? render_explain_json(*entry, &live).dump(2) + "\n"
                                              : render_explain(*entry, &live);
  if (auto st = write_output("", text); !st) return report_error(st.error(), kExitRuntime);
  return kExitOk;
}

int run_list() {
  auto k = load_knowledge({}, false);
  if (!k) return report_error(k.error(), kExitRuntime);
  std::string out;
  for (const auto& [key, e] : k->catalogue.entries) out += key + "\n";
  if (auto st = write_output("", out); !st) return report_error(st.error(), kExitRuntime);
  return kExitOk;
}

}  // namespace

void register_explain(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ExplainOptions>();
  auto list = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("explain", "Explain a sysctl: meaning, unit, default, range, scope, misconceptions");
  cmd->add_option("key", o->key, "Sysctl key (net.ipv4.tcp_fin_timeout, net/ipv4/tcp_fin_timeout or tcp_fin_timeout)");
  cmd->add_flag("--list", *list, "List the keys tcptune knows");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->footer("Example: tcptune explain tcp_fin_timeout");
  cmd->callback([&g, o, list] {
    if (*list) { g.exit_code = run_list(); return; }
    if (o->key.empty()) throw CLI::RequiredError("key");
    g.exit_code = run_explain(g, *o);
  });
}

}  // namespace tcptune::cli

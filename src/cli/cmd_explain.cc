// tcptune explain KEY: what a sysctl does, its unit, default, range, scope and misconceptions.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/explain_render.h"
#include "cli/knowledge.h"
#include "cli/output.h"
#include "cli/rule_explain.h"
#include "core/did_you_mean.h"
#include "core/severity.h"
#include "core/catalogue_suggest.h"
#include "core/sysctl_key.h"
#include "platform/sysctl_store.h"

namespace tcptune::cli {
namespace {

struct ExplainOptions {
  std::string key;
  std::string format = "text";
  std::vector<std::string> rule_dirs;
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

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

// A finding id such as TT-CLOSEWAIT-001 (any case); keys never contain '-' and uppercase.
bool looks_like_rule_id(const std::string& s) {
  return s.find('-') != std::string::npos && s.find('.') == std::string::npos && s.find('/') == std::string::npos;
}

CommandResult run_explain_rule(const ExplainOptions& o, const std::vector<std::string>& rule_dirs) {
  auto k = load_knowledge(rule_dirs, KnowledgeParts::kRules);
  if (!k) return k.error();
  std::vector<std::string> ids;
  for (const auto& r : k->rules) {
    if (upper(r.id) != upper(o.key)) {
      ids.push_back(r.id);
      continue;
    }
    Renderers out;
    out.text = [&](bool) { return render_rule_explain(r, k->thresholds); };
    out.json = [&] { return render_rule_explain_json(r, k->thresholds); };
    if (auto st = emit({o.format, "", false}, out); !st) return st.error();
    return Outcome::kOk;
  }
  const std::string near = core::did_you_mean(upper(o.key), ids);
  return core::as_usage(core::make_error(o.key, "no rule or finding with this id" + near, 0,
                                        "run 'tcptune explain --list-rules' to see the rule ids"));
}

CommandResult run_list_rules(const std::vector<std::string>& rule_dirs) {
  auto k = load_knowledge(rule_dirs, KnowledgeParts::kRules);
  if (!k) return k.error();
  std::string out;
  for (const auto& r : k->rules) out += fmt::format("{:<18} {:<8} {}\n", r.id, core::severity_name(r.severity), r.title);
  if (auto st = write_output("", out); !st) return st.error();
  return Outcome::kOk;
}

CommandResult run_explain(const Globals& g, const ExplainOptions& o) {
  if (looks_like_rule_id(o.key)) return run_explain_rule(o, o.rule_dirs);
  auto k = load_knowledge({}, KnowledgeParts::kCatalogueWithNotes);
  if (!k) return k.error();
  const auto* entry = lookup(k->catalogue, o.key);
  if (!entry) {
    const auto near = core::suggest_keys(k->catalogue, o.key);
    std::string hint = near.empty() ? "run 'tcptune explain --list' to see the keys tcptune knows"
                                    : fmt::format("did you mean {}?", fmt::join(near, ", "));
    return core::as_usage(core::make_error(o.key, "not a key tcptune knows", 0, hint));
  }
  platform::ProcSysctl store(g.root);
  const core::SysctlReading live = store.read(entry->key);
  Renderers out;
  out.text = [&](bool) { return render_explain(*entry, &live); };
  out.json = [&] { return render_explain_json(*entry, &live); };
  if (auto st = emit({o.format, "", g.no_color}, out); !st) return st.error();
  return Outcome::kOk;
}

CommandResult run_list() {
  auto k = load_knowledge({}, KnowledgeParts::kCatalogue);
  if (!k) return k.error();
  std::string out;
  for (const auto& [key, e] : k->catalogue.entries) out += key + "\n";
  if (auto st = write_output("", out); !st) return st.error();
  return Outcome::kOk;
}

}  // namespace

void register_explain(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ExplainOptions>();
  auto list = std::make_shared<bool>(false);
  auto list_rules = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("explain", "Explain a sysctl (meaning, unit, default, range, scope, misconceptions) "
                                            "or a finding (mechanism, what not to do, recommendation)");
  cmd->add_option("key", o->key, "Sysctl key (net.ipv4.tcp_fin_timeout, net/ipv4/tcp_fin_timeout or tcp_fin_timeout) "
                                 "or finding id (TT-CLOSEWAIT-001)");
  cmd->add_flag("--list", *list, "List the keys tcptune knows");
  cmd->add_flag("--list-rules", *list_rules, "List the rule (finding) ids");
  cmd->add_option("--rules", o->rule_dirs, "Also load rules from DIR (repeatable)");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->footer("Examples:\n  tcptune explain tcp_fin_timeout\n  tcptune explain TT-CLOSEWAIT-001");
  cmd->callback([&g, o, list, list_rules] {
    if (*list) { g.result = run_list(); return; }
    if (*list_rules) { g.result = run_list_rules(o->rule_dirs); return; }
    if (o->key.empty()) throw CLI::RequiredError("key");
    g.result = run_explain(g, *o);
  });
}

}  // namespace tcptune::cli

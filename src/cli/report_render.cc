#include "cli/report_render.h"

#include <span>

#include <fmt/format.h>

#include "cli/census_render.h"
#include "cli/text_wrap.h"
#include "core/census_json.h"

namespace tcptune::cli {
namespace {

struct Style {
  bool on;
  std::string wrap(std::string_view code, std::string_view text) const {
    return on ? fmt::format("\033[{}m{}\033[0m", code, text) : std::string(text);
  }
};

std::string_view color_of(core::Severity s) {
  switch (s) {
    case core::Severity::kCritical: return "1;31";
    case core::Severity::kWarning: return "1;33";
    case core::Severity::kInfo: return "1;36";
  }
  return "0";
}

std::string severity_title(core::Severity s) {
  std::string t(core::severity_name(s));
  for (char& c : t) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return t;
}

std::string heading(const core::Report& r, const ReportContext& ctx) {
  std::string out = "tcptune audit";
  if (ctx.snapshot) {
    const auto& s = *ctx.snapshot;
    out += fmt::format(" of {}: kernel {}", ctx.source, s.kernel_release.value_or("(unknown)"));
    if (s.netns.inode) out += fmt::format(", netns {}", *s.netns.inode);
    if (!s.netns.name.empty()) out += fmt::format(" ({})", s.netns.name);
  }
  out += fmt::format("\n{} rules checked; {} critical, {} warning, {} info; {} data gaps\n", ctx.rule_count,
                     r.count(core::Severity::kCritical), r.count(core::Severity::kWarning),
                     r.count(core::Severity::kInfo), r.gaps.size());
  return out;
}

void render_evidence(std::string& out, const std::vector<core::Evidence>& evidence, std::string_view indent) {
  size_t w = 0;
  for (const auto& e : evidence) w = std::max(w, e.label.size());
  for (const auto& e : evidence) out += fmt::format("{}{:<{}}  {}\n", indent, e.label, w, e.value);
}

void render_section(std::string& out, const char* title, const std::string& text) {
  if (text.empty()) return;
  out += fmt::format("    {}:\n", title);
  out += wrap_block(text, "      ", 100) + "\n";
}

// One finding in full: message, evidence, mechanism, what not to do, recommendation, references.
void render_finding(std::string& out, const core::Finding& f, const Style& st) {
  out += fmt::format("\n  {} {}\n", st.wrap(color_of(f.severity), f.id), st.wrap("1", f.title));
  out += wrap_block(f.message, "    ", 100) + "\n";
  if (!f.evidence.empty()) {
    out += "    evidence:\n";
    render_evidence(out, f.evidence, "      ");
  }
  render_section(out, "mechanism", f.mechanism);
  render_section(out, "do not", f.avoid);
  render_section(out, "recommendation", f.recommendation);
  if (!f.references.empty()) out += fmt::format("    references: {}\n", fmt::join(f.references, "; "));
}

// The text every finding of the group has (the rule's explanation); empty when they differ.
std::string shared_text(std::span<const core::Finding> group, std::string core::Finding::*field) {
  for (const auto& f : group) {
    if (f.*field != group.front().*field) return {};
  }
  return group.front().*field;
}

// Several findings of one rule: the title once, each item's message and evidence, then the
// explanation once (an explanation that differs between items stays with each item).
void render_group(std::string& out, std::span<const core::Finding> group, const Style& st) {
  const core::Finding& first = group.front();
  out += fmt::format("\n  {} {} ({} items)\n", st.wrap(color_of(first.severity), first.id), st.wrap("1", first.title),
                     group.size());
  const std::string mechanism = shared_text(group, &core::Finding::mechanism);
  const std::string avoid = shared_text(group, &core::Finding::avoid);
  const std::string recommendation = shared_text(group, &core::Finding::recommendation);
  for (const auto& f : group) {
    out += wrap_text(f.message, fmt::format("    - {}: ", f.item), "      ", 100);
    render_evidence(out, f.evidence, "        ");
    if (mechanism.empty()) render_section(out, "mechanism", f.mechanism);
    if (avoid.empty()) render_section(out, "do not", f.avoid);
    if (recommendation.empty()) render_section(out, "recommendation", f.recommendation);
  }
  render_section(out, "mechanism", mechanism);
  render_section(out, "do not", avoid);
  render_section(out, "recommendation", recommendation);
  if (!first.references.empty()) out += fmt::format("    references: {}\n", fmt::join(first.references, "; "));
}

// The message up to the end of its first sentence, on one line.
std::string first_sentence(std::string_view message) {
  std::string out;
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i] == '\n' ? ' ' : message[i];
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
    if (c == '.' && (i + 1 == message.size() || message[i + 1] == ' ' || message[i + 1] == '\n')) break;
  }
  return out;
}

// Info findings compact: the rule once, then one line per item (the message's first sentence).
void render_compact(std::string& out, std::span<const core::Finding> group, const Style& st) {
  const core::Finding& first = group.front();
  const std::string id = st.wrap(color_of(first.severity), first.id);
  if (group.size() == 1) {
    out += fmt::format("  {} {}: {}\n", id, first.title, first_sentence(first.message));
    return;
  }
  out += fmt::format("  {} {} ({} items)\n", id, first.title, group.size());
  for (const auto& f : group) out += fmt::format("    - {}\n", first_sentence(f.message));
}

}  // namespace

std::string render_report_text(const core::Report& r, const ReportContext& ctx, bool color) {
  const Style st{color};
  std::string out = heading(r, ctx);
  if (ctx.snapshot && ctx.snapshot->census) out.append("\n").append(render_census_summary(*ctx.snapshot->census));
  bool compacted = false;
  for (auto sev : {core::Severity::kCritical, core::Severity::kWarning, core::Severity::kInfo}) {
    const int n = r.count(sev);
    if (n == 0) continue;
    out += fmt::format("\n{}\n", st.wrap(color_of(sev), fmt::format("{} ({})", severity_title(sev), n)));
    const bool compact = sev == core::Severity::kInfo && !ctx.verbose;
    if (compact) out += "\n";
    compacted = compacted || compact;
    // Findings are in report order (severity, id, item), so a rule's findings are adjacent.
    for (size_t i = 0; i < r.findings.size();) {
      size_t j = i;
      while (j < r.findings.size() && r.findings[j].id == r.findings[i].id) ++j;
      const std::span<const core::Finding> group(r.findings.data() + i, j - i);
      if (group.front().severity == sev) {
        if (compact) render_compact(out, group, st);
        else if (group.size() == 1) render_finding(out, group.front(), st);
        else render_group(out, group, st);
      }
      i = j;
    }
  }
  if (compacted) out += "\n  (info in one line each: 'tcptune explain ID' or 'tcptune audit --verbose' for the whole text)\n";
  if (r.findings.empty()) out += "\nNo findings.\n";
  if (!r.gaps.empty()) {
    out += fmt::format("\nData gaps ({}): missing evidence, not assumed\n", r.gaps.size());
    for (const auto& g : r.gaps) out += fmt::format("  - {}: {}\n", g.what, g.reason);
  }
  return out;
}

}  // namespace tcptune::cli

namespace tcptune::cli {

nlohmann::json render_report_json(const core::Report& r, const ReportContext& ctx) {
  using nlohmann::json;
  json j;
  j["schema"] = "tcptune.report";
  j["schema_version"] = kReportSchemaVersion;
  j["tool_version"] = TCPTUNE_VERSION;
  json host = json::object();
  if (ctx.snapshot) {
    const auto& s = *ctx.snapshot;
    host["kernel_release"] = s.kernel_release ? json(*s.kernel_release) : json(nullptr);
    host["netns_inode"] = s.netns.inode ? json(*s.netns.inode) : json(nullptr);
    host["netns_name"] = s.netns.name;
    host["root"] = s.root;
  }
  host["source"] = ctx.source;
  j["host"] = std::move(host);
  j["summary"] = {{"rules", ctx.rule_count},
                  {"critical", r.count(core::Severity::kCritical)},
                  {"warning", r.count(core::Severity::kWarning)},
                  {"info", r.count(core::Severity::kInfo)},
                  {"gaps", r.gaps.size()}};
  json findings = json::array();
  for (const auto& f : r.findings) {
    json ev = json::array();
    for (const auto& e : f.evidence) ev.push_back({{"label", e.label}, {"value", e.value}});
    findings.push_back({{"id", f.id},
                        {"severity", core::severity_name(f.severity)},
                        {"title", f.title},
                        {"item", f.item},
                        {"message", f.message},
                        {"evidence", std::move(ev)},
                        {"mechanism", f.mechanism},
                        {"avoid", f.avoid},
                        {"recommendation", f.recommendation},
                        {"references", f.references}});
  }
  j["findings"] = std::move(findings);
  json gaps = json::array();
  for (const auto& g : r.gaps) gaps.push_back({{"what", g.what}, {"reason", g.reason}});
  j["gaps"] = std::move(gaps);
  j["census"] = ctx.snapshot && ctx.snapshot->census ? core::census_to_json(*ctx.snapshot->census) : json(nullptr);
  return j;
}

}  // namespace tcptune::cli

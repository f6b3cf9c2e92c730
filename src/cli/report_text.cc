#include <fmt/format.h>

#include "cli/census_render.h"
#include "cli/explain_render.h"
#include "cli/report_render.h"
#include "cli/rule_explain.h"

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

void render_finding(std::string& out, const core::Finding& f, const Style& st) {
  out += fmt::format("\n  {} {}\n", st.wrap(color_of(f.severity), f.id), st.wrap("1", f.title));
  out += wrap_block(f.message, "    ", 100) + "\n";
  if (!f.evidence.empty()) {
    size_t w = 0;
    for (const auto& e : f.evidence) w = std::max(w, e.label.size());
    out += "    evidence:\n";
    for (const auto& e : f.evidence) out += fmt::format("      {:<{}}  {}\n", e.label, w, e.value);
  }
  if (!f.mechanism.empty()) {
    out += "    mechanism:\n";
    out += wrap_block(f.mechanism, "      ", 100) + "\n";
  }
  if (!f.avoid.empty()) {
    out += "    do not:\n";
    out += wrap_block(f.avoid, "      ", 100) + "\n";
  }
  if (!f.recommendation.empty()) {
    out += "    recommendation:\n";
    out += wrap_block(f.recommendation, "      ", 100) + "\n";
  }
  if (!f.references.empty()) out += fmt::format("    references: {}\n", fmt::join(f.references, "; "));
}

}  // namespace

std::string render_report_text(const core::Report& r, const ReportContext& ctx, bool color) {
  const Style st{color};
  std::string out = heading(r, ctx);
  // Appended in two steps: `"\n" + string` is misreported by GCC 12 at -O3 (-Wrestrict, GCC bug 105329).
  if (ctx.snapshot && ctx.snapshot->census) out.append("\n").append(render_census_summary(*ctx.snapshot->census));
  for (auto sev : {core::Severity::kCritical, core::Severity::kWarning, core::Severity::kInfo}) {
    const int n = r.count(sev);
    if (n == 0) continue;
    out += fmt::format("\n{}\n", st.wrap(color_of(sev), fmt::format("{} ({})", severity_title(sev), n)));
    for (const auto& f : r.findings) {
      if (f.severity == sev) render_finding(out, f, st);
    }
  }
  if (r.findings.empty()) out += "\nNo findings.\n";
  if (!r.gaps.empty()) {
    out += fmt::format("\nData gaps ({}): missing evidence, not assumed\n", r.gaps.size());
    for (const auto& g : r.gaps) out += fmt::format("  - {}: {}\n", g.what, g.reason);
  }
  return out;
}

}  // namespace tcptune::cli

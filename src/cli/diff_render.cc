#include "cli/diff_render.h"

#include <algorithm>

#include <fmt/format.h>

namespace tcptune::cli {
namespace {

void render_section(std::string& out, const char* title, const std::vector<core::DiffEntry>& es) {
  if (es.empty()) return;
  out += fmt::format("\n{} ({})\n", title, es.size());
  size_t w = 0;
  for (const auto& e : es) w = std::max(w, e.name.size());
  for (const auto& e : es) {
    if (!e.a) out += fmt::format("  + {:<{}}  {}  (only in B)\n", e.name, w, *e.b);
    else if (!e.b) out += fmt::format("  - {:<{}}  {}  (only in A)\n", e.name, w, *e.a);
    else out += fmt::format("  ~ {:<{}}  {} -> {}\n", e.name, w, *e.a, *e.b);
  }
}

}  // namespace

std::string render_diff_text(const core::SnapshotDiff& d, const std::string& a, const std::string& b) {
  std::string out = fmt::format("tcptune diff: A = {}, B = {}\n", a, b);
  if (d.empty()) return out + "\nNo differences.\n";
  render_section(out, "Snapshot", d.header);
  render_section(out, "Sysctls", d.sysctls);
  render_section(out, "Configuration (what boot applies)", d.config);
  render_section(out, "Socket census (totals by state)", d.census);
  render_section(out, "Counters", d.counters);
  return out;
}

}  // namespace tcptune::cli

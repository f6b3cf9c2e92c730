#include "core/report.h"

#include <algorithm>
#include <tuple>

namespace tcptune::core {

void finalize_report(Report& report) {
  std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tuple(-static_cast<int>(a.severity), a.id, a.item) <
           std::tuple(-static_cast<int>(b.severity), b.id, b.item);
  });
  report.counts = {};
  for (const auto& f : report.findings) ++report.counts[static_cast<size_t>(f.severity)];
}

}  // namespace tcptune::core

// The outcome of evaluating rules against a snapshot: findings, data gaps, counts.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/severity.h"
#include "core/snapshot.h"

namespace tcptune::core {

struct Evidence {
  std::string label;  // "key", "live", "configured", "also set", "procps applies", "kernel"
  std::string value;
  bool operator==(const Evidence&) const = default;
};

struct Finding {
  std::string id;
  Severity severity = Severity::kInfo;
  std::string title;
  std::string message;     // rendered template
  std::vector<Evidence> evidence;
  std::string mechanism;   // how the kernel behaves here ("" when the rule has none)
  std::string avoid;       // what not to do ("" when the rule has none)
  std::string recommendation;
  std::vector<std::string> references;
  std::string item;        // the item of an iterating rule (e.g. a key), empty otherwise
  bool operator==(const Finding&) const = default;
};

struct Report {
  std::vector<Finding> findings;  // most severe first, then by id, then by item
  std::vector<Gap> gaps;          // the snapshot's gaps, then those raised during evaluation
  std::array<int, kSeverityCount> counts{};  // indexed by Severity

  int count(Severity s) const { return counts[static_cast<size_t>(s)]; }
};

// Sorts into report order and recomputes the counts.
void finalize_report(Report& report);

}  // namespace tcptune::core

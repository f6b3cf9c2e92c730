// Differences between two snapshots (two hosts, or one host before and after a change):
// sysctl readings, configuration winners (what boot applies), census totals by state and
// counter values. Pure; rendered as text or JSON by cli/cmd_diff.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/snapshot.h"

namespace tcptune::core {

// One item that differs. A side without the item has nullopt ("only in A" / "only in B").
struct DiffEntry {
  std::string name;  // key, "STATE", or counter name
  std::optional<std::string> a;
  std::optional<std::string> b;
  bool operator==(const DiffEntry&) const = default;
};

struct SnapshotDiff {
  std::vector<DiffEntry> header;    // kernel release, netns inode, root
  std::vector<DiffEntry> sysctls;   // readings: value text, "absent", "unreadable: <errno name>"
  std::vector<DiffEntry> config;    // winner per key: "value (file:line)"
  std::vector<DiffEntry> census;    // totals by state, and "(census)" when one side has none
  std::vector<DiffEntry> counters;  // current sample values (sockstat as "sockstat.tw", ...)
  bool empty() const;
};

// Compares a with b. Every list is sorted by name; equal items are left out.
SnapshotDiff diff_snapshots(const Snapshot& a, const Snapshot& b);

// {"schema":"tcptune.diff","schema_version":1,"a":label_a,"b":label_b,"sections":{...}} with
// each section an array of {"name","a","b"} (null for a missing side).
nlohmann::json diff_to_json(const SnapshotDiff& d, const std::string& label_a, const std::string& label_b);

inline constexpr int kDiffSchemaVersion = 1;

}  // namespace tcptune::core

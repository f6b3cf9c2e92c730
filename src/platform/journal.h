// The rollback journal: previous values of every key an apply changes, written (and fsynced)
// to the state directory before the first write, so that `tcptune rollback` can undo the last
// apply even after a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace tcptune::platform {

inline constexpr int kJournalSchemaVersion = 1;

struct JournalEntry {
  std::string key;
  std::string before;  // value to restore
  std::string after;   // value the apply wrote
  bool operator==(const JournalEntry&) const = default;
};

// Lifecycle: "pending" (written before any change; left behind if the apply was interrupted),
// then "applied", or "restored" (the apply failed and undid itself). Rollback moves "applied" or
// "pending" to "rolling-back" (left behind if interrupted) and then to "rolled-back".
struct Journal {
  std::string state;
  std::string profile;
  std::string tool_version;
  std::string root;     // --root the keys were written under ("/" for the host)
  int64_t pid = 0;      // process that wrote the journal
  std::string started;  // UTC, ISO 8601
  std::vector<JournalEntry> entries;
  bool operator==(const Journal&) const = default;

  // An apply or rollback that did not finish: its process died with the journal in this state.
  bool interrupted() const { return state == "pending" || state == "rolling-back"; }
};

std::string journal_path(std::string_view state_dir);

nlohmann::json journal_to_json(const Journal& j);
// Checked reader: every field present with the right type, a known state.
core::Result<Journal> journal_from_json(const nlohmann::json& j, std::string_view path);

// Atomically replaces <state_dir>/journal.json (mode 0600, fsync of file and directory).
core::Status write_journal(std::string_view state_dir, const Journal& j);

// nullopt when there is no journal.
core::Result<std::optional<Journal>> read_journal(std::string_view state_dir);

// Current time as "2026-11-21T06:30:00Z".
std::string utc_now();

}  // namespace tcptune::platform

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

#include "core/plan.h"
#include "core/result.h"

namespace tcptune::platform {

inline constexpr int kJournalSchemaVersion = 1;

// Lifecycle: kPending (written before any change; left behind if the apply was interrupted),
// then kApplied, or kRestored (the apply failed and undid itself). Rollback moves kApplied or
// kPending to kRollingBack (left behind if interrupted) and then to kRolledBack.
enum class JournalState { kPending, kApplied, kRestored, kRollingBack, kRolledBack };

// The on-disk spelling: "pending", "applied", "restored", "rolling-back", "rolled-back".
std::string_view to_string(JournalState s);
// The inverse of to_string; nullopt for any other text.
std::optional<JournalState> parse_journal_state(std::string_view text);

struct Journal {
  JournalState state = JournalState::kPending;
  std::string profile;
  std::string tool_version;
  std::string root;     // --root the keys were written under ("/" for the host)
  int64_t pid = 0;      // process that wrote the journal
  std::string started;  // UTC, ISO 8601
  std::vector<core::Change> entries;  // before: value to restore; after: value the apply wrote
  bool operator==(const Journal&) const = default;

  // An apply or rollback that did not finish: its process died with the journal in this state.
  bool interrupted() const {
    return state == JournalState::kPending || state == JournalState::kRollingBack;
  }
};

std::string journal_path(std::string_view state_dir);

nlohmann::json journal_to_json(const Journal& j);
// Checked reader (core::JsonReader): every field present with the right type, a known state,
// schema_version 1; a damaged journal is an error "<path>: /json/pointer: expected ...".
core::Result<Journal> journal_from_json(const nlohmann::json& j, std::string_view path);

// Atomically replaces <state_dir>/journal.json (mode 0600, fsync of file and directory).
core::Status write_journal(std::string_view state_dir, const Journal& j);

// nullopt when there is no journal.
core::Result<std::optional<Journal>> read_journal(std::string_view state_dir);

// Current time as "2026-11-21T06:30:00Z".
std::string utc_now();

}  // namespace tcptune::platform

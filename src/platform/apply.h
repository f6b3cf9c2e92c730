// Transactional execution of a plan on a SysctlStore: lock, journal (fsynced before the first
// write), write + read-back of every key, and on any failure the restoration of every key
// already written. The result is all or nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/result.h"
#include "platform/journal.h"
#include "platform/lock.h"
#include "platform/sysctl_store.h"

namespace tcptune::platform {

struct ExecResult {
  std::vector<std::string> written;          // keys written and verified, in order
  std::optional<core::Error> failure;        // the write or read-back that failed
  std::vector<std::string> restored;         // keys put back to `before` after the failure
  std::vector<core::Error> restore_failures;  // keys that could not be put back
  bool ok() const { return !failure; }
  bool consistent() const { return restore_failures.empty(); }  // nothing left half-done
};

// Writes every change in order and reads each back (compared as the kernel parses numbers).
// On the first failure, every key touched so far (including the failing one, whose write may
// have landed) is restored to `before` in reverse order, each verified by reading it back.
// `before` is the value to restore on failure, `after` the value to write.
ExecResult execute_changes(SysctlStore& store, const std::vector<core::Change>& changes);

struct ApplyOptions {
  std::string state_dir = kDefaultStateDir;
  std::string root = "/";          // recorded in the journal; rollback refuses another root
  std::string tool_version;
  bool dry_run = false;            // compute and report only: no lock, no journal, no writes
};

struct ApplyOutcome {
  std::vector<core::Change> changes;  // what was (or, in a dry run, would be) written
  std::vector<std::string> notes;     // e.g. "net.ipv4.x changed since the plan was made"
  ExecResult exec;
  bool dry_run = false;
};

// Applies the changing items of a plan. Before writing: state directory (0700), lock, refusal
// of a journal left by an interrupted apply or rollback (run rollback first), fresh read of
// every key (the journal holds these values, not the snapshot's), journal kPending + fsync.
// Afterwards the journal says kApplied, or kRestored when a failure was fully undone; a
// failure is returned as an error saying what was restored. A plan with nothing to change
// touches nothing and keeps the previous journal.
core::Result<ApplyOutcome> apply_plan(const core::Plan& plan, SysctlStore& store,
                                      const ApplyOptions& opts);

// Restores the values recorded by the last journal (kApplied, or left kPending/kRollingBack by an
// interrupted run), with the same all-or-nothing guarantee, and marks it kRolledBack. What to
// write is core::plan_rollback's plan of the journal against the keys' values read now; a dry
// run returns that plan's changes and notes and touches nothing (no lock, no writes).
core::Result<ApplyOutcome> rollback_last(SysctlStore& store, const ApplyOptions& opts);

// Refuses, before anything is written, a read-only <root>/proc/sys (a container) and keys the
// caller may not write (non-root, or read-only in this network namespace).
core::Status check_writable(const std::string& root, const std::vector<std::string>& keys);

}  // namespace tcptune::platform

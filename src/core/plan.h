// Actions are plans (DESIGN.md section 1): `recommend`, `apply`, `rollback` and `generate` first
// compute an ordered list of changes with before/after values and reasons, here, without I/O;
// the platform executes it (platform/apply.h) and journals it (platform/journal.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.h"
#include "core/profile_resolve.h"
#include "core/result.h"
#include "core/snapshot.h"

namespace tcptune::core {

// One key's transition, the unit the platform writes, restores and journals: `before` is the
// value read from the kernel (restored if the transaction fails), `after` the value to write.
struct Change {
  std::string key;
  std::string before;
  std::string after;
  bool operator==(const Change&) const = default;
};

// A Change with what the plan knows about it. `before` is the live value text from the snapshot
// (make_plan) or as read just before a rollback (plan_rollback); `after` the target value text.
struct PlannedChange : Change {
  std::string reason;   // one line
  std::string origin;   // profile that set the target, or "journal" for a rollback
  bool change = true;   // to be written; make_plan: false when the live value already equals it
  std::vector<std::string> notes;  // context found in the snapshot (e.g. "no effect under bbr")
  bool kernel_default = false;     // target is the running kernel's default (kernel_defaults)
  // The profile's value is a floor (`at_least`) that the live value already exceeds (or, for a
  // range, contains): nothing is written, `after` is the live value and `floor` the profile's.
  bool floor_kept = false;
  std::string floor;
  bool operator==(const PlannedChange&) const = default;
};

struct Plan {
  std::string profile;      // profile name, or "rollback"
  std::string description;  // profile description, or what a rollback undoes
  std::optional<KernelVersion> kernel;  // the snapshot's kernel version, when known
  std::vector<PlannedChange> items;     // in profile order
  std::vector<std::string> omitted;     // kernel_defaults entries that do not apply here, and why
  // How many ESTABLISHED sockets a tcp_keepalive_* change reaches now, from the live census
  // ("" without one). Shown by recommend and apply on each changed keepalive key; not written to
  // a generated sysctl.d file, whose text must not depend on the connections of the moment.
  std::string keepalive_reach;
  bool operator==(const Plan&) const = default;

  // Number of items whose live value differs from the target.
  size_t change_count() const;
};

// Builds the plan of a resolved profile against a snapshot. Every key must be present on the
// running kernel: a key the snapshot reads as absent, or that the catalogue says this kernel
// version lacks, is an error naming the key and where the profile sets it; an unreadable key is
// an error with its errno. `kernel_defaults` entries take the compiled-in default for the
// snapshot's kernel version; entries the kernel lacks, or whose default cannot be known here,
// are left out and listed in `omitted`.
Result<Plan> make_plan(const ResolvedProfile& profile, const Catalogue& cat, const Snapshot& snap);

// The plan of a rollback of the apply of `profile` recorded by `journal` (its entries, in
// order): every key goes back to its entry's `before`. `now` holds the keys' current readings
// (the platform reads them under its lock); a key it cannot read is an error naming the key.
// Every item is written (change = true), even one whose live value already equals its target:
// the read-back of each then proves the whole journal restored, including the keys an
// interrupted apply never reached. A key no longer holding what the apply wrote gets a note.
Result<Plan> plan_rollback(std::string_view profile, const std::vector<Change>& journal,
                           const Snapshot& now);

// True when a reading holds `want`, compared as the kernel parses the written text
// (value_differs: whitespace-separated integers by value, so "32768\t60999" holds "32768 60999");
// an empty `want` (a cleared list) is held by an empty value. False for a key without a value.
bool reading_holds(const SysctlReading& r, std::string_view want);

// True for memory-derived defaults that derived_default() can compute exactly from a snapshot.
bool derived_default_supported(std::string_view key);

// The running kernel's default for a memory-derived key, from other values in the snapshot:
// tcp_max_tw_buckets = |tcp_ehash_entries| / 2 (tcp_set_hashinfo(); a negative value means the
// netns shares the global hash of that size). nullopt when the inputs were not read.
std::optional<std::string> derived_default(std::string_view key, const Snapshot& snap);

// Keys a snapshot must read to plan `profile` (its keys, plus inputs of derived defaults and
// notes).
std::vector<std::string> plan_inputs(const ResolvedProfile& profile);

}  // namespace tcptune::core

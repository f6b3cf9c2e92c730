// Builds a Snapshot of the host (or of a copied tree under --root). Every piece that cannot be
// read becomes a Gap with its reason; nothing is guessed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/snapshot.h"

namespace tcptune::platform {

struct CollectOptions {
  std::string root = "/";
  std::vector<std::string> keys;  // canonical keys to read (catalogue + rules + profiles)
  bool census = true;             // take the socket census and read the TCP counters
  uint32_t interval_ms = 0;       // > 0: two counter samples this far apart (rates; sleeps)
  bool processes = false;         // name socket owners (walks /proc/*/fd; costly, needs root)
  size_t top_n = 32;              // busiest ports and remotes kept for the rules to iterate
};

core::Snapshot collect_snapshot(const CollectOptions& opts);

// The evidence of a snapshot on its own: the TCP counters and the socket census (opts.census is
// not consulted), with their gaps. The audit takes it before it loads its rules, so that the
// process view's index (4 bytes a socket with an inode) and the parsed rules are never in memory
// together (bench/RESULTS.md, "What a command's peak RSS is made of").
core::Snapshot collect_evidence(const CollectOptions& opts);
// collect_snapshot() with the evidence taken before by collect_evidence() (opts.census is not
// consulted): the same snapshot, its evidence gaps last as always.
core::Snapshot collect_snapshot(const CollectOptions& opts, core::Snapshot evidence);

// Expands a canonical glob key against the entries under <root>/proc/sys (glob(3) on the path
// form, as systemd-sysctl does). Returns canonical keys, sorted.
std::vector<std::string> expand_sysctl_glob(const std::string& root, const std::string& pattern);

}  // namespace tcptune::platform

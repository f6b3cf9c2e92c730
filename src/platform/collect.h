// Builds a Snapshot of the host (or of a copied tree under --root). Every piece that cannot be
// read becomes a Gap with its reason; nothing is guessed.
#pragma once

#include <string>
#include <vector>

#include "core/snapshot.h"

namespace tcptune::platform {

struct CollectOptions {
  std::string root = "/";
  std::vector<std::string> keys;  // canonical keys to read (catalogue + rules + profiles)
  bool census = true;             // take the socket census and read the TCP counters
};

core::Snapshot collect_snapshot(const CollectOptions& opts);

// Expands a canonical glob key against the entries under <root>/proc/sys (glob(3) on the path
// form, as systemd-sysctl does). Returns canonical keys, sorted.
std::vector<std::string> expand_sysctl_glob(const std::string& root, const std::string& pattern);

}  // namespace tcptune::platform

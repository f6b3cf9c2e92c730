// Snapshot: the one value that crosses from the machine into the engine (DESIGN.md section 1).
// It serialises to JSON and back losslessly (snapshot_json.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/census.h"
#include "core/kernel_version.h"
#include "core/reset_trace.h"
#include "core/sysctl_conf.h"
#include "core/sysctl_value.h"

namespace tcptune::core {

// Version 2 added the host name and labels; version 1 files are still read (without them).
inline constexpr int kSnapshotSchemaVersion = 2;
inline constexpr int kSnapshotOldestVersion = 1;

// A piece of evidence that could not be collected, and why. Shown in every report.
struct Gap {
  std::string what;    // "kernel release", "sysctl net.ipv4.tcp_fin_timeout", "socket census"
  std::string reason;  // "proc/sys/kernel/osrelease: No such file or directory"
  bool operator==(const Gap&) const = default;
};

struct NetnsIdentity {
  std::optional<uint64_t> inode;  // from readlink(proc/self/ns/net) = "net:[INODE]"
  std::string name;               // a /run/netns name when known, else empty
  bool operator==(const NetnsIdentity&) const = default;
};

struct Snapshot {
  std::string tool_version;     // tcptune version that captured it
  std::string root;             // --root the snapshot was read from ("/" for a live host)
  std::string host;             // host name (kernel.hostname) when known, else empty
  std::map<std::string, std::string> labels;  // `tcptune snapshot --label KEY=VALUE`
  std::optional<std::string> kernel_release;  // missing if unreadable (and a Gap says why)
  NetnsIdentity netns;
  std::map<std::string, SysctlReading> sysctls;  // canonical key -> reading
  std::vector<std::string> modules;  // loaded kernel modules (proc/modules); empty if unknown
  bool modules_known = false;
  SysctlConfig config;
  std::optional<Census> census;
  std::optional<Counters> counters;
  std::optional<ResetTrace> resets;  // audit --trace: resets attributed by kernel tracepoints
  std::vector<Gap> gaps;

  bool operator==(const Snapshot&) const = default;

  std::optional<KernelVersion> kernel_version() const;
  // The reading for a key; an absent reading when the key was not collected.
  const SysctlReading* find(const std::string& key) const;
};

}  // namespace tcptune::core

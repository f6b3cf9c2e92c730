// Fleet comparison (`tcptune fleet`): many hosts' snapshots folded, one at a time, into per-group
// tallies: each sysctl's values with how many hosts hold each, each finding with its hosts, and
// how often a value and a finding occur on the same host. Nothing per snapshot is kept, so memory
// depends on the number of groups, keys, distinct values and finding ids, not on the number of
// hosts; host names are kept only up to kFleetNamedHosts per value or finding.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/severity.h"
#include "core/snapshot.h"

namespace tcptune::core {

// Host names kept per value and per finding; the rest are counted ("and N more").
inline constexpr size_t kFleetNamedHosts = 20;

// What one host contributes: its group, name, sysctl values and the ids of its findings.
struct FleetHost {
  std::string group;
  std::string name;
  std::map<std::string, std::string> values;  // key -> comparable value text
  std::map<std::string, Severity> findings;   // finding id -> severity
};

// The comparable text of a reading: the value with whitespace runs collapsed, or "(absent)",
// "(unreadable: errno N)".
std::string fleet_value_text(const SysctlReading& r);

// The sysctls of a snapshot as FleetHost values (kernel.hostname left out: it names the host).
std::map<std::string, std::string> fleet_values(const Snapshot& s);

// The group of a host name pattern: each run of digits replaced by '#' ("web-01" -> "web-#").
std::string host_pattern(std::string_view host);

// Host names seen for one value or finding: the first kFleetNamedHosts, and how many in all.
struct NamedHosts {
  uint64_t count = 0;
  std::vector<std::string> names;
  void add(const std::string& host);
};

// A key whose value on some hosts differs from the group's majority.
struct KeyDeviation {
  std::string key;
  std::string majority;     // the value most hosts hold (ties: the smallest text)
  uint64_t majority_hosts = 0;
  bool tied = false;        // another value is held by as many hosts
  std::string value;        // the differing value
  NamedHosts hosts;         // the hosts that hold it
};

// A finding with the hosts it fired on.
struct FleetFinding {
  std::string id;
  Severity severity = Severity::kInfo;
  NamedHosts hosts;
};

// A finding that goes with a configuration difference: on `with` of the hosts holding the
// differing value, against `majority_with` of the hosts holding the majority value.
struct Correlation {
  std::string key;
  std::string value;
  uint64_t value_hosts = 0;
  std::string finding;
  uint64_t with = 0;
  uint64_t majority_hosts = 0;
  uint64_t majority_with = 0;
};

struct FleetGroup {
  std::string name;
  uint64_t hosts = 0;
  std::vector<KeyDeviation> deviations;  // by key, then value
  std::vector<FleetFinding> findings;    // most severe first, then by id
  std::vector<Correlation> correlations;
};

// A snapshot that could not be read, and why (a located error).
struct FleetSkip {
  std::string file;
  std::string error;
};

struct FleetReport {
  std::string group_by;       // the label, or "" for host name patterns
  uint64_t hosts = 0;
  std::vector<FleetGroup> groups;  // by name
  std::vector<FleetSkip> skipped;
};

// Folds hosts in one at a time; report() can be called at any point.
class FleetTally {
 public:
  void add(const FleetHost& host);
  FleetReport report() const;

 private:
  struct ValueTally {
    NamedHosts hosts;
    std::map<std::string, uint64_t> with_finding;  // finding id -> hosts with this value and it
  };
  struct FindingTally {
    Severity severity = Severity::kInfo;
    NamedHosts hosts;
  };
  struct GroupTally {
    uint64_t hosts = 0;
    std::map<std::string, std::map<std::string, ValueTally>> keys;  // key -> value -> tally
    std::map<std::string, FindingTally> findings;
  };
  std::map<std::string, GroupTally> groups_;
  uint64_t hosts_ = 0;
};

}  // namespace tcptune::core

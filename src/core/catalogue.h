// The key catalogue: what tcptune knows about each sysctl (rules/catalogue.toml, kept by hand
// with a source for each fact). Used by `explain`, by rules (removed keys, modules) and by
// profile validation (type and range). Loading is in catalogue_loader.h; typo suggestions in
// catalogue_suggest.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/kernel_version.h"
#include "core/result.h"

namespace tcptune::core {

// A compiled-in default that applied to kernels older than `until`.
struct OlderDefault {
  KernelVersion until;
  std::string value;  // sysctl text
  bool operator==(const OlderDefault&) const = default;
};

struct CatalogueEntry {
  std::string key;                  // canonical
  std::string type;                 // "integer", "tuple", "string", "enum", "boolean", "bitmask", "list"
  std::string unit;                 // machine-readable: seconds, milliseconds, bytes, count, port,
                                    // packets, name, none
  std::string default_text;         // human text (may be a formula)
  std::optional<int64_t> min;       // enforced bounds for writes, when known (per field for tuples
  std::optional<int64_t> max;       // and lists)
  int fields = 1;                   // number of fields for tuples
  std::string scope;                // "netns", "global", "netns-readonly"
  std::string scope_text;           // human text
  std::optional<KernelVersion> added_in;
  std::optional<KernelVersion> removed_in;
  std::string added_text;
  std::string removed_text;
  std::string module;               // kernel module providing the key ("nf_conntrack"), if any
  std::string meaning;
  std::vector<std::string> interactions;
  std::vector<std::string> misconceptions;  // false statements seen in tuning guides
  std::string source;               // citation
  // --- facts wording and machine-readable extras ---
  std::string unit_text;            // the facts' unit text ("seconds (stored as jiffies)")
  std::string min_text;             // the facts' bound texts ("none enforced (...)")
  std::string max_text;
  // Compiled-in default on current kernels as sysctl text; nullopt when it is derived from
  // memory or the kernel config (must not be compared with a fixed number).
  std::optional<std::string> default_value;
  std::vector<OlderDefault> older_defaults;  // ascending by `until`
  // Stored as jiffies: the real max is INT_MAX/HZ; `max` holds the facts' number for HZ=250,
  // so validation on a kernel with a higher HZ must not trust it.
  bool jiffies = false;
  std::vector<std::string> unverified;  // machine-readable fields resting on unverified facts
  int line = 0;                     // line of the entry in the catalogue file (0 = unknown)

  bool operator==(const CatalogueEntry&) const = default;
  // True if `field` ("added_in", "scope", ...) rests on a fact marked unverified.
  bool is_unverified(std::string_view field) const;
  // True if a kernel of version v has this key (added_in <= v < removed_in; unknown = yes).
  bool exists_on(const KernelVersion& v) const;
  // Compiled-in default on kernel v; nullopt when not a fixed value.
  std::optional<std::string> default_on(const KernelVersion& v) const;
};

struct Catalogue {
  std::map<std::string, CatalogueEntry> entries;
  const CatalogueEntry* find(const std::string& key) const;
};

}  // namespace tcptune::core

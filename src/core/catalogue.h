// The key catalogue: what tcptune knows about each sysctl (built from ../shared/kernel facts and
// shipped as rules/catalogue.toml). Used by `explain`, by rules (removed keys, modules) and by
// profile validation (type and range).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/kernel_version.h"
#include "core/result.h"

namespace tcptune::core {

struct CatalogueEntry {
  std::string key;                  // canonical
  std::string type;                 // "integer", "tuple", "string", "enum", "boolean", "bitmask", "list"
  std::string unit;
  std::string default_text;         // human text (may be a formula)
  std::optional<int64_t> min;       // enforced bounds for writes, when known
  std::optional<int64_t> max;
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
  std::vector<std::string> misconceptions;
  std::string source;               // citation
};

struct Catalogue {
  std::map<std::string, CatalogueEntry> entries;
  const CatalogueEntry* find(const std::string& key) const;
};

}  // namespace tcptune::core

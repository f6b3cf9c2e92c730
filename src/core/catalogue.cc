#include "core/catalogue.h"

#include <algorithm>

#include <fmt/format.h>

namespace tcptune::core {

const CatalogueEntry* Catalogue::find(const std::string& key) const {
  auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second;
}

bool CatalogueEntry::is_unverified(std::string_view field) const {
  return std::find(unverified.begin(), unverified.end(), field) != unverified.end();
}

bool CatalogueEntry::exists_on(const KernelVersion& v) const {
  if (added_in && v < *added_in) return false;
  if (removed_in && !(v < *removed_in)) return false;
  return true;
}

std::optional<std::string> CatalogueEntry::default_on(const KernelVersion& v) const {
  // older_defaults is ascending, so the first boundary above v is the one in force.
  for (const auto& od : older_defaults) {
    if (v < od.until) return od.value;
  }
  return default_value;
}

}  // namespace tcptune::core

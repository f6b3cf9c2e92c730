#include "core/catalogue.h"

namespace tcptune::core {

const CatalogueEntry* Catalogue::find(const std::string& key) const {
  auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second;
}

}  // namespace tcptune::core

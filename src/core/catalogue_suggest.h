// Key suggestions for `explain` and unknown-key diagnostics (typo distance is in did_you_mean.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.h"

namespace tcptune::core {

// Catalogue keys a user may have meant by `query` (either key spelling, or a fragment such as
// "tw_recycle"): keys containing the query first (most specific first), then keys whose full
// name or last component is within a small edit distance. At most `limit` keys, no duplicates.
std::vector<std::string> suggest_keys(const Catalogue& catalogue, std::string_view query,
                                      std::size_t limit = 5);

}  // namespace tcptune::core

// "Did you mean" support: typo distance for file diagnostics and key suggestions for `explain`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.h"

namespace tcptune::core {

// Levenshtein distance (insertions, deletions, substitutions each cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` if it is plausibly a typo of it (distance <= max(2, size/3)),
// ties broken by candidate order; nullopt otherwise.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates);

// Catalogue keys a user may have meant by `query` (either key spelling, or a fragment such as
// "tw_recycle"): keys containing the query first (most specific first), then keys whose full
// name or last component is within a small edit distance. At most `limit` keys, no duplicates.
std::vector<std::string> suggest_keys(const Catalogue& catalogue, std::string_view query,
                                      std::size_t limit = 5);

}  // namespace tcptune::core

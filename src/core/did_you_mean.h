// "did you mean 'x'?" suggestions by edit distance, for located diagnostics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tcptune::core {

// Levenshtein distance (insert, delete, substitute; each cost 1).
size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate within max(2, word.size() / 3) edits, or "" when none is close enough.
// Ties go to the earlier candidate, so callers control the preference by ordering. When none is
// close, a candidate that the word abbreviates (a prefix of 3+ characters) is offered.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" for the closest candidate, or "" when there is none.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace tcptune::core

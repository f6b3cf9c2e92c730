#include "core/did_you_mean.h"

#include <algorithm>

namespace tcptune::core {

size_t edit_distance(std::string_view a, std::string_view b) {
  // Two-row dynamic programme: O(|a|*|b|) time, O(|b|) memory.
  std::vector<size_t> prev(b.size() + 1);
  std::vector<size_t> cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    // Cheap lower bound first: the length difference alone exceeds the limit.
    const size_t len_diff = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (len_diff > limit) continue;
    const size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (best.empty() && word.size() >= 3) {
    // An abbreviation ("warn" for "warning") is further than the edit limit but obvious.
    for (const auto& c : candidates) {
      if (c.size() > word.size() && c.compare(0, word.size(), word) == 0) return c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string m = closest_match(word, candidates);
  if (m.empty() || m == word) return {};
  return " (did you mean '" + m + "'?)";
}

}  // namespace tcptune::core

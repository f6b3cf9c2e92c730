#include "core/catalogue_suggest.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "core/did_you_mean.h"
#include "core/sysctl_key.h"

namespace tcptune::core {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view last_component(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}


}  // namespace

std::vector<std::string> suggest_keys(const Catalogue& catalogue, std::string_view query,
                                      std::size_t limit) {
  const std::string q = lower(normalize_key(query));
  if (q.empty()) return {};
  // Rank: (group, score, key). Group 0 = substring match, scored by how much of the key the
  // query leaves unexplained; group 1 = typo match, scored by edit distance.
  std::vector<std::tuple<int, std::size_t, std::string>> ranked;
  for (const auto& [key, entry] : catalogue.entries) {
    const std::string k = lower(key);
    if (k.find(q) != std::string::npos) {
      ranked.emplace_back(0, k.size() - q.size(), key);
      continue;
    }
    // Compare with the whole key, its last component and that component's '_' suffixes, so
    // "fin_timout" finds tcp_fin_timeout without the "tcp_" prefix counting as typos.
    const std::string_view tail = last_component(k);
    std::size_t d = edit_distance(q, k);
    for (std::size_t pos = 0; pos != std::string_view::npos; pos = tail.find('_', pos + 1)) {
      const std::string_view part = tail.substr(pos == 0 ? 0 : pos + 1);
      if (part.size() < 3) continue;
      d = std::min(d, edit_distance(q, part));
    }
    if (d <= std::max<std::size_t>(1, q.size() / 3)) ranked.emplace_back(1, d, key);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> out;
  for (auto& r : ranked) {
    if (out.size() >= limit) break;
    out.push_back(std::move(std::get<2>(r)));
  }
  return out;
}

}  // namespace tcptune::core

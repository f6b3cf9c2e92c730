// tcptune's settings file (core::parse_tool_config, /etc/tcptune/tcptune.toml) and the
// threshold resolution that follows it (core::resolve_thresholds, which also parses each
// `--set threshold.NAME=VALUE`). Input: the file, optionally followed by a line "%%%" and one
// --set argument per line. Thresholds are those the shipped rule files declare.
#include <algorithm>
#include <charconv>

#include "core/rule_loader.h"
#include "core/tool_config.h"
#include "fuzz_common.h"

namespace {

using namespace tcptune;

const std::map<std::string, core::ThresholdDecl>& shipped_thresholds() {
  static const std::map<std::string, core::ThresholdDecl> decl = [] {
    std::vector<core::RuleSource> sources;
    for (const char* f : {"close_wait", "config", "keepalive", "listen", "ports", "resets", "time_wait",
                          "tw_buckets"}) {
      const std::string rel = std::string("rules/") + f + ".toml";
      sources.push_back({rel, fuzz::source_file(rel)});
    }
    auto set = core::load_rule_set(sources, fuzz::shipped_catalogue());
    if (!set) fuzz::die(set.error().render());
    return set->thresholds;
  }();
  return decl;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view all = fuzz::as_text(data, size);
  const size_t sep = all.find("\n%%%\n");
  const std::string_view file = all.substr(0, sep);
  std::vector<std::string> sets;
  if (sep != std::string_view::npos) {
    std::string_view rest = all.substr(sep + 5);
    while (!rest.empty()) {
      const size_t eol = std::min(rest.find('\n'), rest.size());
      sets.emplace_back(rest.substr(0, eol));
      rest.remove_prefix(std::min(eol + 1, rest.size()));
    }
  }
  const std::string path = "/etc/tcptune/tcptune.toml";
  auto cfg = core::parse_tool_config(file, path);
  if (!cfg) {
    const core::Error& e = cfg.error();
    fuzz::require(e.loc.has_value(), "parse_tool_config error without location");
    fuzz::require(e.loc->file == path, "parse_tool_config error names another file");
    fuzz::require(fuzz::located(*e.loc), "parse_tool_config error at a partial location");
    fuzz::require(!e.render().empty(), "empty diagnostic");
    return 0;
  }
  for (const auto& t : cfg->thresholds) {
    fuzz::require(t.value >= 0, "negative threshold accepted from the file");
    fuzz::require(t.where.file == path && fuzz::located(t.where), "threshold setting not located");
  }
  if (cfg->profile) fuzz::require(core::valid_profile_name(*cfg->profile), "invalid profile name accepted");

  const auto& declared = shipped_thresholds();
  auto resolved = core::resolve_thresholds(declared, *cfg, sets);
  if (!resolved) {
    fuzz::require(!resolved.error().render().empty(), "empty diagnostic");
    return 0;
  }
  // Exactly the declared names, each >= 0; the last --set of a name wins.
  fuzz::require(resolved->size() == declared.size(), "resolved thresholds differ from the declared ones");
  for (const auto& [name, v] : *resolved) {
    fuzz::require(declared.count(name) == 1, "undeclared threshold resolved");
    fuzz::require(v.value >= 0, "negative threshold resolved");
  }
  for (const auto& s : sets) {
    const std::string prefix = s.substr(0, s.find('=') + 1);  // "threshold.NAME="
    const auto last = std::find_if(sets.rbegin(), sets.rend(),
                                   [&](const std::string& o) { return o.compare(0, prefix.size(), prefix) == 0; });
    int64_t want = -1;
    const char* end = last->data() + last->size();
    fuzz::require(std::from_chars(last->data() + prefix.size(), end, want).ptr == end, "--set value not an integer");
    fuzz::require(resolved->at(prefix.substr(10, prefix.size() - 11)).value == want, "--set value not applied");
  }
  return 0;
}

#include "cli/knowledge.h"

#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include "core/catalogue_loader.h"
#include "core/rule_loader.h"
#include "platform/data_dirs.h"
#include "platform/fs_util.h"

namespace tcptune::cli {

core::Result<Knowledge> load_knowledge(const std::vector<std::string>& extra_rule_dirs, bool with_rules) {
  Knowledge k;
  k.data_dir = platform::find_data_dir();
  if (k.data_dir.empty()) {
    return core::make_error("data directory", "cannot find tcptune's rules and catalogue", 0,
                            "set TCPTUNE_DATADIR to the directory that holds rules/ (e.g. /usr/share/tcptune)");
  }
  const std::string cat_path = k.data_dir + "/rules/" + kCatalogueFile;
  auto text = platform::read_file(cat_path);
  if (!text) return text.error();
  if (!with_rules) {
    auto cat = core::load_catalogue(*text, cat_path);
    if (!cat) return cat.error();
    k.catalogue = std::move(*cat);
    return k;
  }

  std::vector<core::RuleSource> sources;
  auto add_dir = [&](const std::string& dir, bool optional) -> core::Status {
    auto files = platform::read_toml_dir(dir, optional, {kCatalogueFile});
    if (!files) return files.error();
    k.rule_dirs.push_back(dir);
    for (auto& f : *files) sources.push_back({std::move(f.path), std::move(f.text)});
    return core::ok_status();
  };
  if (auto s = add_dir(k.data_dir + "/rules", false); !s) return s.error();
  if (auto s = add_dir(kSystemRulesDir, true); !s) return s.error();
  for (const auto& d : extra_rule_dirs) {
    if (auto s = add_dir(d, false); !s) return s.error();
  }
  // Parsing TOML is most of an audit's CPU time (toml++ reads ~25 MB/s and the catalogue and the
  // rules are ~60 kB each), and the rule files do not need the catalogue until they are checked:
  // parse them on a second thread while this one loads the catalogue. Errors keep their order
  // (catalogue first), as if loaded one after the other.
  std::optional<core::Result<core::ParsedRuleFiles>> parsed;
  auto parse = [&parsed, &sources] { parsed.emplace(core::parse_rule_files(std::move(sources))); };
  std::thread parser;
  try {
    parser = std::thread(parse);
  } catch (const std::system_error&) {
    parse();  // no thread to be had (RLIMIT_NPROC, memory): parse here, only slower
  }
  auto cat = core::load_catalogue(*text, cat_path);
  if (parser.joinable()) parser.join();
  if (!cat) return cat.error();
  k.catalogue = std::move(*cat);
  if (!*parsed) return parsed->error();
  auto set = core::load_rule_set(**parsed, k.catalogue);
  if (!set) return set.error();
  k.rules = std::move(set->rules);
  k.thresholds = std::move(set->thresholds);
  return k;
}

std::vector<std::string> keys_to_collect(const Knowledge& k) {
  std::set<std::string> keys;
  for (const auto& [key, entry] : k.catalogue.entries) keys.insert(key);
  for (auto& key : core::referenced_keys(k.rules)) keys.insert(std::move(key));
  return {keys.begin(), keys.end()};
}

}  // namespace tcptune::cli

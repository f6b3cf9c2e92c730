#include "cli/knowledge.h"

#include <iterator>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include "core/catalogue_loader.h"
#include "core/rule_loader.h"
#include "platform/data_dirs.h"
#include "platform/fs_util.h"

namespace tcptune::cli {

namespace {

// The first files (in order) holding about `share` of the bytes of `sources`.
size_t split_point(const std::vector<core::RuleSource>& sources, size_t share) {
  size_t bytes = 0, i = 0;
  while (i < sources.size() && bytes + sources[i].text.size() / 2 <= share) bytes += sources[i++].text.size();
  return i;
}

}  // namespace

core::Result<Knowledge> load_knowledge(const std::vector<std::string>& extra_rule_dirs, KnowledgeParts parts) {
  Knowledge k;
  k.data_dir = platform::find_data_dir();
  if (k.data_dir.empty()) {
    return core::make_error("data directory", "cannot find tcptune's rules and catalogue", 0,
                            "set TCPTUNE_DATADIR to the directory that holds rules/ (e.g. /usr/share/tcptune)");
  }
  const std::string cat_path = k.data_dir + "/rules/" + kCatalogueFile;
  auto text = platform::read_file(cat_path);
  if (!text) return text.error();
  if (parts != KnowledgeParts::kRules) {
    auto cat = core::load_catalogue(*text, cat_path);
    if (!cat) return cat.error();
    k.catalogue = std::move(*cat);
    if (parts == KnowledgeParts::kCatalogueWithNotes) {
      const std::string notes_path = k.data_dir + "/rules/" + kCatalogueNotesFile;
      auto notes = platform::read_file(notes_path);
      if (!notes) return notes.error();
      if (auto st = core::load_catalogue_notes(k.catalogue, *notes, notes_path); !st) return st.error();
    }
    return k;
  }

  std::vector<core::RuleSource> sources;
  auto add_dir = [&](const std::string& dir, bool optional) -> core::Status {
    auto files = platform::read_toml_dir(dir, optional, {kCatalogueFile, kCatalogueNotesFile});
    if (!files) return files.error();
    k.rule_dirs.push_back(dir);
    for (auto& f : *files) sources.push_back({std::move(f.path), std::move(f.text)});
    return core::ok_status();
  };
  if (auto s = add_dir(k.data_dir + "/rules", false); !s) return s.error();
  if (auto s = add_dir(system_rules_dir(), true); !s) return s.error();
  for (const auto& d : extra_rule_dirs) {
    if (auto s = add_dir(d, false); !s) return s.error();
  }
  // Parsing TOML is most of an audit's CPU time (toml++ reads about 25 MB/s; the rules are
  // ~60 kB), and the rule files need the catalogue only when they are checked: a second thread
  // parses the first half of the bytes while this one loads the catalogue and parses the rest.
  // Errors keep their order (catalogue, then rule files in order), as if loaded one by one.
  size_t total = text->size();
  for (const auto& s : sources) total += s.text.size();
  const size_t cut = split_point(sources, total / 2);
  std::vector<core::RuleSource> first(std::make_move_iterator(sources.begin()),
                                      std::make_move_iterator(sources.begin() + static_cast<std::ptrdiff_t>(cut)));
  sources.erase(sources.begin(), sources.begin() + static_cast<std::ptrdiff_t>(cut));
  std::optional<core::Result<core::ParsedRuleFiles>> head;
  auto parse_head = [&head, &first] { head.emplace(core::parse_rule_files(std::move(first))); };
  std::thread worker;
  try {
    worker = std::thread(parse_head);
  } catch (const std::system_error&) {
    parse_head();  // no thread to be had (RLIMIT_NPROC, memory): parse here, only slower
  }
  auto cat = core::load_catalogue(*text, cat_path);
  auto tail = cat ? core::parse_rule_files(std::move(sources)) : core::Result<core::ParsedRuleFiles>(cat.error());
  if (worker.joinable()) worker.join();
  if (!cat) return cat.error();
  k.catalogue = std::move(*cat);
  if (!*head) return head->error();
  if (!tail) return tail.error();
  (*head)->append(std::move(*tail));
  auto set = core::load_rule_set(**head, k.catalogue);
  if (!set) return set.error();
  k.rules = std::move(set->rules);
  k.thresholds = std::move(set->thresholds);
  return k;
}

std::string system_rules_dir() { return platform::system_config_dir() + "/rules.d"; }

std::vector<std::string> keys_to_collect(const Knowledge& k) {
  std::set<std::string> keys;
  for (const auto& [key, entry] : k.catalogue.entries) keys.insert(key);
  for (auto& key : core::referenced_keys(k.rules)) keys.insert(std::move(key));
  return {keys.begin(), keys.end()};
}

}  // namespace tcptune::cli

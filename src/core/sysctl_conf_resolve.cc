#include "core/sysctl_conf_resolve.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/sysctl_key.h"

namespace tcptune::core {
namespace {

std::pair<std::string_view, std::string_view> split_path(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {{}, path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// Both readers enumerate one directory after another and keep the first file of each name
// (systemd: conf_files_list_strv() in src/basic/conf-files.c; procps: PreloadSystem()), then
// sort the survivors by name with strcmp (std::map<std::string> orders the same way).
std::vector<std::string> ordered_files(const SysctlConfig& config,
                                       const std::vector<std::string>& dirs, bool skip_hidden) {
  std::map<std::string, std::pair<size_t, std::string>> by_name;
  for (const ConfFile& f : config.files) {
    const auto [dir, name] = split_path(f.path);
    const auto it = std::find(dirs.begin(), dirs.end(), dir);
    if (it == dirs.end() || name.size() < 5 || !name.ends_with(".conf")) continue;
    // systemd skips hidden files (hidden_or_backup_file()); procps only checks the suffix.
    if (skip_hidden && name.front() == '.') continue;
    const size_t rank = static_cast<size_t>(it - dirs.begin());
    auto [slot, inserted] = by_name.try_emplace(std::string(name), rank, f.path);
    if (!inserted && rank < slot->second.first) slot->second = {rank, f.path};
  }
  std::vector<std::string> out;
  out.reserve(by_name.size());
  for (auto& [name, entry] : by_name) out.push_back(std::move(entry.second));
  return out;
}

std::vector<std::string> split_components(std::string_view proc_path) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t slash = proc_path.find('/', start);
    out.emplace_back(proc_path.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

using Sequence = std::vector<const ConfAssignment*>;

// Every assignment in the order a reader parses them.
Sequence sequence_for(const std::vector<std::string>& order,
                      const std::unordered_map<std::string, Sequence>& by_file) {
  Sequence seq;
  for (const std::string& path : order) {
    const auto it = by_file.find(path);
    if (it != by_file.end()) seq.insert(seq.end(), it->second.begin(), it->second.end());
  }
  return seq;
}

// Known keys each glob pattern matches (sorted), computed once per distinct pattern: resolution
// asks the same question for every assignment, reader and key.
class GlobIndex {
 public:
  GlobIndex(const std::vector<ConfAssignment>& assignments, const std::vector<std::string>& sorted_keys) {
    for (const ConfAssignment& a : assignments) {
      if (!a.glob || matches_.contains(a.key)) continue;
      auto& m = matches_[a.key];
      for (const std::string& k : sorted_keys)
        if (sysctl_glob_match(a.key, k)) m.push_back(k);
    }
  }
  const std::vector<std::string>& matches(const std::string& pattern) const { return matches_.at(pattern); }
  bool matches(const std::string& pattern, const std::string& key) const {
    const auto& m = matches(pattern);
    return std::binary_search(m.begin(), m.end(), key);
  }

 private:
  std::unordered_map<std::string, std::vector<std::string>> matches_;
};

// Per concrete key, the assignments that write it, in write order.
struct Write {
  const ConfAssignment* a;
  bool ignore_failure;  // systemd ORs the flag of identical re-assignments into the entry
};
using Writes = std::map<std::string, std::vector<Write>>;

void expand(const ConfAssignment& a, bool ignore_failure, const GlobIndex& globs,
            const std::unordered_set<std::string>& explicit_keys, Writes& writes) {
  if (!a.glob) {
    writes[a.key].push_back({&a, ignore_failure});
    return;
  }
  for (const std::string& key : globs.matches(a.key))
    if (!explicit_keys.contains(key)) writes[key].push_back({&a, ignore_failure});
}

// systemd-sysctl (src/sysctl/sysctl.c parse_file()/apply_all()): options live in an ordered
// hashmap keyed by key or pattern. A new value for an existing key removes the old entry and
// appends the new one; the *same* value again keeps the old entry where it was. Exclusions are
// entries without a value, so "-key" after "key = v" cancels it. Globs skip every key that has
// an entry of its own.
Writes simulate_systemd(const Sequence& seq, const GlobIndex& globs) {
  std::vector<Write> options;  // a == nullptr: removed
  std::unordered_map<std::string, size_t> index;
  for (const ConfAssignment* a : seq) {
    const auto it = index.find(a->key);
    if (it != index.end()) {
      Write& old = options[it->second];
      if (old.a->exclude == a->exclude && old.a->value == a->value) {
        old.ignore_failure = old.ignore_failure || a->ignore_failure;
        continue;
      }
      old.a = nullptr;
    }
    index[a->key] = options.size();
    options.push_back({a, a->ignore_failure});
  }
  std::unordered_set<std::string> explicit_keys;
  for (const auto& entry : index) explicit_keys.insert(entry.first);
  Writes writes;
  for (const Write& o : options)
    if (o.a && !o.a->exclude) expand(*o.a, o.ignore_failure, globs, explicit_keys, writes);
  return writes;
}

// procps 4.0.2 (src/sysctl.c Preload()/write_setting_list()): every line is kept in one list
// and written in order, duplicates included. A glob skips a key when any entry's path equals it
// (explicit settings and "-key" exclusions alike); patterns in exclusions are not expanded.
Writes simulate_procps(const Sequence& seq, const GlobIndex& globs) {
  std::unordered_set<std::string> explicit_keys;
  for (const ConfAssignment* a : seq) explicit_keys.insert(a->key);
  Writes writes;
  for (const ConfAssignment* a : seq)
    if (!a->exclude) expand(*a, a->ignore_failure, globs, explicit_keys, writes);
  return writes;
}

// One field as the kernel parses a write: proc_get_long() uses strtoul with base 0
// (kernel/sysctl.c), so "010" is 8 and "0x20" is 32 (checked on 6.18 in a fresh netns).
std::optional<int64_t> kernel_integer(std::string_view f) {
  bool neg = false;
  if (!f.empty() && (f.front() == '-' || f.front() == '+')) {
    neg = f.front() == '-';
    f.remove_prefix(1);
  }
  int base = 10;
  if (f.size() > 2 && f[0] == '0' && (f[1] == 'x' || f[1] == 'X')) {
    base = 16;
    f.remove_prefix(2);
  } else if (f.size() > 1 && f[0] == '0') {
    base = 8;
    f.remove_prefix(1);
  }
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), v, base);
  if (f.empty() || ec != std::errc() || ptr != f.data() + f.size()) return std::nullopt;
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  const auto s = static_cast<int64_t>(v);
  return neg ? -s : s;
}

}  // namespace

std::optional<bool> value_differs(const SysctlValue& live, std::string_view configured) {
  const SysctlValue want = parse_sysctl_value(configured);
  if (want.text.empty()) return std::nullopt;
  std::vector<int64_t> numbers;
  size_t i = 0;
  bool numeric = true;
  while (numeric && i < want.text.size()) {
    const size_t sp = std::min(want.text.find(' ', i), want.text.size());
    const auto n = kernel_integer(std::string_view(want.text).substr(i, sp - i));
    if (n) numbers.push_back(*n);
    numeric = n.has_value();
    i = sp + 1;
  }
  const bool live_numeric = live.kind != SysctlValue::Kind::kString;
  if (numeric != live_numeric) return std::nullopt;
  if (numeric) return numbers != live.numbers;
  return want.text != live.text;
}

std::vector<std::string> systemd_order(const SysctlConfig& config) {
  return ordered_files(config, config.layout.systemd_dirs, /*skip_hidden=*/true);
}

std::vector<std::string> procps_order(const SysctlConfig& config) {
  std::vector<std::string> out = ordered_files(config, config.layout.procps_dirs, /*skip_hidden=*/false);
  const auto conf = std::find_if(config.files.begin(), config.files.end(),
                                 [&](const ConfFile& f) { return f.path == config.layout.procps_conf; });
  if (conf != config.files.end() && !conf->masked_null) out.emplace_back(config.layout.procps_conf);
  return out;
}

void annotate_files(SysctlConfig& config) {
  const auto sd = systemd_order(config);
  const auto pp = procps_order(config);
  std::map<std::string, std::string> first_by_name;  // name -> path read by procps
  for (const std::string& p : pp) first_by_name.emplace(split_path(p).second, p);
  for (ConfFile& f : config.files) {
    unsigned readers = 0;
    if (std::find(sd.begin(), sd.end(), f.path) != sd.end()) readers |= 1;
    if (std::find(pp.begin(), pp.end(), f.path) != pp.end()) readers |= 2;
    f.readers = static_cast<ConfReader>(readers);
    f.masked_by.clear();
    const auto winner = first_by_name.find(std::string(split_path(f.path).second));
    if (readers == 0 && f.path != config.layout.procps_conf && winner != first_by_name.end() &&
        winner->second != f.path)
      f.masked_by = winner->second;
  }
}

bool sysctl_glob_match(std::string_view pattern, std::string_view key) {
  const auto pc = split_components(key_to_proc_path(pattern));
  const auto kc = split_components(key_to_proc_path(key));
  if (pc.size() != kc.size()) return false;
  for (size_t i = 0; i < pc.size(); ++i)
    if (!glob_match(pc[i], kc[i])) return false;
  return true;
}

ResolvedConfig resolve_config(const SysctlConfig& config, const std::vector<std::string>& known_keys) {
  std::unordered_map<std::string, Sequence> by_file;
  for (const ConfAssignment& a : config.assignments) by_file[a.where.file].push_back(&a);
  const Sequence sd_seq = sequence_for(systemd_order(config), by_file);
  const Sequence pp_seq = sequence_for(procps_order(config), by_file);
  std::vector<std::string> keys = known_keys;
  std::sort(keys.begin(), keys.end());
  const GlobIndex globs(config.assignments, keys);
  const Writes sd = simulate_systemd(sd_seq, globs);
  const Writes pp = simulate_procps(pp_seq, globs);

  ResolvedConfig out;
  auto targets = [&globs](const ConfAssignment* a, const std::string& key) {
    return !a->exclude && (a->glob ? globs.matches(a->key, key) : a->key == key);
  };
  for (const auto& [key, list] : sd) {
    ResolvedSetting s;
    s.key = key;
    s.winner = *list.back().a;
    s.winner.ignore_failure = list.back().ignore_failure;
    for (const ConfAssignment* a : sd_seq)
      if (targets(a, key) && a != list.back().a) s.shadowed.push_back(*a);
    const auto p = pp.find(key);
    if (p != pp.end() && p->second.back().a->value != s.winner.value)
      s.procps_winner = *p->second.back().a;
    out.settings.emplace(key, std::move(s));
  }
  for (const auto& [key, list] : pp) {
    if (sd.contains(key)) continue;
    ResolvedSetting s;
    s.key = key;
    s.winner = *list.back().a;
    s.procps_only = true;
    for (const ConfAssignment* a : pp_seq)
      if (targets(a, key) && a != list.back().a) s.shadowed.push_back(*a);
    out.settings.emplace(key, std::move(s));
  }
  std::set<const ConfAssignment*> seen;
  for (const Sequence* seq : {&sd_seq, &pp_seq})
    for (const ConfAssignment* a : *seq)
      if (a->glob && !a->exclude && seen.insert(a).second &&
          globs.matches(a->key).empty())
        out.unmatched_globs.push_back(*a);
  return out;
}

}  // namespace tcptune::core

#include "core/snapshot_diff.h"

#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "core/expr_value.h"
#include "core/sysctl_conf_resolve.h"

namespace tcptune::core {
namespace {

using Side = std::map<std::string, std::string>;

// Items present on either side whose texts differ, sorted by name.
void compare(const Side& a, const Side& b, std::vector<DiffEntry>& out) {
  for (const auto& [name, va] : a) {
    auto it = b.find(name);
    if (it == b.end()) out.push_back({name, va, std::nullopt});
    else if (it->second != va) out.push_back({name, va, it->second});
  }
  for (const auto& [name, vb] : b) {
    if (!a.count(name)) out.push_back({name, std::nullopt, vb});
  }
  std::sort(out.begin(), out.end(), [](const DiffEntry& x, const DiffEntry& y) { return x.name < y.name; });
}

std::string reading_text(const SysctlReading& r) {
  switch (r.state) {
    case SysctlReading::State::kValue: return r.value.text;
    case SysctlReading::State::kAbsent: return "absent";
    case SysctlReading::State::kUnreadable: return fmt::format("unreadable: {}", std::strerror(r.err));
  }
  return "absent";
}

Side header_of(const Snapshot& s) {
  Side h;
  h["kernel release"] = s.kernel_release.value_or("(unknown)");
  h["netns inode"] = s.netns.inode ? std::to_string(*s.netns.inode) : "(unknown)";
  h["root"] = s.root;
  return h;
}

Side config_of(const Snapshot& s) {
  std::vector<std::string> keys;
  for (const auto& [k, r] : s.sysctls) {
    if (r.state != SysctlReading::State::kAbsent) keys.push_back(k);
  }
  Side c;
  for (const auto& [k, set] : resolve_config(s.config, keys).settings) {
    c[k] = fmt::format("{} ({}:{})", set.winner.value, set.winner.where.file, set.winner.where.line);
  }
  return c;
}

Side census_of(const Snapshot& s) {
  Side c;
  if (!s.census) return c;
  for (size_t i = 0; i < kStateSlots; ++i) {
    c[std::string(state_name(static_cast<TcpState>(i)))] = std::to_string(s.census->states.n[i]);
  }
  c["total"] = std::to_string(s.census->states.total());
  return c;
}

Side counters_of(const Snapshot& s) {
  Side c;
  if (!s.counters) return c;
  const auto& cur = s.counters->current;
  for (const auto& [k, v] : cur.values) c[k] = std::to_string(v);
  if (cur.sockstat) {
    c["sockstat.inuse"] = std::to_string(cur.sockstat->inuse);
    c["sockstat.orphan"] = std::to_string(cur.sockstat->orphan);
    c["sockstat.tw"] = std::to_string(cur.sockstat->tw);
    c["sockstat.alloc"] = std::to_string(cur.sockstat->alloc);
    c["sockstat.mem"] = std::to_string(cur.sockstat->mem);
  }
  return c;
}

nlohmann::json section_json(const std::vector<DiffEntry>& es) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : es) {
    arr.push_back({{"name", e.name},
                   {"a", e.a ? nlohmann::json(*e.a) : nlohmann::json(nullptr)},
                   {"b", e.b ? nlohmann::json(*e.b) : nlohmann::json(nullptr)}});
  }
  return arr;
}

}  // namespace

bool SnapshotDiff::empty() const {
  return header.empty() && sysctls.empty() && config.empty() && census.empty() && counters.empty();
}

SnapshotDiff diff_snapshots(const Snapshot& a, const Snapshot& b) {
  SnapshotDiff d;
  compare(header_of(a), header_of(b), d.header);
  Side sa, sb;
  for (const auto& [k, r] : a.sysctls) sa[k] = reading_text(r);
  for (const auto& [k, r] : b.sysctls) sb[k] = reading_text(r);
  // Numeric values that differ only in spelling are the same to the kernel.
  std::vector<DiffEntry> sys;
  compare(sa, sb, sys);
  for (auto& e : sys) {
    const SysctlReading* ra = a.find(e.name);
    const SysctlReading* rb = b.find(e.name);
    if (ra && rb && ra->has_value() && rb->has_value() && sysctl_values_equal(ra->value, rb->value)) continue;
    d.sysctls.push_back(std::move(e));
  }
  compare(config_of(a), config_of(b), d.config);
  const Side ca = census_of(a), cb = census_of(b);
  if (ca.empty() != cb.empty()) {
    d.census.push_back({"(census)", ca.empty() ? std::nullopt : std::optional<std::string>("taken"),
                        cb.empty() ? std::nullopt : std::optional<std::string>("taken")});
  } else {
    compare(ca, cb, d.census);
  }
  compare(counters_of(a), counters_of(b), d.counters);
  return d;
}

nlohmann::json diff_to_json(const SnapshotDiff& d, const std::string& label_a, const std::string& label_b) {
  nlohmann::json j;
  j["schema"] = "tcptune.diff";
  j["schema_version"] = kDiffSchemaVersion;
  j["a"] = label_a;
  j["b"] = label_b;
  j["identical"] = d.empty();
  j["sections"] = {{"header", section_json(d.header)},
                   {"sysctls", section_json(d.sysctls)},
                   {"config", section_json(d.config)},
                   {"census", section_json(d.census)},
                   {"counters", section_json(d.counters)}};
  return j;
}

}  // namespace tcptune::core

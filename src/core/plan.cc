#include "core/plan.h"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "core/sysctl_conf_resolve.h"
#include "core/sysctl_value.h"

namespace tcptune::core {
namespace {

constexpr std::string_view kTwBuckets = "net.ipv4.tcp_max_tw_buckets";
constexpr std::string_view kEhashEntries = "net.ipv4.tcp_ehash_entries";
constexpr std::string_view kCongestion = "net.ipv4.tcp_congestion_control";
constexpr std::string_view kTimestamps = "net.ipv4.tcp_timestamps";

std::string where_text(const SourceLoc& l) { return fmt::format("{}:{}", l.file, l.line); }

std::optional<std::string> live_text(const Snapshot& s, std::string_view key) {
  const SysctlReading* r = s.find(std::string(key));
  if (!r || !r->has_value()) return std::nullopt;
  return r->value.text;
}

// Target of a key in the plan (the profile's value) or else its live value.
std::optional<std::string> effective(const Plan& plan, const Snapshot& s, std::string_view key) {
  for (const auto& it : plan.items) {
    if (it.key == key) return it.after;
  }
  return live_text(s, key);
}

// Facts the snapshot adds to a reason: tcp_slow_start_after_idle (no-op with
// congestion controls that implement cong_control, e.g. BBR: tcp_slow_start_after_idle_check()
// returns early) and tcp_tw_reuse (needs timestamps: tests/kernel/timewait_test.cc).
// Which ESTABLISHED sockets a keepalive change reaches: only those with SO_KEEPALIVE, which the
// census sees as the keepalive timer armed (inet_sk_diag_fill(): idiag_timer 2); nothing is said
// without a census that counted timers.
std::optional<std::string> keepalive_reach(const Snapshot& s) {
  if (!s.census || !s.census->timers_counted) return std::nullopt;
  const Census& c = *s.census;
  const uint64_t all = c.states[TcpState::kEstablished];
  if (all == 0) return "no ESTABLISHED sockets now: nothing yet shows whether they will use SO_KEEPALIVE";
  std::string text = fmt::format("this change reaches {} of the {} ESTABLISHED sockets now (those with SO_KEEPALIVE); "
                                 "{} have no keepalive timer and no tcp_keepalive_* value reaches them",
                                 c.established_keepalive, all, c.established_no_timer);
  const uint64_t busy = all - std::min(all, c.established_keepalive + c.established_no_timer);
  if (busy != 0) text += fmt::format(" ({} with data in flight not seen either way)", busy);
  return text;
}

void add_notes(Plan& plan, const Snapshot& s) {
  if (const auto reach = keepalive_reach(s)) plan.keepalive_reach = *reach;
  for (auto& it : plan.items) {
    if (it.key == "net.ipv4.tcp_slow_start_after_idle") {
      if (auto cc = effective(plan, s, kCongestion); cc && *cc == "bbr") {
        it.notes.push_back("no effect while tcp_congestion_control is bbr (BBR sets cong_control; "
                           "tcp_slow_start_after_idle_check() returns early)");
      }
    }
    if (it.key == "net.ipv4.tcp_tw_reuse" && it.after != "0") {
      if (auto ts = effective(plan, s, kTimestamps); ts && *ts == "0") {
        it.notes.push_back("tcp_timestamps is 0: TIME-WAIT reuse needs timestamps and will not happen");
      }
    }
  }
}

// The target for a kernel_defaults entry; nullopt with `why` set when it cannot be known.
std::optional<std::string> kernel_default(const CatalogueEntry& e, const Snapshot& s,
                                          const std::optional<KernelVersion>& v, std::string& why) {
  if (derived_default_supported(e.key)) {
    if (auto d = derived_default(e.key, s)) return d;
    why = fmt::format("{}: the default ({}) needs {}, which was not read", e.key, e.default_text,
                      kEhashEntries);
    return std::nullopt;
  }
  if (!v) {
    why = fmt::format("{}: the kernel release is unknown, so its compiled-in default is too", e.key);
    return std::nullopt;
  }
  if (auto d = e.default_on(*v)) return d;
  why = fmt::format("{}: no fixed compiled-in default ({})", e.key, e.default_text);
  return std::nullopt;
}

Status check_present(const ResolvedProfileSetting& rs, const CatalogueEntry& e, const Snapshot& s,
                     const std::optional<KernelVersion>& v) {
  const SysctlReading* r = s.find(e.key);
  const std::string origin = fmt::format("profile '{}' sets it at {}", rs.origin,
                                         where_text(rs.setting.where));
  if (r && r->state == SysctlReading::State::kUnreadable) {
    return make_error(e.key, fmt::format("cannot read the current value ({})", origin), r->err);
  }
  if (r && r->has_value()) return ok_status();  // the snapshot is the evidence
  std::string hint;
  if (e.added_in) hint = fmt::format("the key was added in Linux {}", version_text(*e.added_in));
  if (e.scope == "global") hint = "the key is global: it does not exist inside a child network namespace";
  const std::string running = v ? fmt::format(" (Linux {})", version_text(*v)) : "";
  if (!r) {
    return make_error(e.key, fmt::format("was not read from the running kernel ({})", origin));
  }
  return make_error(e.key, fmt::format("the running kernel{} does not have this key ({})", running,
                                       origin), 0, hint);
}

}  // namespace

size_t Plan::change_count() const {
  return static_cast<size_t>(std::count_if(items.begin(), items.end(),
                                           [](const PlannedChange& c) { return c.change; }));
}

bool reading_holds(const SysctlReading& r, std::string_view want) {
  if (!r.has_value()) return false;
  if (want.empty()) return r.value.text.empty();
  return !value_differs(r.value, want).value_or(true);
}

Result<Plan> plan_rollback(std::string_view profile, const std::vector<Change>& journal,
                           const Snapshot& now) {
  Plan plan;
  plan.profile = "rollback";
  plan.description = fmt::format("restore the values recorded before the apply of profile '{}'", profile);
  plan.kernel = now.kernel_version();
  for (const Change& e : journal) {
    const SysctlReading* live = now.find(e.key);
    if (!live || !live->has_value()) {
      const auto state = live ? live->state : SysctlReading::State::kAbsent;
      return make_error(e.key, fmt::format("cannot read the current value ({})", state_name(state)),
                        live ? live->err : 0);
    }
    PlannedChange c{{e.key, live->value.text, e.before}, "value before the apply", "journal", true, {}, false, false, {}};
    if (!reading_holds(*live, e.after)) {
      c.notes.push_back(fmt::format("was changed after the apply: now '{}', apply wrote '{}'",
                                    live->value.text, e.after));
    }
    plan.items.push_back(std::move(c));
  }
  return plan;
}

bool derived_default_supported(std::string_view key) { return key == kTwBuckets; }

std::optional<std::string> derived_default(std::string_view key, const Snapshot& snap) {
  if (key != kTwBuckets) return std::nullopt;
  const SysctlReading* r = snap.find(std::string(kEhashEntries));
  if (!r || !r->has_value()) return std::nullopt;
  const auto n = r->value.as_integer();
  if (!n || *n == 0) return std::nullopt;
  // Negative means the namespace shares the host's table (ip-sysctl.rst, tcp_ehash_entries);
  // the magnitude is computed unsigned so a hostile INT64_MIN from a snapshot cannot overflow.
  const uint64_t size = *n < 0 ? 0 - static_cast<uint64_t>(*n) : static_cast<uint64_t>(*n);
  return std::to_string(size / 2);
}

std::vector<std::string> plan_inputs(const ResolvedProfile& profile) {
  std::vector<std::string> keys;
  for (const auto& rs : profile.settings) keys.push_back(rs.setting.key);
  for (auto k : {kEhashEntries, kCongestion, kTimestamps}) keys.emplace_back(k);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Result<Plan> make_plan(const ResolvedProfile& profile, const Catalogue& cat, const Snapshot& snap) {
  Plan plan;
  plan.profile = profile.name;
  plan.description = profile.description;
  const std::optional<KernelVersion> v = snap.kernel_version();
  plan.kernel = v;
  for (const auto& rs : profile.settings) {
    const CatalogueEntry* e = cat.find(rs.setting.key);
    if (!e) return make_error(rs.setting.key, "not in the key catalogue");
    PlannedChange c{{rs.setting.key, {}, rs.setting.value}, rs.setting.reason, rs.origin, true, {}, false, false, {}};
    if (rs.setting.kernel_default) {
      const SysctlReading* r = snap.find(e->key);
      if (!r) {
        plan.omitted.push_back(fmt::format("{}: was not read from the running kernel", e->key));
        continue;
      }
      if ((v && !e->exists_on(*v)) || r->state == SysctlReading::State::kAbsent) {
        plan.omitted.push_back(fmt::format("{}: not present on this kernel", e->key));
        continue;
      }
      std::string why;
      auto d = kernel_default(*e, snap, v, why);
      if (!d) {
        plan.omitted.push_back(why);
        continue;
      }
      c.after = *d;
      c.reason = derived_default_supported(e->key)
                     ? fmt::format("kernel default: |tcp_ehash_entries| / 2 = {} (tcp_set_hashinfo())", c.after)
                     : fmt::format("compiled-in default of Linux {}", version_text(*v));
      c.kernel_default = true;
    }
    if (auto st = check_present(rs, *e, snap, v); !st) return st.error();
    c.before = snap.find(e->key)->value.text;
    const SysctlValue& live = snap.find(e->key)->value;
    c.change = value_differs(live, c.after).value_or(true);
    if (c.change && rs.setting.at_least && meets_floor(live, c.after)) {
      c.floor = c.after;
      c.after = c.before;
      c.change = false;
      c.floor_kept = true;
      c.notes.push_back(fmt::format("the profile asks for at least {}; this host's {} already meets it and is kept",
                                    c.floor, c.before));
    }
    plan.items.push_back(std::move(c));
  }
  add_notes(plan, snap);
  return plan;
}

}  // namespace tcptune::core

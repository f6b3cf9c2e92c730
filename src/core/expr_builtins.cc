// The function, identifier, field and iteration tables (expr_registry.h) and their
// implementations. Missing data is returned as Unknown with a gap description; see the
// "Missing data" section of docs/rule-language.md.
#include <algorithm>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "core/expr_registry.h"

namespace tcptune::core {
namespace {

const std::string& arg_str(const std::vector<Value>& a, size_t i) { return std::get<std::string>(a[i]); }

Unknown not_collected(const std::string& key) { return Unknown{"sysctl " + key, "not collected"}; }

// The reading of a key, or nullptr when the snapshot did not collect it.
const SysctlReading* reading(EvalContext& ctx, const std::string& key) {
  ctx.touch(key);
  return ctx.snapshot->find(key);
}

// A numeric key (per the catalogue) that reads as text -- an empty, truncated or garbled
// /proc/sys file in a copied tree or snapshot -- is missing data, not a value: otherwise
// `sysctl(k) != 0` fires on an empty file. Text keys (congestion control, lists) are values.
std::optional<Unknown> malformed(const EvalContext& ctx, const std::string& key, const SysctlValue& v) {
  if (v.kind != SysctlValue::Kind::kString || !ctx.catalogue) return std::nullopt;
  const CatalogueEntry* e = ctx.catalogue->find(key);
  if (!e || e->type == "string" || e->type == "list") return std::nullopt;
  return Unknown{"sysctl " + key, fmt::format("'{}' is not a valid {} value", v.text, e->type)};
}

Value fn_sysctl(EvalContext& ctx, const std::vector<Value>& a) {
  const std::string& key = arg_str(a, 0);
  const SysctlReading* r = reading(ctx, key);
  if (!r) return not_collected(key);
  switch (r->state) {
    case SysctlReading::State::kValue:
      if (auto bad = malformed(ctx, key, r->value)) return *bad;
      return r->value;
    case SysctlReading::State::kAbsent:
      return Unknown{"sysctl " + key, "absent on this kernel"};
    case SysctlReading::State::kUnreadable:
      return Unknown{"sysctl " + key, fmt::format("unreadable: {}", std::strerror(r->err))};
  }
  return not_collected(key);
}

Value fn_exists(EvalContext& ctx, const std::vector<Value>& a) {
  const SysctlReading* r = reading(ctx, arg_str(a, 0));
  if (!r) return not_collected(arg_str(a, 0));
  return r->state != SysctlReading::State::kAbsent;
}

Value fn_readable(EvalContext& ctx, const std::vector<Value>& a) {
  const SysctlReading* r = reading(ctx, arg_str(a, 0));
  if (!r) return not_collected(arg_str(a, 0));
  return r->state == SysctlReading::State::kValue;
}

Value fn_unreadable(EvalContext& ctx, const std::vector<Value>& a) {
  const SysctlReading* r = reading(ctx, arg_str(a, 0));
  if (!r) return not_collected(arg_str(a, 0));
  return r->state == SysctlReading::State::kUnreadable;
}

const ResolvedSetting* setting(EvalContext& ctx, const std::string& key) {
  ctx.touch(key);
  auto it = ctx.config->settings.find(key);
  return it == ctx.config->settings.end() ? nullptr : &it->second;
}

Value fn_configured(EvalContext& ctx, const std::vector<Value>& a) {
  return setting(ctx, arg_str(a, 0)) != nullptr;
}

Value fn_config(EvalContext& ctx, const std::vector<Value>& a) {
  const ResolvedSetting* s = setting(ctx, arg_str(a, 0));
  if (!s) return Unknown{};  // not applicable: no file sets it
  return s;
}

// Live value differs from what boot applies. Only decidable when both exist; a key that no
// file sets, or that is absent on this kernel, has no drift (other rules cover absence).
Value fn_drift(EvalContext& ctx, const std::vector<Value>& a) {
  const std::string& key = arg_str(a, 0);
  const ResolvedSetting* s = setting(ctx, key);
  if (!s) return false;
  const SysctlReading* r = ctx.snapshot->find(key);
  if (!r) return not_collected(key);
  if (r->state == SysctlReading::State::kAbsent) return false;
  if (r->state == SysctlReading::State::kUnreadable) {
    return Unknown{"sysctl " + key, fmt::format("unreadable: {}", std::strerror(r->err))};
  }
  if (auto bad = malformed(ctx, key, r->value)) return *bad;
  return !sysctl_values_equal(r->value, parse_sysctl_value(s->winner.value));
}

Value fn_known(EvalContext& ctx, const std::vector<Value>& a) {
  return ctx.catalogue->find(arg_str(a, 0)) != nullptr;
}

Value fn_catalogue(EvalContext& ctx, const std::vector<Value>& a) {
  const CatalogueEntry* e = ctx.catalogue->find(arg_str(a, 0));
  if (!e) return Unknown{};
  return e;
}

Value fn_module_loaded(EvalContext& ctx, const std::vector<Value>& a) {
  if (!ctx.snapshot->modules_known) return Unknown{"loaded modules", "not collected"};
  for (const auto& m : ctx.snapshot->modules) {
    if (m == arg_str(a, 0)) return true;
  }
  return false;
}

Value id_kernel(EvalContext& ctx) {
  ctx.touched_kernel = true;
  auto v = ctx.snapshot->kernel_version();
  if (!v) return Unknown{"kernel release", ctx.snapshot->kernel_release ? "not a version" : "not collected"};
  return *v;
}

Value id_kernel_release(EvalContext& ctx) {
  ctx.touched_kernel = true;
  if (!ctx.snapshot->kernel_release) return Unknown{"kernel release", "not collected"};
  return *ctx.snapshot->kernel_release;
}

Value id_item(EvalContext& ctx) { return *ctx.item; }

const ResolvedSetting& set_of(const Value& v) { return *std::get<const ResolvedSetting*>(v); }
const CatalogueEntry& entry_of(const Value& v) { return *std::get<const CatalogueEntry*>(v); }

std::string where_text(const ConfAssignment& a) { return fmt::format("{}:{}", a.where.file, a.where.line); }

std::string assignments_text(const ResolvedSetting& s) {
  std::string out;
  for (const auto& a : s.shadowed) out += fmt::format("{} = {}; ", where_text(a), a.value);
  out += fmt::format("{} = {} (applied at boot)", where_text(s.winner), s.winner.value);
  return out;
}

size_t distinct_files(const ResolvedSetting& s) {
  std::set<std::string> files{s.winner.where.file};
  for (const auto& a : s.shadowed) files.insert(a.where.file);
  return files.size();
}

// An earlier assignment in another file with a different value is silently overridden.
bool overridden(const ResolvedSetting& s) {
  const SysctlValue win = parse_sysctl_value(s.winner.value);
  for (const auto& a : s.shadowed) {
    if (a.where.file != s.winner.where.file && !sysctl_values_equal(parse_sysctl_value(a.value), win)) {
      return true;
    }
  }
  return false;
}

bool procps_differs(const ResolvedSetting& s) {
  return s.procps_winner &&
         !sysctl_values_equal(parse_sysctl_value(s.procps_winner->value), parse_sysctl_value(s.winner.value));
}

Value version_or_na(const std::optional<KernelVersion>& v) {
  if (!v) return Unknown{};
  return *v;
}

std::string issue_location(const ConfIssue& i) {
  std::string loc = i.where.file;
  if (i.where.line > 0) loc += fmt::format(":{}", i.where.line);
  if (i.where.line > 0 && i.where.col > 0) loc += fmt::format(":{}", i.where.col);
  return loc;
}

// Every issue at the location named by the item (normally one), joined.
Value fn_issue_message(EvalContext& ctx, const std::vector<Value>& a) {
  const std::string loc = arg_str(a, 0);
  std::string text;
  for (const auto& i : ctx.snapshot->config.issues) {
    if (issue_location(i) != loc) continue;
    if (!text.empty()) text += "; ";
    text += i.message;
  }
  if (text.empty()) return Unknown{};
  return text;
}

}  // namespace

const std::vector<FunctionSig>& function_table() {
  static const std::vector<FunctionSig> kTable = [] {
    std::vector<FunctionSig> t = {
      {"sysctl", {Type::kString}, Type::kValue, ArgCheck::kSysctlKey, "live value of a key", fn_sysctl},
      {"exists", {Type::kString}, Type::kBool, ArgCheck::kSysctlKey, "the key exists on this kernel (readable or not)", fn_exists},
      {"readable", {Type::kString}, Type::kBool, ArgCheck::kSysctlKey, "the key exists and its value was read", fn_readable},
      {"unreadable", {Type::kString}, Type::kBool, ArgCheck::kSysctlKey, "the key exists but could not be read", fn_unreadable},
      {"configured", {Type::kString}, Type::kBool, ArgCheck::kSysctlKey, "some sysctl.d/sysctl.conf file sets the key", fn_configured},
      {"config", {Type::kString}, Type::kSetting, ArgCheck::kSysctlKey, "what boot applies for the key", fn_config},
      {"drift", {Type::kString}, Type::kBool, ArgCheck::kSysctlKey, "live value differs from what boot applies", fn_drift},
      {"known", {Type::kString}, Type::kBool, ArgCheck::kSysctlKey, "the key is in tcptune's catalogue", fn_known},
      {"catalogue", {Type::kString}, Type::kEntry, ArgCheck::kSysctlKey, "catalogue facts about the key", fn_catalogue},
      {"module_loaded", {Type::kString}, Type::kBool, ArgCheck::kNone, "a kernel module is loaded", fn_module_loaded},
      {"issue_message", {Type::kString}, Type::kString, ArgCheck::kNone,
       "what is wrong at a config_issue location (\"file:line:col\")", fn_issue_message},
    };
    auto extra = evidence_functions();
    t.insert(t.end(), extra.begin(), extra.end());
    auto ns = netns_functions();
    t.insert(t.end(), ns.begin(), ns.end());
    auto latent = latent_functions();
    t.insert(t.end(), latent.begin(), latent.end());
    auto tr = trace_functions();
    t.insert(t.end(), tr.begin(), tr.end());
    auto cov = coverage_functions();
    t.insert(t.end(), cov.begin(), cov.end());
    return t;
  }();
  return kTable;
}

const std::vector<IdentSig>& ident_table() {
  static const std::vector<IdentSig> kTable = {
      {"kernel", Type::kVersion, false, "running kernel version", id_kernel},
      {"kernel_release", Type::kString, false, "running kernel release string", id_kernel_release},
      {"item", Type::kString, true, "the current item of a rule with for_each", id_item},
  };
  static const std::vector<IdentSig> kAll = [] {
    std::vector<IdentSig> t = kTable;
    auto extra = evidence_idents();
    t.insert(t.end(), extra.begin(), extra.end());
    auto ns = netns_idents();
    t.insert(t.end(), ns.begin(), ns.end());
    auto latent = latent_idents();
    t.insert(t.end(), latent.begin(), latent.end());
    auto cov = coverage_idents();
    t.insert(t.end(), cov.begin(), cov.end());
    return t;
  }();
  return kAll;
}

const std::vector<FieldSig>& field_table() {
  using S = Type;
  static const std::vector<FieldSig> kTable = {
      {S::kSetting, "value", S::kValue, "value applied at boot",
       [](EvalContext&, const Value& o) -> Value { return parse_sysctl_value(set_of(o).winner.value); }},
      {S::kSetting, "where", S::kString, "file:line of the assignment applied at boot",
       [](EvalContext&, const Value& o) -> Value { return where_text(set_of(o).winner); }},
      {S::kSetting, "file", S::kString, "file of the assignment applied at boot",
       [](EvalContext&, const Value& o) -> Value { return set_of(o).winner.where.file; }},
      {S::kSetting, "line", S::kInt, "line of the assignment applied at boot",
       [](EvalContext&, const Value& o) -> Value { return int64_t{set_of(o).winner.where.line}; }},
      {S::kSetting, "ignore_failure", S::kBool, "the applied assignment has a leading '-'",
       [](EvalContext&, const Value& o) -> Value { return set_of(o).winner.ignore_failure; }},
      {S::kSetting, "glob", S::kBool, "the applied assignment came from a glob pattern",
       [](EvalContext&, const Value& o) -> Value { return set_of(o).winner.glob; }},
      {S::kSetting, "count", S::kInt, "number of assignments of the key",
       [](EvalContext&, const Value& o) -> Value { return static_cast<int64_t>(set_of(o).shadowed.size() + 1); }},
      {S::kSetting, "files", S::kInt, "number of distinct files assigning the key",
       [](EvalContext&, const Value& o) -> Value { return static_cast<int64_t>(distinct_files(set_of(o))); }},
      {S::kSetting, "assignments", S::kString, "every assignment in boot order, with file:line",
       [](EvalContext&, const Value& o) -> Value { return assignments_text(set_of(o)); }},
      {S::kSetting, "overridden", S::kBool, "an earlier file sets a different value that loses",
       [](EvalContext&, const Value& o) -> Value { return overridden(set_of(o)); }},
      {S::kSetting, "procps_differs", S::kBool, "procps sysctl --system ends with a different value",
       [](EvalContext&, const Value& o) -> Value { return procps_differs(set_of(o)); }},
      {S::kSetting, "procps_value", S::kValue, "value procps sysctl --system applies (n/a if same assignment)",
       [](EvalContext&, const Value& o) -> Value {
         const auto& p = set_of(o).procps_winner;
         if (!p) return Unknown{};
         return parse_sysctl_value(p->value);
       }},
      {S::kSetting, "procps_where", S::kString, "file:line procps sysctl --system applies last",
       [](EvalContext&, const Value& o) -> Value {
         const auto& p = set_of(o).procps_winner;
         if (!p) return Unknown{};
         return where_text(*p);
       }},
      {S::kEntry, "removed_in", S::kVersion, "kernel version that removed the key (n/a if never)",
       [](EvalContext&, const Value& o) -> Value { return version_or_na(entry_of(o).removed_in); }},
      {S::kEntry, "added_in", S::kVersion, "kernel version that added the key (n/a if unknown)",
       [](EvalContext&, const Value& o) -> Value { return version_or_na(entry_of(o).added_in); }},
      {S::kEntry, "has_removed_in", S::kBool, "the catalogue records a removal version",
       [](EvalContext&, const Value& o) -> Value { return entry_of(o).removed_in.has_value(); }},
      {S::kEntry, "has_added_in", S::kBool, "the catalogue records the version that added the key",
       [](EvalContext&, const Value& o) -> Value { return entry_of(o).added_in.has_value(); }},
      {S::kEntry, "scope", S::kString, "\"netns\", \"global\" or \"netns-readonly\"",
       [](EvalContext&, const Value& o) -> Value { return entry_of(o).scope; }},
      {S::kEntry, "module", S::kString, "kernel module providing the key, \"\" if built into the core",
       [](EvalContext&, const Value& o) -> Value { return entry_of(o).module; }},
      {S::kEntry, "type", S::kString, "value type",
       [](EvalContext&, const Value& o) -> Value { return entry_of(o).type; }},
      {S::kEntry, "default", S::kString, "default value (text, may be a formula)",
       [](EvalContext&, const Value& o) -> Value { return entry_of(o).default_text; }},
      {S::kVersion, "major", S::kInt, "major number",
       [](EvalContext&, const Value& o) -> Value { return int64_t{std::get<KernelVersion>(o).major}; }},
      {S::kVersion, "minor", S::kInt, "minor number",
       [](EvalContext&, const Value& o) -> Value { return int64_t{std::get<KernelVersion>(o).minor}; }},
      {S::kVersion, "patch", S::kInt, "patch number",
       [](EvalContext&, const Value& o) -> Value { return int64_t{std::get<KernelVersion>(o).patch}; }},
  };
  return kTable;
}

const std::vector<IterationSig>& iteration_table() {
  static const std::vector<IterationSig> kTable = {
      {"configured_key", "every concrete key the sysctl configuration sets (item = the key)",
       [](const EvalContext& ctx) {
         std::vector<std::string> keys;
         for (const auto& [k, s] : ctx.config->settings) keys.push_back(k);
         return keys;
       }},
      {"config_issue", "every location (file:line:col) where a configuration line is malformed, ignored, "
                       "read differently by systemd-sysctl and procps, or a file could not be read",
       [](const EvalContext& ctx) {
         std::vector<std::string> locs;
         for (const auto& i : ctx.snapshot->config.issues) {
           std::string loc = issue_location(i);
           if (std::find(locs.begin(), locs.end(), loc) == locs.end()) locs.push_back(std::move(loc));
         }
         return locs;
       }},
  };
  static const std::vector<IterationSig> kAll = [] {
    std::vector<IterationSig> t = kTable;
    auto extra = evidence_iterations();
    t.insert(t.end(), extra.begin(), extra.end());
    auto ns = netns_iterations();
    t.insert(t.end(), ns.begin(), ns.end());
    return t;
  }();
  return kAll;
}

namespace {
template <class Table, class Pred>
int find_in(const Table& t, Pred pred) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (pred(t[i])) return static_cast<int>(i);
  }
  return -1;
}
template <class Table>
std::vector<std::string> names_of(const Table& t) {
  std::vector<std::string> out;
  for (const auto& e : t) out.emplace_back(e.name);
  return out;
}
}  // namespace

int find_function(std::string_view n) { return find_in(function_table(), [&](const auto& e) { return e.name == n; }); }
int find_ident(std::string_view n) { return find_in(ident_table(), [&](const auto& e) { return e.name == n; }); }
int find_field(Type owner, std::string_view n) {
  return find_in(field_table(), [&](const auto& e) { return e.owner == owner && e.name == n; });
}
int find_iteration(std::string_view n) { return find_in(iteration_table(), [&](const auto& e) { return e.name == n; }); }

std::vector<std::string> function_names() { return names_of(function_table()); }
std::vector<std::string> ident_names() { return names_of(ident_table()); }
std::vector<std::string> iteration_names() { return names_of(iteration_table()); }
std::vector<std::string> field_names(Type owner) {
  std::vector<std::string> out;
  for (const auto& f : field_table()) {
    if (f.owner == owner) out.emplace_back(f.name);
  }
  return out;
}

}  // namespace tcptune::core

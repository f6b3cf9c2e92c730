#include "core/profile_loader.h"

#include <algorithm>
#include <array>
#include <climits>
#include <utility>

#include <fmt/format.h>

#include "core/catalogue_suggest.h"
#include "core/plan.h"
#include "core/sysctl_key.h"
#include "core/sysctl_value.h"
#include "core/toml_table.h"

namespace tcptune::core {
namespace {

// Every value is checked by the loader, which words its own errors.
constexpr std::array<TomlField, 5> kTopFields{{
    {"name", TomlKind::kAny, true}, {"description", TomlKind::kAny, true}, {"include"}, {"kernel_defaults"}, {"setting"}}};
constexpr std::array<TomlField, 4> kSettingFields{{
    {"key", TomlKind::kAny, true}, {"value", TomlKind::kAny, true}, {"reason", TomlKind::kAny, true},
    {"at_least", TomlKind::kBool}}};

// Jiffies-backed keys accept at most INT_MAX/HZ seconds; HZ is a build option up to 1000, so only
// values up to INT_MAX/1000 are valid on every kernel (proc_dointvec_jiffies in kernel/sysctl.c).
constexpr int64_t kJiffiesSafeMax = INT_MAX / 1000;

// Descriptions and reasons become comment lines of the generated sysctl.d file. A line break
// there -- systemd-sysctl also ends a line at CR and NUL -- would start a line of its own,
// i.e. an assignment nobody reviewed (found by tests/fuzz/fuzz_profiles). No control characters.
bool one_line(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 64 || n.front() == '-') return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Status check_range(const CatalogueEntry& e, const std::vector<int64_t>& numbers) {
  for (int64_t n : numbers) {
    const bool low = e.min && n < *e.min;
    const bool high = e.max && n > *e.max;
    if (!low && !high) continue;
    const std::string lo = e.min ? std::to_string(*e.min) : "";
    const std::string hi = e.max ? std::to_string(*e.max) : "";
    const std::string range = e.min && e.max ? fmt::format("{}..{}", lo, hi)
                              : e.min        ? fmt::format(">= {}", lo)
                                             : fmt::format("<= {}", hi);
    return make_error(e.key, fmt::format("value {} is out of range: the kernel accepts {}{}", n,
                                         numbers.size() > 1 ? "each field " : "", range));
  }
  if (e.jiffies) {
    for (int64_t n : numbers) {
      if (n <= kJiffiesSafeMax) continue;
      return make_error(e.key, fmt::format("value {} is out of range: a kernel with HZ=1000 "
                                           "accepts at most {} (INT_MAX/HZ seconds)",
                                           n, kJiffiesSafeMax));
    }
  }
  return ok_status();
}

// ip_local_port_range: low >= ip_unprivileged_port_start (1024 by default) and high >= low
// (ipv4_local_port_range() in net/ipv4/sysctl_net_ipv4.c: "1023 60999" and "2000 1999" -> EINVAL).
Status check_port_range(const CatalogueEntry& e, const std::vector<int64_t>& n) {
  if (n[0] < 1024) {
    return make_error(e.key, fmt::format("low port {} is below ip_unprivileged_port_start "
                                         "(1024 by default): the kernel rejects it", n[0]));
  }
  if (n[1] < n[0]) {
    return make_error(e.key, fmt::format("high port {} is below low port {}", n[1], n[0]));
  }
  return ok_status();
}

}  // namespace

Result<std::string> check_setting_value(const CatalogueEntry& e, std::string_view text) {
  const SysctlValue v = parse_sysctl_value(text);
  const bool scalar = e.type == "integer" || e.type == "enum" || e.type == "boolean" ||
                      e.type == "bitmask";
  if (scalar) {
    if (v.kind != SysctlValue::Kind::kInteger) {
      return make_error(e.key, fmt::format("'{}' is not an integer ({} takes one)", v.text, e.type));
    }
    if (e.type == "boolean" && v.numbers[0] != 0 && v.numbers[0] != 1) {
      return make_error(e.key, fmt::format("value {} is not a boolean: use 0 or 1", v.numbers[0]));
    }
    if (auto st = check_range(e, v.numbers); !st) return st.error();
    return v.text;
  }
  if (e.type == "tuple") {
    if (v.kind == SysctlValue::Kind::kString || v.numbers.size() != static_cast<size_t>(e.fields)) {
      return make_error(e.key, fmt::format("'{}' is not {} integers", v.text, e.fields));
    }
    if (auto st = check_range(e, v.numbers); !st) return st.error();
    if (e.key == "net.ipv4.ip_local_port_range") {
      if (auto st = check_port_range(e, v.numbers); !st) return st.error();
    }
    return v.text;
  }
  if (e.type == "string" && (v.text.empty() || v.text.find(' ') != std::string::npos)) {
    return make_error(e.key, fmt::format("'{}' is not a single word", v.text));
  }
  return v.text;  // "list": any text the kernel parses; an empty list clears it
}

namespace {

// The text of a value node: integer, string, or array of integers (tuples).
Result<std::string> value_text(std::string_view path, const toml::node& v) {
  if (const auto* i = v.as_integer()) return std::to_string(i->get());
  if (const auto* s = v.as_string()) return s->get();
  if (const auto* a = v.as_array()) {
    std::string out;
    for (const auto& el : *a) {
      if (!el.is_integer()) {
        return toml_error(path, el.source(), "elements of 'value' must be integers");
      }
      if (!out.empty()) out += ' ';
      out += std::to_string(el.as_integer()->get());
    }
    return out;
  }
  return toml_error(path, v.source(), "'value' must be an integer, a string or an array of integers");
}

// Known, not removed: the checks shared by settings and kernel_defaults entries.
Result<const CatalogueEntry*> known_key(std::string_view path, const toml::node& n,
                                        const Catalogue& cat) {
  const auto* s = n.as_string();
  if (!s) return toml_error(path, n.source(), "a sysctl key must be a string");
  const std::string key = normalize_key(s->get());
  const CatalogueEntry* e = cat.find(key);
  if (!e) {
    const auto near = suggest_keys(cat, key, 1);
    return toml_error(path, n.source(),
                      fmt::format("unknown sysctl '{}'{}", key,
                                  near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near[0])));
  }
  if (e->removed_in) {
    return toml_error(path, n.source(),
                      fmt::format("{} was removed in Linux {}; a profile never sets it", key,
                                  version_text(*e->removed_in)));
  }
  return e;
}

Result<ProfileSetting> parse_setting(std::string_view path, const toml::table& t,
                                     const Catalogue& cat) {
  ProfileSetting s;
  s.where = toml_loc(path, t.source());
  const TomlTable table(path, t, kSettingFields, "field", " in [[setting]]");
  if (auto st = table.check_names(); !st) return st.error();
  if (auto st = table.check_required("[[setting]]", s.where); !st) return st.error();
  auto entry = known_key(path, *t.get("key"), cat);
  if (!entry) return entry.error();
  s.key = (*entry)->key;
  const toml::node& val = *t.get("value");
  auto text = value_text(path, val);
  if (!text) return text.error();
  auto checked = check_setting_value(**entry, *text);
  if (!checked) return toml_error(path, val.source(), fmt::format("{}: {}", s.key, checked.error().what));
  s.value = *checked;
  const toml::node& reason = *t.get("reason");
  if (!reason.is_string() || reason.as_string()->get().empty() || !one_line(reason.as_string()->get())) {
    return toml_error(path, reason.source(), "'reason' must be a non-empty one-line string");
  }
  s.reason = reason.as_string()->get();
  const toml::node* al = t.get("at_least");
  if (al && !al->is_boolean()) {
    return toml_error(path, al->source(), fmt::format("'at_least' must be true or false, not {}",
                                                      toml_type_name(al->type())));
  }
  if (al && al->as_boolean()->get()) {
    const SysctlValue v = parse_sysctl_value(s.value);
    const bool floorable = v.kind == SysctlValue::Kind::kInteger ||
                           (v.kind == SysctlValue::Kind::kTuple && v.numbers.size() == 2);
    if (!floorable) {
      return toml_error(path, al->source(),
                        fmt::format("{}: 'at_least' needs an integer value or a two-integer range, not '{}'",
                                    s.key, s.value),
                        "at_least makes the value a floor that a larger live value (or a wider range) satisfies");
    }
    s.at_least = true;
  }
  return s;
}

Result<std::vector<const toml::node*>> array_of(std::string_view path, const toml::node& n,
                                                std::string_view field, bool tables) {
  const auto* a = n.as_array();
  if (!a) {
    return toml_error(path, n.source(), fmt::format("'{}' must be an array of {}", field,
                                                    tables ? "tables ([[setting]])" : "strings"));
  }
  std::vector<const toml::node*> out;
  for (const auto& el : *a) {
    if (tables ? !el.is_table() : !el.is_string()) {
      return toml_error(path, el.source(), fmt::format("elements of '{}' must be {}", field,
                                                       tables ? "tables" : "strings"));
    }
    out.push_back(&el);
  }
  return out;
}

Status add_setting(std::string_view path, Profile& p, ProfileSetting s, const toml::node& at) {
  for (const auto& prev : p.settings) {
    if (prev.key == s.key) {
      return toml_error(path, at.source(), fmt::format("{} is set twice (first at line {})", s.key,
                                                       prev.where.line));
    }
  }
  p.settings.push_back(std::move(s));
  return ok_status();
}

Status read_top_field(std::string_view path, std::string_view name, const toml::node& v,
                      const Catalogue& cat, Profile& p) {
  if (name == "name" || name == "description") {
    if (!v.is_string() || v.as_string()->get().empty()) {
      return toml_error(path, v.source(), fmt::format("'{}' must be a non-empty string", name));
    }
    if (!one_line(v.as_string()->get())) {
      return toml_error(path, v.source(), fmt::format("'{}' must be one line without control characters", name));
    }
    const std::string s = v.as_string()->get();
    if (name == "name" && !valid_name(s)) {
      return toml_error(path, v.source(), fmt::format("invalid profile name '{}' (use a-z, 0-9 and '-')", s));
    }
    (name == "name" ? p.name : p.description) = s;
    if (name == "name") p.where = toml_loc(path, v.source());
    return ok_status();
  }
  const bool tables = name == "setting";
  auto items = array_of(path, v, name, tables);
  if (!items) return items.error();
  for (const toml::node* el : *items) {
    if (name == "include") {
      p.include.push_back(el->as_string()->get());
      p.include_where.push_back(toml_loc(path, el->source()));
      continue;
    }
    ProfileSetting s;
    if (tables) {
      auto parsed = parse_setting(path, *el->as_table(), cat);
      if (!parsed) return parsed.error();
      s = std::move(*parsed);
    } else {
      auto entry = known_key(path, *el, cat);
      if (!entry) return entry.error();
      if (!(*entry)->default_value && (*entry)->older_defaults.empty() &&
          !derived_default_supported((*entry)->key)) {
        return toml_error(path, el->source(),
                          fmt::format("{} has no fixed compiled-in default ({}); it cannot be restored "
                                      "from a number", (*entry)->key, (*entry)->default_text));
      }
      s.key = (*entry)->key;
      s.kernel_default = true;
      s.where = toml_loc(path, el->source());
    }
    if (auto st = add_setting(path, p, std::move(s), *el); !st) return st;
  }
  return ok_status();
}

}  // namespace

Result<Profile> load_profile(std::string_view text, std::string_view path, const Catalogue& cat) {
  auto parsed = parse_toml(text, path);  // with the toml++ 3.3 UB guard
  if (!parsed) return parsed.error();
  const toml::table& root = parsed->table();
  Profile p;
  p.path = std::string(path);
  const TomlTable table(path, root, kTopFields);
  auto fields = table.entries();
  if (!fields) return fields.error();
  for (const auto& [f, k, v] : *fields) {
    if (auto st = read_top_field(path, f->name, *v, cat, p); !st) return st.error();
  }
  if (auto st = table.check_required("profile", SourceLoc{std::string(path), 1, 1}); !st) return st.error();
  return p;
}

Result<ProfileSet> load_profiles(const std::vector<ProfileSource>& sources, const Catalogue& cat) {
  ProfileSet set;
  for (const auto& src : sources) {
    auto p = load_profile(src.text, src.path, cat);
    if (!p) return p.error();
    auto it = set.profiles.find(p->name);
    if (it != set.profiles.end()) {
      set.replaced.push_back(fmt::format("{}: {} replaces {}", p->name, p->path, it->second.path));
      it->second = std::move(*p);
    } else {
      std::string name = p->name;
      set.profiles.emplace(std::move(name), std::move(*p));
    }
  }
  return set;
}

}  // namespace tcptune::core

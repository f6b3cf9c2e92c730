#include "core/rule_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "core/did_you_mean.h"
#include "core/expr_check.h"
#include "core/expr_registry.h"
#include "core/toml_locate.h"
#include "core/toml_table.h"

namespace tcptune::core {
namespace {

// The fields of a [[rule]]; `references` is checked by the loader (a non-empty array).
constexpr std::array<TomlField, 10> kFields{{
    {"id", TomlKind::kString, true},        {"severity", TomlKind::kString, true},
    {"title", TomlKind::kString, true},     {"when", TomlKind::kString, true},
    {"message", TomlKind::kString, true},   {"mechanism", TomlKind::kString},
    {"avoid", TomlKind::kString},           {"recommendation", TomlKind::kString, true},
    {"references", TomlKind::kAny, true},   {"for_each", TomlKind::kString},
}};
// A [threshold.NAME] table; `doc` must also be non-empty.
constexpr std::array<TomlField, 2> kThresholdFields{{{"default", TomlKind::kInteger, true},
                                                     {"doc", TomlKind::kAny, true}}};
constexpr std::array<TomlField, 2> kTopFields{{{"rule"}, {"threshold"}}};

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

bool valid_threshold_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

class RuleParser {
 public:
  RuleParser(const RuleSource& src, const Catalogue& cat, const std::vector<std::string>* thresholds)
      : src_(src), cat_(cat), thresholds_(thresholds) {}

  Result<Rule> parse(const toml::table& t) {
    const TomlTable table(src_.path, t, kFields);
    if (auto st = table.check_names(); !st) return st.error();
    if (auto st = table.check_required("rule", toml_loc(src_.path, t.source())); !st) return st.error();
    auto fields = table.entries();
    if (!fields) return fields.error();
    Rule r;
    if (const toml::node* fe = t.get("for_each")) {
      const std::string& name = fe->as_string()->get();
      if (find_iteration(name) < 0) {
        return make_file_error(toml_loc(src_.path, fe->source()),
                               fmt::format("unknown iteration source '{}'{}", name, did_you_mean(name, iteration_names())));
      }
      r.for_each = name;
    }
    env_ = CheckEnv{&cat_, !r.for_each.empty(), &r.keys, thresholds_};
    for (const auto& [f, k, v] : *fields) {
      if (auto err = field(r, f->name, *v)) return *err;
    }
    r.where = toml_loc(src_.path, t.get("id")->source());
    std::sort(r.keys.begin(), r.keys.end());
    r.keys.erase(std::unique(r.keys.begin(), r.keys.end()), r.keys.end());
    return r;
  }

 private:
  // Re-locates an expression error (offset in the string value) to file coordinates.
  Error relocate(const Error& e, const toml::node& n, const std::string& value) {
    const StringLocator loc(src_.text, toml_loc(src_.path, n.source()), value);
    const size_t off = static_cast<size_t>(e.loc && e.loc->col > 0 ? e.loc->col - 1 : 0);
    return make_file_error(loc.at(off), e.what, e.hint);
  }

  std::optional<Error> field(Rule& r, std::string_view name, const toml::node& n) {
    if (name == "for_each") return std::nullopt;
    if (name == "references") return references(r, n);
    const std::string& s = n.as_string()->get();
    const SourceLoc at = toml_loc(src_.path, n.source());
    if (name == "id") {
      if (!valid_id(s)) {
        return make_file_error(at, fmt::format("invalid rule id '{}' (use 1-64 letters, digits, '-', '_', '.')", s));
      }
      r.id = s;
    } else if (name == "severity") {
      auto sev = parse_severity(s);
      if (!sev) {
        return make_file_error(at, fmt::format("bad severity '{}'{}", s,
                                               did_you_mean(s, {"info", "warning", "critical"})),
                               "severity is one of info, warning, critical");
      }
      r.severity = *sev;
    } else if (name == "title") {
      if (s.empty()) return make_file_error(at, "field 'title' is empty");
      r.title = s;
    } else if (name == "when") {
      auto e = compile_expr(s, Type::kBool, env_);
      if (!e) return relocate(e.error(), n, s);
      r.when = std::move(*e);
      r.text.when = s;
    } else {
      if ((name == "mechanism" || name == "avoid") && s.empty()) {
        return make_file_error(at, fmt::format("field '{}' is empty", name));
      }
      auto t = compile_template(s, env_);
      if (!t) return relocate(t.error(), n, s);
      if (name == "message") r.message = std::move(*t), r.text.message = s;
      else if (name == "mechanism") r.mechanism = std::move(*t), r.text.mechanism = s;
      else if (name == "avoid") r.avoid = std::move(*t), r.text.avoid = s;
      else r.recommendation = std::move(*t), r.text.recommendation = s;
    }
    return std::nullopt;
  }

  std::optional<Error> references(Rule& r, const toml::node& n) {
    const toml::array* a = n.as_array();
    if (!a || a->empty()) {
      return make_file_error(toml_loc(src_.path, n.source()), "field 'references' must be a non-empty array of strings");
    }
    auto refs = toml_strings(src_.path, "references", *a);
    if (!refs) return refs.error();
    r.references = std::move(*refs);
    return std::nullopt;
  }

  const RuleSource& src_;
  const Catalogue& cat_;
  const std::vector<std::string>* thresholds_;
  CheckEnv env_;
};

Status parse_threshold(const RuleSource& src, const toml::key& name, const toml::node& v,
                       std::map<std::string, ThresholdDecl>& out) {
  const SourceLoc at = toml_loc(src.path, name.source());
  if (!valid_threshold_name(name.str())) {
    return make_file_error(at, fmt::format("invalid threshold name '{}' (use 1-64 lowercase letters, digits, '_')", name.str()));
  }
  const toml::table* t = v.as_table();
  if (!t) return make_file_error(toml_loc(src.path, v.source()), fmt::format("threshold '{}' must be a table", name.str()));
  ThresholdDecl d;
  d.name = std::string(name.str());
  d.where = at;
  const TomlTable table(src.path, *t, kThresholdFields);
  if (auto st = table.check_names(); !st) return st;
  if (auto st = table.check_required(fmt::format("threshold '{}'", d.name), at); !st) return st;
  if (auto st = table.entries(); !st) return st.error();
  const toml::node* def = t->get("default");
  const toml::node* doc = t->get("doc");
  if (!doc->is_string() || doc->as_string()->get().empty()) {
    return make_file_error(toml_loc(src.path, doc->source()), "field 'doc' must be a non-empty string");
  }
  d.default_value = def->as_integer()->get();
  d.doc = doc->as_string()->get();
  if (auto it = out.find(d.name); it != out.end()) {
    const SourceLoc& first = it->second.where;
    return make_file_error(at, fmt::format("duplicate threshold '{}' (first defined at {}:{}:{})", d.name, first.file,
                                           first.line, first.col));
  }
  out.emplace(d.name, std::move(d));
  return ok_status();
}

// First pass over a parsed file: top-level keys and threshold declarations.
Status scan_source(const RuleSource& src, const toml::table& top, std::map<std::string, ThresholdDecl>& thresholds) {
  if (auto st = TomlTable(src.path, top, kTopFields, "top-level field").check_names(); !st) return st;
  const toml::node* v = top.get("threshold");
  if (!v) return ok_status();
  const toml::table* t = v->as_table();
  if (!t) return make_file_error(toml_loc(src.path, v->source()), "'threshold' must be a table ([threshold.NAME])");
  for (const auto& [name, decl] : in_file_order(*t)) {
    if (auto st = parse_threshold(src, *name, *decl, thresholds); !st) return st;
  }
  return ok_status();
}

Status load_source(const RuleSource& src, const toml::table& top, const Catalogue& cat,
                   const std::vector<std::string>& thresholds, std::vector<Rule>& out) {
  for (auto&& [k, v] : top) {
    if (k.str() != "rule") continue;
    const toml::array* arr = v.as_array();
    if (!arr || !arr->is_array_of_tables()) {
      return make_file_error(toml_loc(src.path, v.source()), "'rule' must be an array of tables ([[rule]])");
    }
    for (const toml::node& el : *arr) {
      auto r = RuleParser(src, cat, &thresholds).parse(*el.as_table());
      if (!r) return r.error();
      out.push_back(std::move(*r));
    }
  }
  return ok_status();
}

}  // namespace

struct ParsedRuleFiles::Impl {
  std::vector<RuleSource> sources;
  std::vector<toml::table> tables;  // one per source
};

ParsedRuleFiles::ParsedRuleFiles() : impl_(std::make_unique<Impl>()) {}
ParsedRuleFiles::ParsedRuleFiles(ParsedRuleFiles&&) noexcept = default;
ParsedRuleFiles& ParsedRuleFiles::operator=(ParsedRuleFiles&&) noexcept = default;
ParsedRuleFiles::~ParsedRuleFiles() = default;

void ParsedRuleFiles::append(ParsedRuleFiles&& more) {
  for (auto& s : more.impl_->sources) impl_->sources.push_back(std::move(s));
  for (auto& t : more.impl_->tables) impl_->tables.push_back(std::move(t));
}

Result<ParsedRuleFiles> parse_rule_files(std::vector<RuleSource> sources) {
  ParsedRuleFiles out;
  ParsedRuleFiles::Impl& p = *out.impl_;
  p.sources = std::move(sources);
  p.tables.reserve(p.sources.size());
  for (const auto& src : p.sources) {
    auto parsed = parse_toml(src.text, src.path);  // with the toml++ 3.3 UB guard
    if (!parsed) return parsed.error();
    p.tables.push_back(std::move(*parsed).table());
  }
  return out;
}

Result<RuleSet> load_rule_set(const ParsedRuleFiles& parsed, const Catalogue& catalogue) {
  const ParsedRuleFiles::Impl& p = *parsed.impl_;
  RuleSet set;
  // Collect the thresholds of every file first: a rule may use a threshold another file
  // declares, and every name is checked at load time.
  for (size_t s = 0; s < p.sources.size(); ++s) {
    if (auto st = scan_source(p.sources[s], p.tables[s], set.thresholds); !st) return st.error();
  }
  std::vector<std::string> names;
  for (const auto& [n, d] : set.thresholds) names.push_back(n);
  std::vector<Rule>& rules = set.rules;
  for (size_t s = 0; s < p.sources.size(); ++s) {
    const size_t before = rules.size();
    if (auto st = load_source(p.sources[s], p.tables[s], catalogue, names, rules); !st) return st.error();
    for (size_t i = before; i < rules.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (rules[j].id != rules[i].id) continue;
        const SourceLoc& first = rules[j].where;
        return make_file_error(rules[i].where, fmt::format("duplicate rule id '{}' (first defined at {}:{}:{})",
                                                           rules[i].id, first.file, first.line, first.col));
      }
    }
  }
  return set;
}

Result<RuleSet> load_rule_set(const std::vector<RuleSource>& sources, const Catalogue& catalogue) {
  auto parsed = parse_rule_files(sources);
  if (!parsed) return parsed.error();
  return load_rule_set(*parsed, catalogue);
}

Result<std::vector<Rule>> load_rules(const std::vector<RuleSource>& sources, const Catalogue& catalogue) {
  auto set = load_rule_set(sources, catalogue);
  if (!set) return set.error();
  return std::move(set->rules);
}

Thresholds default_thresholds(const RuleSet& set) {
  Thresholds out;
  for (const auto& [name, d] : set.thresholds) {
    out[name] = ThresholdValue{d.default_value, fmt::format("default, {}:{}", d.where.file, d.where.line)};
  }
  return out;
}

std::vector<std::string> referenced_keys(const std::vector<Rule>& rules) {
  std::set<std::string> keys;
  for (const auto& r : rules) keys.insert(r.keys.begin(), r.keys.end());
  return {keys.begin(), keys.end()};
}

bool needs_configured_keys(const std::vector<Rule>& rules) {
  return std::any_of(rules.begin(), rules.end(), [](const Rule& r) { return r.for_each == "configured_key"; });
}

}  // namespace tcptune::core

#include "core/rule_loader.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/did_you_mean.h"
#include "core/expr_check.h"
#include "core/expr_registry.h"
#include "core/toml_guard.h"
#include "core/toml_locate.h"

namespace tcptune::core {
namespace {

const std::vector<std::string> kFields = {"id", "severity", "title", "when", "message", "mechanism",
                                          "avoid", "recommendation", "references", "for_each"};
const std::vector<std::string> kThresholdFields = {"default", "doc"};
const std::vector<std::string> kRequired = {"id", "severity", "title", "when", "message",
                                            "recommendation", "references"};

SourceLoc loc_of(const std::string& path, const toml::source_region& r) {
  return SourceLoc{path, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

std::string_view toml_type(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}

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
    // Fields in file order (toml++ iterates keys sorted), so the first error is the first in the file.
    std::vector<std::pair<const toml::key*, const toml::node*>> fields;
    for (auto&& [k, v] : t) fields.emplace_back(&k, &v);
    std::sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) {
      const auto& pa = a.first->source().begin;
      const auto& pb = b.first->source().begin;
      return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
    });
    for (const auto& [k, v] : fields) {
      if (std::find(kFields.begin(), kFields.end(), k->str()) == kFields.end()) {
        return make_file_error(loc_of(src_.path, k->source()),
                               fmt::format("unknown field '{}'{}", k->str(), did_you_mean(k->str(), kFields)));
      }
    }
    for (const auto& f : kRequired) {
      if (!t.contains(f)) {
        return make_file_error(loc_of(src_.path, t.source()), fmt::format("rule is missing field '{}'", f));
      }
    }
    Rule r;
    if (t.contains("for_each")) {
      auto fe = string_field(t, "for_each");
      if (!fe) return fe.error();
      if (find_iteration(*fe) < 0) {
        return make_file_error(loc_of(src_.path, t.get("for_each")->source()),
                               fmt::format("unknown iteration source '{}'{}", *fe, did_you_mean(*fe, iteration_names())));
      }
      r.for_each = *fe;
    }
    env_ = CheckEnv{&cat_, !r.for_each.empty(), &r.keys, thresholds_};
    for (const auto& [k, v] : fields) {
      if (auto err = field(r, k->str(), *v)) return *err;
    }
    r.where = loc_of(src_.path, t.get("id")->source());
    std::sort(r.keys.begin(), r.keys.end());
    r.keys.erase(std::unique(r.keys.begin(), r.keys.end()), r.keys.end());
    return r;
  }

 private:
  Result<std::string> string_field(const toml::table& t, std::string_view name) {
    const toml::node* n = t.get(name);
    if (!n->is_string()) {
      return make_file_error(loc_of(src_.path, n->source()),
                             fmt::format("field '{}' must be a string, got {}", name, toml_type(*n)));
    }
    return n->as_string()->get();
  }

  // Re-locates an expression error (offset in the string value) to file coordinates.
  Error relocate(const Error& e, const toml::node& n, const std::string& value) {
    const StringLocator loc(src_.text, loc_of(src_.path, n.source()), value);
    const size_t off = static_cast<size_t>(e.loc && e.loc->col > 0 ? e.loc->col - 1 : 0);
    return make_file_error(loc.at(off), e.what, e.hint);
  }

  std::optional<Error> field(Rule& r, std::string_view name, const toml::node& n) {
    if (name == "for_each") return std::nullopt;
    if (name == "references") return references(r, n);
    if (!n.is_string()) {
      return make_file_error(loc_of(src_.path, n.source()),
                             fmt::format("field '{}' must be a string, got {}", name, toml_type(n)));
    }
    const std::string& s = n.as_string()->get();
    const SourceLoc at = loc_of(src_.path, n.source());
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
      return make_file_error(loc_of(src_.path, n.source()), "field 'references' must be a non-empty array of strings");
    }
    for (const toml::node& el : *a) {
      if (!el.is_string()) {
        return make_file_error(loc_of(src_.path, el.source()),
                               fmt::format("references must be strings, got {}", toml_type(el)));
      }
      r.references.push_back(el.as_string()->get());
    }
    return std::nullopt;
  }

  const RuleSource& src_;
  const Catalogue& cat_;
  const std::vector<std::string>* thresholds_;
  CheckEnv env_;
};

Status parse_threshold(const RuleSource& src, const toml::key& name, const toml::node& v,
                       std::map<std::string, ThresholdDecl>& out) {
  const SourceLoc at = loc_of(src.path, name.source());
  if (!valid_threshold_name(name.str())) {
    return make_file_error(at, fmt::format("invalid threshold name '{}' (use 1-64 lowercase letters, digits, '_')", name.str()));
  }
  const toml::table* t = v.as_table();
  if (!t) return make_file_error(loc_of(src.path, v.source()), fmt::format("threshold '{}' must be a table", name.str()));
  for (auto&& [k, f] : *t) {
    if (std::find(kThresholdFields.begin(), kThresholdFields.end(), k.str()) == kThresholdFields.end()) {
      return make_file_error(loc_of(src.path, k.source()),
                             fmt::format("unknown field '{}'{}", k.str(), did_you_mean(k.str(), kThresholdFields)));
    }
  }
  ThresholdDecl d;
  d.name = std::string(name.str());
  d.where = at;
  const toml::node* def = t->get("default");
  const toml::node* doc = t->get("doc");
  if (!def) return make_file_error(at, fmt::format("threshold '{}' is missing field 'default'", d.name));
  if (!doc) return make_file_error(at, fmt::format("threshold '{}' is missing field 'doc'", d.name));
  if (!def->is_integer()) {
    return make_file_error(loc_of(src.path, def->source()),
                           fmt::format("field 'default' must be an integer, got {}", toml_type(*def)));
  }
  if (!doc->is_string() || doc->as_string()->get().empty()) {
    return make_file_error(loc_of(src.path, doc->source()), "field 'doc' must be a non-empty string");
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
  for (auto&& [k, v] : top) {
    if (k.str() == "threshold") {
      const toml::table* t = v.as_table();
      if (!t) return make_file_error(loc_of(src.path, v.source()), "'threshold' must be a table ([threshold.NAME])");
      for (auto&& [name, decl] : *t) {
        if (auto st = parse_threshold(src, name, decl, thresholds); !st) return st;
      }
    } else if (k.str() != "rule") {
      return make_file_error(loc_of(src.path, k.source()), fmt::format("unknown top-level key '{}'{}", k.str(),
                                                                      did_you_mean(k.str(), {"rule", "threshold"})));
    }
  }
  return ok_status();
}

Status load_source(const RuleSource& src, const toml::table& top, const Catalogue& cat,
                   const std::vector<std::string>& thresholds, std::vector<Rule>& out) {
  for (auto&& [k, v] : top) {
    if (k.str() != "rule") continue;
    const toml::array* arr = v.as_array();
    if (!arr || !arr->is_array_of_tables()) {
      return make_file_error(loc_of(src.path, v.source()), "'rule' must be an array of tables ([[rule]])");
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
    if (auto st = check_toml_text(src.text, src.path); !st) return st.error();  // toml++ 3.3 UB guard
    auto parsed = toml::parse(src.text, src.path);
    if (!parsed) return make_file_error(loc_of(src.path, parsed.error().source()), std::string(parsed.error().description()));
    p.tables.push_back(std::move(parsed).table());
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

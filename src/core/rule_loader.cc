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

const std::vector<std::string> kFields = {"id", "severity", "title", "when", "message",
                                          "recommendation", "references", "for_each"};
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

class RuleParser {
 public:
  RuleParser(const RuleSource& src, const Catalogue& cat) : src_(src), cat_(cat) {}

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
    env_ = CheckEnv{&cat_, !r.for_each.empty(), &r.keys};
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
    } else {
      auto t = compile_template(s, env_);
      if (!t) return relocate(t.error(), n, s);
      (name == "message" ? r.message : r.recommendation) = std::move(*t);
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
  CheckEnv env_;
};

Status load_source(const RuleSource& src, const Catalogue& cat, std::vector<Rule>& out) {
  if (auto st = check_toml_text(src.text, src.path); !st) return st;  // toml++ 3.3 UB guard
  toml::parse_result parsed = toml::parse(src.text, src.path);
  if (!parsed) {
    const auto& err = parsed.error();
    return make_file_error(loc_of(src.path, err.source()), std::string(err.description()));
  }
  const toml::table& top = parsed.table();
  for (auto&& [k, v] : top) {
    if (k.str() != "rule") {
      return make_file_error(loc_of(src.path, k.source()),
                             fmt::format("unknown top-level key '{}'{}", k.str(), did_you_mean(k.str(), {"rule"})));
    }
    const toml::array* arr = v.as_array();
    if (!arr || !arr->is_array_of_tables()) {
      return make_file_error(loc_of(src.path, v.source()), "'rule' must be an array of tables ([[rule]])");
    }
    for (const toml::node& el : *arr) {
      auto r = RuleParser(src, cat).parse(*el.as_table());
      if (!r) return r.error();
      out.push_back(std::move(*r));
    }
  }
  return ok_status();
}

}  // namespace

Result<std::vector<Rule>> load_rules(const std::vector<RuleSource>& sources, const Catalogue& catalogue) {
  std::vector<Rule> rules;
  for (const auto& src : sources) {
    const size_t before = rules.size();
    if (auto st = load_source(src, catalogue, rules); !st) return st.error();
    for (size_t i = before; i < rules.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (rules[j].id != rules[i].id) continue;
        const SourceLoc& first = rules[j].where;
        return make_file_error(rules[i].where, fmt::format("duplicate rule id '{}' (first defined at {}:{}:{})",
                                                           rules[i].id, first.file, first.line, first.col));
      }
    }
  }
  return rules;
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

#include "cli/text_wrap.h"
#include "cli/explain_render.h"

#include <cstring>

#include <fmt/format.h>

namespace tcptune::cli {
namespace {

constexpr std::size_t kLabelWidth = 13;  // "Live value:  " and friends

std::string labelled(std::string_view label, std::string_view text) {
  const std::string first = fmt::format("{:<{}}", fmt::format("{}:", label), kLabelWidth);
  return wrap_text(text, first, std::string(kLabelWidth, ' '));
}

// A further line under the previous label's text.
std::string continued(std::string_view text) {
  const std::string indent(kLabelWidth, ' ');
  return wrap_text(text, indent, indent);
}

std::string scope_phrase(const std::string& scope) {
  if (scope == "netns") return "per network namespace";
  if (scope == "global") return "global (one value for the whole host, not per network namespace)";
  if (scope == "netns-readonly") {
    return "global value; the file is read-only in child network namespaces";
  }
  return scope;
}

std::string bound_text(const std::string& text, const std::optional<int64_t>& n) {
  if (!text.empty()) return text;
  return n ? std::to_string(*n) : std::string("not known");
}

std::string range_text(const core::CatalogueEntry& e) {
  // The facts often say "each element/value" already; do not say it twice.
  const bool per_field = (e.type == "tuple" || e.type == "list") &&
                         e.min_text.find("each") == std::string::npos;
  return fmt::format("{}min {}; max {}", per_field ? "each field: " : "",
                     bound_text(e.min_text, e.min), bound_text(e.max_text, e.max));
}

std::string live_text(const core::SysctlReading& r) {
  switch (r.state) {
    case core::SysctlReading::State::kValue:
      return r.value.text.empty() ? std::string("(empty)") : r.value.text;
    case core::SysctlReading::State::kAbsent:
      return "absent (no such key on this kernel or in this network namespace)";
    case core::SysctlReading::State::kUnreadable:
      return fmt::format("unreadable: {}", std::strerror(r.err));
  }
  return {};
}

std::string bullets(std::string_view heading, const std::vector<std::string>& items) {
  if (items.empty()) return {};
  std::string out = fmt::format("\n{}\n", heading);
  for (const auto& item : items) out += wrap_text(item, "  - ", "    ");
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string render_explain(const core::CatalogueEntry& e, const core::SysctlReading* live) {
  std::string out = e.key + "\n\n";
  out += wrap_text(e.meaning, "", "");
  out += "\n";
  out += labelled("Type", e.fields > 1 ? fmt::format("{} of {} fields", e.type, e.fields) : e.type);
  out += labelled("Unit", e.unit_text.empty() ? e.unit : e.unit_text);
  out += labelled("Default", e.default_text);
  out += labelled("Range", range_text(e));
  out += labelled("Namespace", scope_phrase(e.scope));
  if (!e.scope_text.empty()) out += continued(e.scope_text);
  out += labelled("Added", e.added_text.empty() ? "unknown" : e.added_text);
  out += labelled("Removed", e.removed_text.empty() ? "no" : e.removed_text);
  if (!e.module.empty()) {
    out += labelled("Module", fmt::format("{} (the key exists only while the module is loaded "
                                          "or built in)", e.module));
  }
  if (!e.unverified.empty()) out += labelled("Unverified", joined(e.unverified));
  if (live) out += labelled("Live value", live_text(*live));
  out += bullets("Interactions:", e.interactions);
  out += bullets("Not true (common misconceptions):", e.misconceptions);
  out += "\nSource:\n" + wrap_text(e.source, "  ", "  ");
  return out;
}

nlohmann::json render_explain_json(const core::CatalogueEntry& e,
                                   const core::SysctlReading* live) {
  auto opt_int = [](const std::optional<int64_t>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  auto opt_ver = [](const std::optional<core::KernelVersion>& v) {
    return v ? nlohmann::json(core::version_text(*v)) : nlohmann::json(nullptr);
  };
  nlohmann::json j = {
      {"key", e.key},           {"type", e.type},
      {"unit", e.unit},         {"unit_text", e.unit_text},
      {"fields", e.fields},     {"default", e.default_text},
      {"min", opt_int(e.min)},  {"max", opt_int(e.max)},
      {"min_text", e.min_text}, {"max_text", e.max_text},
      {"jiffies", e.jiffies},   {"scope", e.scope},
      {"scope_text", e.scope_text}, {"added_in", opt_ver(e.added_in)},
      {"added_text", e.added_text}, {"removed_in", opt_ver(e.removed_in)},
      {"removed_text", e.removed_text}, {"meaning", e.meaning},
      {"interactions", e.interactions}, {"misconceptions", e.misconceptions},
      {"source", e.source},     {"unverified", e.unverified},
  };
  j["default_value"] = e.default_value ? nlohmann::json(*e.default_value) : nlohmann::json(nullptr);
  j["module"] = e.module.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.module);
  j["older_defaults"] = nlohmann::json::array();
  for (const auto& od : e.older_defaults) {
    j["older_defaults"].push_back({{"until", core::version_text(od.until)}, {"value", od.value}});
  }
  j["live"] = nullptr;
  if (live) {
    const bool unreadable = live->state == core::SysctlReading::State::kUnreadable;
    j["live"] = {
        {"state", std::string(core::state_name(live->state))},
        {"value", live->has_value() ? nlohmann::json(live->value.text) : nlohmann::json(nullptr)},
        {"error", unreadable ? nlohmann::json(std::strerror(live->err)) : nlohmann::json(nullptr)}};
  }
  return j;
}

}  // namespace tcptune::cli

#include "core/json_read.h"

#include <fmt/format.h>

namespace tcptune::core {
namespace {

std::string_view type_word(nlohmann::json::value_t t) {
  using V = nlohmann::json::value_t;
  switch (t) {
    case V::object: return "an object";
    case V::array: return "an array";
    case V::string: return "a string";
    case V::boolean: return "a boolean";
    case V::number_integer:
    case V::number_unsigned: return "an integer";
    case V::number_float: return "a number";
    case V::null: return "null";
    default: return "a value";
  }
}

}  // namespace

void JsonReader::fail(const std::string& at, std::string what) {
  if (!error_) error_ = make_error(origin_, fmt::format("{}: {}", at.empty() ? "/" : at, what), 0,
                                   "the snapshot is damaged or from an incompatible version; take it again with 'tcptune snapshot'");
}

bool JsonReader::expect(const nlohmann::json& j, const std::string& at, nlohmann::json::value_t type) {
  const bool ok = j.type() == type ||
                  (type == nlohmann::json::value_t::number_integer && j.is_number_unsigned());
  if (!ok) fail(at, fmt::format("expected {}, found {}", type_word(type), type_word(j.type())));
  return ok;
}

const nlohmann::json* JsonReader::member(const nlohmann::json& j, const std::string& at, const char* name) {
  if (!j.is_object()) {
    fail(at, fmt::format("expected an object, found {}", type_word(j.type())));
    return nullptr;
  }
  auto it = j.find(name);
  if (it == j.end()) {
    fail(at, fmt::format("missing member '{}'", name));
    return nullptr;
  }
  return &*it;
}

std::string JsonReader::string(const nlohmann::json& j, const std::string& at, const char* name) {
  const auto* m = member(j, at, name);
  if (!m || !expect(*m, at + "/" + name, nlohmann::json::value_t::string)) return {};
  return m->get<std::string>();
}

int64_t JsonReader::integer_value(const nlohmann::json& v, const std::string& at) {
  if (!expect(v, at, nlohmann::json::value_t::number_integer)) return 0;
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    fail(at, "integer out of range");
    return 0;
  }
  return v.get<int64_t>();
}

int64_t JsonReader::integer(const nlohmann::json& j, const std::string& at, const char* name) {
  const auto* m = member(j, at, name);
  return m ? integer_value(*m, at + "/" + name) : 0;
}

bool JsonReader::boolean(const nlohmann::json& j, const std::string& at, const char* name) {
  const auto* m = member(j, at, name);
  if (!m || !expect(*m, at + "/" + name, nlohmann::json::value_t::boolean)) return false;
  return m->get<bool>();
}

uint64_t JsonReader::unsigned_value(const nlohmann::json& v, const std::string& at, uint64_t max) {
  if (!expect(v, at, nlohmann::json::value_t::number_integer)) return 0;
  // Parsed non-negative numbers are unsigned; values built in memory may be signed.
  const bool negative = !v.is_number_unsigned() && v.get<int64_t>() < 0;
  if (!negative && v.get<uint64_t>() <= max) return v.get<uint64_t>();
  fail(at, negative ? fmt::format("expected a non-negative integer, found {}", v.get<int64_t>())
                    : fmt::format("integer {} out of range 0..{}", v.get<uint64_t>(), max));
  return 0;
}

uint64_t JsonReader::unsigned_integer(const nlohmann::json& j, const std::string& at, const char* name,
                                      uint64_t max) {
  const auto* m = member(j, at, name);
  return m ? unsigned_value(*m, at + "/" + name, max) : 0;
}

const nlohmann::json* JsonReader::typed(const nlohmann::json& j, const std::string& at, const char* name,
                                        nlohmann::json::value_t type) {
  const auto* m = member(j, at, name);
  return m && expect(*m, at + "/" + name, type) ? m : nullptr;
}

std::vector<std::string> JsonReader::strings(const nlohmann::json& j, const std::string& at, const char* name) {
  std::vector<std::string> out;
  const auto* m = typed(j, at, name, nlohmann::json::value_t::array);
  if (!m) return out;
  for (size_t i = 0; i < m->size(); ++i) {
    if (!expect((*m)[i], fmt::format("{}/{}/{}", at, name, i), nlohmann::json::value_t::string)) return out;
    out.push_back((*m)[i].get<std::string>());
  }
  return out;
}

std::optional<std::string> JsonReader::opt_string(const nlohmann::json& j, const std::string& at, const char* name) {
  const auto* m = member(j, at, name);
  if (!m || m->is_null()) return std::nullopt;
  if (!expect(*m, at + "/" + name, nlohmann::json::value_t::string)) return std::nullopt;
  return m->get<std::string>();
}

std::string json_pointer_token(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace tcptune::core

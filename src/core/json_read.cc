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

int64_t JsonReader::integer(const nlohmann::json& j, const std::string& at, const char* name) {
  const auto* m = member(j, at, name);
  if (!m || !expect(*m, at + "/" + name, nlohmann::json::value_t::number_integer)) return 0;
  if (m->is_number_unsigned() && m->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    fail(at + "/" + name, "integer out of range");
    return 0;
  }
  return m->get<int64_t>();
}

bool JsonReader::boolean(const nlohmann::json& j, const std::string& at, const char* name) {
  const auto* m = member(j, at, name);
  if (!m || !expect(*m, at + "/" + name, nlohmann::json::value_t::boolean)) return false;
  return m->get<bool>();
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

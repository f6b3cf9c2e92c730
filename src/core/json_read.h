// Checked reading of JSON documents: every accessor reports the JSON pointer of a missing or
// mistyped member, so a damaged snapshot gives "file: /sysctls/x/state: expected a string".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace tcptune::core {

class JsonReader {
 public:
  explicit JsonReader(std::string origin) : origin_(std::move(origin)) {}

  // Member `name` of object `j` at pointer `at`; nullptr (and an error recorded) if missing.
  const nlohmann::json* member(const nlohmann::json& j, const std::string& at, const char* name);
  std::string string(const nlohmann::json& j, const std::string& at, const char* name);
  int64_t integer(const nlohmann::json& j, const std::string& at, const char* name);
  // The value at pointer `at` as an integer that fits int64_t.
  int64_t integer_value(const nlohmann::json& v, const std::string& at);
  bool boolean(const nlohmann::json& j, const std::string& at, const char* name);
  // A non-negative integer no greater than `max` (counts, ports, pids); 0 on error.
  uint64_t unsigned_integer(const nlohmann::json& j, const std::string& at, const char* name,
                            uint64_t max = UINT64_MAX);
  // The same check on a value already at pointer `at`.
  uint64_t unsigned_value(const nlohmann::json& v, const std::string& at, uint64_t max = UINT64_MAX);
  // Member `name` when it is of `type`; nullptr (and an error recorded) otherwise.
  const nlohmann::json* typed(const nlohmann::json& j, const std::string& at, const char* name,
                              nlohmann::json::value_t type);
  // An array of strings.
  std::vector<std::string> strings(const nlohmann::json& j, const std::string& at, const char* name);
  // Null -> nullopt; a string otherwise.
  std::optional<std::string> opt_string(const nlohmann::json& j, const std::string& at, const char* name);
  bool expect(const nlohmann::json& j, const std::string& at, nlohmann::json::value_t type);

  bool failed() const { return error_.has_value(); }
  // The first error seen.
  Error error() const { return *error_; }
  void fail(const std::string& at, std::string what);

 private:
  std::string origin_;
  std::optional<Error> error_;
};

// JSON pointer escaping of one reference token (RFC 6901: ~ -> ~0, / -> ~1).
std::string json_pointer_token(std::string_view s);

}  // namespace tcptune::core

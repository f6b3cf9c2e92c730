// Finding severities, ordered: info < warning < critical.
#pragma once

#include <optional>
#include <string_view>

namespace tcptune::core {

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };
inline constexpr int kSeverityCount = 3;

// "info", "warning", "critical".
std::string_view severity_name(Severity s);

// Inverse of severity_name (exact, lower case); nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view text);

}  // namespace tcptune::core

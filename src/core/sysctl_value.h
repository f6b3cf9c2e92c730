// A sysctl value as read from /proc/sys, with a typed view. Nothing is guessed: a key is a value,
// absent (the file does not exist on this kernel or namespace), or unreadable with its errno.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcptune::core {

struct SysctlValue {
  enum class Kind { kInteger, kTuple, kString };
  Kind kind = Kind::kString;
  std::string text;              // whitespace-normalised text: fields joined by one space
  std::vector<int64_t> numbers;  // kInteger: one element; kTuple: each field; kString: empty

  bool operator==(const SysctlValue&) const = default;
  // The integer for kInteger, nullopt otherwise.
  std::optional<int64_t> as_integer() const;
};

// Classifies text read from /proc/sys or written in sysctl.d: every whitespace-separated field a
// decimal integer -> kInteger (one field) or kTuple (several); anything else -> kString.
SysctlValue parse_sysctl_value(std::string_view text);

struct SysctlReading {
  enum class State { kValue, kAbsent, kUnreadable };
  State state = State::kAbsent;
  SysctlValue value;  // meaningful for kValue
  int err = 0;        // errno for kUnreadable

  bool operator==(const SysctlReading&) const = default;
  bool has_value() const { return state == State::kValue; }
  static SysctlReading of(std::string_view text);
  static SysctlReading absent();
  static SysctlReading unreadable(int err);
};

// "value", "absent", "unreadable"
std::string_view state_name(SysctlReading::State s);

// True when `live` satisfies the floor `want` of an at_least profile setting: an integer at or
// above it, or a two-integer range that contains it (the loader allows at_least on nothing else).
bool meets_floor(const SysctlValue& live, std::string_view want);

}  // namespace tcptune::core

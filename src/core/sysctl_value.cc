#include "core/sysctl_value.h"

#include <charconv>

#include "core/text_split.h"

namespace tcptune::core {
namespace {

std::optional<int64_t> parse_int(std::string_view f) {
  if (f.empty()) return std::nullopt;
  int64_t v = 0;
  const char* b = f.data();
  const char* e = f.data() + f.size();
  if (*b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, v, 10);
  if (ec != std::errc() || ptr != e || b == e) return std::nullopt;
  return v;
}

}  // namespace

std::optional<int64_t> SysctlValue::as_integer() const {
  if (kind == Kind::kInteger) return numbers.front();
  return std::nullopt;
}

SysctlValue parse_sysctl_value(std::string_view text) {
  SysctlValue v;
  const auto fields = split_whitespace(text);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) v.text += ' ';
    v.text += fields[i];
  }
  std::vector<int64_t> nums;
  for (auto f : fields) {
    auto n = parse_int(f);
    if (!n) return v;  // kString
    nums.push_back(*n);
  }
  if (nums.empty()) return v;
  v.kind = nums.size() == 1 ? SysctlValue::Kind::kInteger : SysctlValue::Kind::kTuple;
  v.numbers = std::move(nums);
  return v;
}

SysctlReading SysctlReading::of(std::string_view text) {
  SysctlReading r;
  r.state = State::kValue;
  r.value = parse_sysctl_value(text);
  return r;
}
SysctlReading SysctlReading::absent() { return SysctlReading{}; }
SysctlReading SysctlReading::unreadable(int err) {
  SysctlReading r;
  r.state = State::kUnreadable;
  r.err = err;
  return r;
}

std::string_view state_name(SysctlReading::State s) {
  switch (s) {
    case SysctlReading::State::kValue: return "value";
    case SysctlReading::State::kAbsent: return "absent";
    case SysctlReading::State::kUnreadable: return "unreadable";
  }
  return "absent";
}

bool meets_floor(const SysctlValue& live, std::string_view want) {
  const SysctlValue w = parse_sysctl_value(want);
  if (w.kind != live.kind || w.numbers.size() != live.numbers.size()) return false;
  if (w.kind == SysctlValue::Kind::kInteger) return live.numbers[0] >= w.numbers[0];
  if (w.kind == SysctlValue::Kind::kTuple && w.numbers.size() == 2) {
    return live.numbers[0] <= w.numbers[0] && live.numbers[1] >= w.numbers[1];
  }
  return false;
}

}  // namespace tcptune::core

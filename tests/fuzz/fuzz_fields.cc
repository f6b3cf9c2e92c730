// The small text parsers the others lean on, each with its round trip: sysctl key spelling
// (core::normalize_key, key_to_proc_path, proc_path_to_key, glob_match), kernel release strings
// (parse_kernel_version, read from snapshots and /proc/sys/kernel/osrelease), severities and TCP
// state names (rule files, --state filters), whitespace splitting (/proc/net text) and JSON
// pointer tokens (snapshot diagnostics).
#include "core/census.h"
#include "core/json_read.h"
#include "core/kernel_version.h"
#include "core/severity.h"
#include "core/sysctl_key.h"
#include "core/text_split.h"
#include "fuzz_common.h"

namespace {

using namespace tcptune;

// RFC 6901 unescaping, the inverse of json_pointer_token for the tokens it produces.
std::string unescape_token(std::string_view t) {
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '~' && i + 1 < t.size()) {
      out += t[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += t[i];
    }
  }
  return out;
}

void check_key(std::string_view text) {
  const std::string key = core::normalize_key(text);
  if (!key.empty() && key.front() != '.') {
    fuzz::require(core::proc_path_to_key(core::key_to_proc_path(key)) == key, "key -> path -> key changed the key");
  }
  if (!core::is_glob_key(key) && key.find('\\') == std::string::npos) {
    fuzz::require(core::glob_match(key, key), "a key without glob characters does not match itself");
  }
  (void)core::glob_match(text, key);
  (void)core::glob_match(key, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  check_key(text);

  if (auto v = core::parse_kernel_version(text)) {
    auto again = core::parse_kernel_version(core::version_text(*v));
    fuzz::require(again.has_value() && *again == *v, "kernel version does not survive version_text");
  }
  if (auto s = core::parse_severity(text)) {
    fuzz::require(core::parse_severity(core::severity_name(*s)) == s, "severity name does not parse back");
  }
  if (auto s = core::parse_state(text)) {
    fuzz::require(core::parse_state(core::state_name(*s)) == s, "state name does not parse back");
  }

  size_t total = 0;
  for (std::string_view f : core::split_whitespace(text)) {
    fuzz::require(!f.empty(), "empty field");
    fuzz::require(f.find_first_of(" \t\r\n") == std::string_view::npos, "field holds whitespace");
    fuzz::require(f.data() >= text.data() && f.data() + f.size() <= text.data() + text.size(), "field outside the text");
    total += f.size();
  }
  fuzz::require(total <= text.size(), "fields longer than the text");

  const std::string token = core::json_pointer_token(text);
  fuzz::require(token.find('/') == std::string::npos, "JSON pointer token holds '/'");
  fuzz::require(unescape_token(token) == text, "JSON pointer token does not unescape to its input");
  return 0;
}

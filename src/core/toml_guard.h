// Screening of TOML text before it reaches toml++. Debian 12 ships toml++ 3.3.0, whose
// is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable() (undefined behaviour)
// for code points U+00A1..U+0499 (upstream issues marzer/tomlplusplus#190 and #295; fixed by
// PR #305 after 3.3). tests/fuzz/fuzz_catalogue found it with a typo as small as `café = 1`.
// Every loader calls check_toml_text() first so such input is a located error instead.
#pragma once

#include <string_view>

#include "core/result.h"

namespace tcptune::core {

// Rejects, as `path:line:col: error: ...` (column in code points, as toml++ counts), the
// places where toml++ 3.3 classifies a non-ASCII code point as whitespace:
//  - any non-ASCII byte outside strings and comments (TOML 1.0 allows none there anyway);
//  - in a multi-line basic string ("""), a code point U+00A1..U+0499 right after '\' or as the
//    first non-blank character after a line-ending backslash.
// Everything else (well-formed or not) is left to toml++ to judge.
Status check_toml_text(std::string_view text, std::string_view path);

}  // namespace tcptune::core

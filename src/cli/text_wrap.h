// Word wrapping of the text renderers (reports, explain).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tcptune::cli {

// Words of `text` wrapped to `width` columns: the first line starts with `first`, the others
// with `rest`. A word longer than a line is kept whole. Each line ends with a newline.
std::string wrap_text(std::string_view text, std::string_view first, std::string_view rest,
                      std::size_t width = 80);

// Wraps each line of `text` separately (so "sysctl = value" lines stay on their own lines),
// every line indented by `indent`. Ends with a newline.
std::string wrap_block(std::string_view text, std::string_view indent, std::size_t width = 80);

}  // namespace tcptune::cli

// Whitespace field splitting shared by the /proc parsers and sysctl value typing.
#pragma once

#include <string_view>
#include <vector>

namespace tcptune::core {

// Fields separated by runs of space, tab, CR or LF; no empty fields.
std::vector<std::string_view> split_whitespace(std::string_view s);

}  // namespace tcptune::core

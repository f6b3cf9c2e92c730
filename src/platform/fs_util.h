// Small file helpers shared by the platform adapters.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace tcptune::platform {

// Reads a whole file (up to max_bytes; larger files are an error so hostile input cannot make us
// allocate without bound). Errors carry errno.
core::Result<std::string> read_file(const std::string& path, size_t max_bytes = 16u << 20);

// Joins a root ("/" or "/tmp/tree") with an absolute or relative path.
std::string join_root(std::string_view root, std::string_view path);

}  // namespace tcptune::platform

// Small file helpers shared by the platform adapters.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace tcptune::platform {

// Reads a whole file (up to max_bytes; larger files are an error so hostile input cannot make us
// allocate without bound). Errors carry errno.
core::Result<std::string> read_file(const std::string& path, size_t max_bytes = 16u << 20);

// True if `rel` is a relative path whose components are all non-empty and neither "." nor
// "..": joined under a directory it cannot name anything outside it (symlinks aside).
bool is_contained_path(std::string_view rel);

// Joins a root ("/" or "/tmp/tree") with an absolute or relative path.
std::string join_root(std::string_view root, std::string_view path);

}  // namespace tcptune::platform

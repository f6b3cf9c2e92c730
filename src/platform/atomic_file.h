// Atomic file replacement: a temporary file in the same directory (O_EXCL|O_NOFOLLOW, so a
// planted symlink or file at the temporary path is never written through), fsync, rename over
// the target, fsync of the directory. Readers see the old or the new file, never a mix.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "core/result.h"

namespace tcptune::platform {

// Errors name `path` (not the temporary file, which is removed): "<path>: cannot write: <strerror>".
core::Status write_file_atomic(const std::string& path, std::string_view contents, mode_t mode = 0644);

namespace detail {
// As write_file_atomic, with the temporary file names (full paths, in the target's directory)
// drawn from `temp_name`, at most 16 of them until one can be created exclusively. For tests
// that plant files and links at the names the writer will try.
core::Status write_file_atomic_named(const std::string& path, std::string_view contents, mode_t mode,
                                     const std::function<std::string()>& temp_name);
}  // namespace detail

}  // namespace tcptune::platform

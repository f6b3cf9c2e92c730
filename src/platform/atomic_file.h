// Atomic file replacement: a temporary file in the same directory (O_EXCL|O_NOFOLLOW, so a
// planted symlink or file at the temporary path is never written through), fsync, rename over
// the target, fsync of the directory. Readers see the old or the new file, never a mix.
#pragma once

#include <string>
#include <string_view>

#include <sys/types.h>

#include "core/result.h"

namespace tcptune::platform {

core::Status write_file_atomic(const std::string& path, std::string_view contents, mode_t mode = 0644);

}  // namespace tcptune::platform

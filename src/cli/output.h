// Shared output helpers for subcommands.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace tcptune::cli {

// Prints the error's rendered text to stderr and returns `code`.
int report_error(const core::Error& e, int code);

// Writes text to stdout when path is empty or "-", else atomically to the file.
core::Status write_output(const std::string& path, std::string_view text);

// True when colour should be used on stdout: a terminal, no --no-color, NO_COLOR unset or empty.
bool use_color(bool no_color_flag);

}  // namespace tcptune::cli

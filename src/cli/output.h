// The one output step of every command: the renderer for the chosen --format, written to
// standard output or atomically to -o FILE, in colour only on a terminal that wants it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace tcptune::cli {

// Where and how a command's main output goes.
struct OutputOptions {
  std::string format = "text";  // text, json or prometheus (what the command offers)
  std::string file;             // -o FILE; empty or "-": standard output
  bool no_color = false;        // --no-color
};

// A command's renderers, one per format it offers; `text` gets whether to colour.
struct Renderers {
  std::function<std::string(bool color)> text;
  std::function<nlohmann::json()> json;          // written indented, with a final newline
  std::function<std::string()> prometheus = {};  // audit only
};

// Renders with the renderer of `out.format` and writes the result (write_output).
core::Status emit(const OutputOptions& out, const Renderers& renderers);

// Writes text to stdout when path is empty or "-", else atomically to the file.
core::Status write_output(const std::string& path, std::string_view text);

// Prints an error's rendered text to stderr (for runs that go on after a failed part).
void print_error(const core::Error& e);

// True when colour should be used on stdout: a terminal, no --no-color, NO_COLOR unset or empty.
bool use_color(bool no_color_flag);

}  // namespace tcptune::cli

#include "cli/output.h"

#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <unistd.h>

#include "platform/atomic_file.h"

namespace tcptune::cli {

core::Status emit(const OutputOptions& out, const Renderers& renderers) {
  std::string text;
  const bool to_stdout = out.file.empty() || out.file == "-";
  if (out.format == "json" && to_stdout) {
    // Serialised straight into stdout's buffer: the whole text (often larger than the document
    // it comes from) is never held in memory next to the document.
    std::cout << std::setw(2) << renderers.json() << '\n' << std::flush;
    if (!std::cout) return core::make_error("standard output", "cannot write", errno);
    return core::ok_status();
  }
  if (out.format == "json") {
    text = renderers.json().dump(2);
    text += '\n';
  } else if (out.format == "prometheus" && renderers.prometheus) {
    text = renderers.prometheus();
  } else {
    text = renderers.text(to_stdout && use_color(out.no_color));
  }
  return write_output(out.file, text);
}

void print_error(const core::Error& e) { std::fprintf(stderr, "%s\n", e.render().c_str()); }

core::Status write_output(const std::string& path, std::string_view text) {
  if (path.empty() || path == "-") {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
      return core::make_error("standard output", "cannot write", errno);
    }
    return core::ok_status();
  }
  return platform::write_file_atomic(path, text);
}

bool use_color(bool no_color_flag) {
  if (no_color_flag) return false;
  // https://no-color.org: any non-empty NO_COLOR disables colour.
  if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace tcptune::cli

#include "cli/app.h"

#include <CLI/CLI.hpp>

namespace tcptune::cli {

int run(int argc, char** argv) {
  CLI::App app{"tcptune: TCP connection-lifecycle advisor"};
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace tcptune::cli

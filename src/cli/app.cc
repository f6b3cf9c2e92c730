#include "cli/app.h"

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace tcptune::cli {

int run(int argc, char** argv) {
  CLI::App app{"tcptune: TCP connection-lifecycle advisor"};
  Globals g;
  app.add_option("--root", g.root, "Read everything relative to this directory");
  register_sockets(app, g);
  CLI11_PARSE(app, argc, argv);
  return g.exit_code;
}

}  // namespace tcptune::cli

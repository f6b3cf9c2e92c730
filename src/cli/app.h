// Command-line entry point: builds the real adapters, dispatches one function per subcommand and
// maps results to the documented exit codes (docs/exit-codes.md).
#pragma once

namespace tcptune::cli {

int run(int argc, char** argv);

}  // namespace tcptune::cli

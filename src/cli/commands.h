// One registration function per subcommand. Each adds its CLI11 subcommand to the app and sets a
// callback that stores the process exit code in Globals::exit_code.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace tcptune::cli {

// Exit codes (docs/exit-codes.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // findings at or above --fail-on
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRuntime = 3;

// A settings error located in a file (tcptune.toml) is the environment's (3); one from the
// command line (--set, --profile) is a usage error (2).
inline int settings_exit(bool from_file) { return from_file ? kExitRuntime : kExitUsage; }

struct Globals {
  std::string root = "/";  // --root: read everything relative to this directory
  bool no_color = false;   // --no-color (NO_COLOR in the environment also disables colour)
  int exit_code = kExitOk;
};

void register_audit(CLI::App& app, Globals& g);
void register_snapshot(CLI::App& app, Globals& g);
void register_explain(CLI::App& app, Globals& g);
// `tcptune sockets`: live socket census (cli/cmd_sockets.cc).
void register_sockets(CLI::App& app, Globals& g);
// `tcptune diff A.json B.json` (cli/cmd_diff.cc).
void register_diff(CLI::App& app, Globals& g);
// profiles, recommend, apply, rollback, generate (cli/profile_common.h)
void register_profile_commands(CLI::App& app, Globals& g);

}  // namespace tcptune::cli

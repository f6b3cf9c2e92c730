// One registration function per subcommand. Each adds its CLI11 subcommand to the app and sets a
// callback that stores what the command ended with in Globals::result; app.cc turns that into
// the process exit code, in one place (exit_code_of).
#pragma once

#include <optional>
#include <string>

#include "core/result.h"

namespace CLI {
class App;
}

namespace tcptune::cli {

// Exit codes (docs/exit-codes.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // findings at or above --fail-on
inline constexpr int kExitUsage = 2;     // an error of kind ErrorKind::kUsage
inline constexpr int kExitRuntime = 3;   // an error of kind ErrorKind::kRuntime

// How a command that ran to its end ended.
enum class Outcome {
  kOk,
  kFindings,    // audit: a finding at or above --fail-on; diff --exit-code: the snapshots differ
  kPartFailed,  // a run over several parts (namespaces) printed each failed part's error
};

// What every command returns: its outcome, or the error that stopped it (whose kind decides
// between a usage and a runtime exit).
using CommandResult = core::Result<Outcome>;

// Prints the error of a failed result to stderr, and maps the result to the exit code.
int exit_code_of(const CommandResult& result);

struct Globals {
  std::string root = "/";  // --root: read everything relative to this directory
  bool no_color = false;   // --no-color (NO_COLOR in the environment also disables colour)
  std::optional<CommandResult> result;  // set by the command that ran
};

void register_audit(CLI::App& app, Globals& g);
void register_snapshot(CLI::App& app, Globals& g);
// `tcptune explain KEY|FINDING-ID` (cli/cmd_explain.cc).
void register_explain(CLI::App& app, Globals& g);
// `tcptune sockets`: live socket census (cli/cmd_sockets.cc).
void register_sockets(CLI::App& app, Globals& g);
// `tcptune diff A.json B.json` (cli/cmd_diff.cc).
void register_diff(CLI::App& app, Globals& g);
// `tcptune fleet SNAPSHOT...|DIR`: many hosts compared per group (cli/cmd_fleet.cc).
void register_fleet(CLI::App& app, Globals& g);
// profiles, recommend, apply and rollback, generate (cmd_profiles.cc, cmd_recommend.cc,
// cmd_apply.cc, cmd_generate.cc).
void register_profiles(CLI::App& app, Globals& g);
void register_recommend(CLI::App& app, Globals& g);
void register_apply(CLI::App& app, Globals& g);
void register_generate(CLI::App& app, Globals& g);
// `tcptune trace`: TCP resets by reason, port and process (cli/cmd_trace.cc).
void register_trace(CLI::App& app, Globals& g);

}  // namespace tcptune::cli

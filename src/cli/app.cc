#include "cli/app.h"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/version_info.h"

namespace tcptune::cli {

int run(int argc, char** argv) {
  CLI::App app{"tcptune: advisor and tuner for Linux TCP connection-lifecycle settings", "tcptune"};
  app.require_subcommand(1);
  // Global options (--root, --no-color) are accepted after the subcommand too.
  app.fallthrough();
  app.set_version_flag("--version", [] {
    std::string v = version_text_long();
    v.pop_back();  // CLI11 adds the final newline
    return v;
  }, "Print the version and where rules and profiles are loaded from");
  app.footer("Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error, 3 runtime error.\n"
             "Example: tcptune audit --fail-on warning");
  Globals g;
  app.add_option("--root", g.root, "Read the system (proc/, etc/, usr/, run/, lib/) under this directory")
      ->capture_default_str();
  app.add_flag("--no-color", g.no_color, "Never colour the output (NO_COLOR in the environment does the same)");

  register_audit(app, g);
  register_snapshot(app, g);
  register_explain(app, g);
  register_sockets(app, g);
  register_diff(app, g);
  register_fleet(app, g);
  register_profiles(app, g);
  register_recommend(app, g);
  register_apply(app, g);
  register_generate(app, g);
  register_trace(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tcptune: error: %s\nhint: run 'tcptune --help' or 'tcptune COMMAND --help'\n", e.what());
    return kExitUsage;
  }
  return g.result ? exit_code_of(*g.result) : kExitOk;
}

int exit_code_of(const CommandResult& result) {
  if (!result) {
    std::fprintf(stderr, "%s\n", result.error().render().c_str());
    return result.error().kind == core::ErrorKind::kUsage ? kExitUsage : kExitRuntime;
  }
  switch (*result) {
    case Outcome::kOk: return kExitOk;
    case Outcome::kFindings: return kExitFindings;
    case Outcome::kPartFailed: return kExitRuntime;
  }
  return kExitRuntime;
}

}  // namespace tcptune::cli

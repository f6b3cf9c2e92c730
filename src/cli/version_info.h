// `tcptune --version`: the version and where the rules, catalogue and profiles are loaded from,
// so an operator can tell a packaged install from a developer build or a TCPTUNE_DATADIR override.
#pragma once

#include <string>

namespace tcptune::cli {

// Several lines: "tcptune X.Y.Z", then the data directory (and why it was chosen), the rule
// directories and the profile directories, each with its number of *.toml files or "not present".
std::string version_text_long();

}  // namespace tcptune::cli

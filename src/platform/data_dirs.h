// Where tcptune's shipped data (rules/, profiles/, rules/catalogue.toml) and the administrator's
// additions live, and reading the *.toml files of a directory.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace tcptune::platform {

// First existing of: $TCPTUNE_DATADIR; <dir of executable>/../share/tcptune; the compiled-in
// install directory; the source tree (developer builds). Empty if none has rules/.
std::string find_data_dir();

// The directory of the administrator's additions and settings: rules.d/, profiles.d/ and
// tcptune.toml. $TCPTUNE_SYSCONFDIR when set and not empty, else /etc/tcptune.
std::string system_config_dir();

struct TextFile {
  std::string path;
  std::string text;
};

// Every regular *.toml file directly in `dir`, sorted by name, except those named in `skip`.
// A missing directory is not an error when `optional` is true.
core::Result<std::vector<TextFile>> read_toml_dir(const std::string& dir, bool optional,
                                                  const std::vector<std::string>& skip = {});

}  // namespace tcptune::platform

#include "cli/version_info.h"

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "cli/knowledge.h"
#include "cli/profile_context.h"
#include "platform/data_dirs.h"

namespace tcptune::cli {
namespace {

std::string describe_dir(const std::string& dir) {
  auto files = platform::read_toml_dir(dir, true, {kCatalogueFile, kCatalogueNotesFile});
  if (!files) return fmt::format("  {} (unreadable: {})\n", dir, files.error().render());
  if (files->empty()) return fmt::format("  {} (no *.toml files or not present)\n", dir);
  return fmt::format("  {} ({} file{})\n", dir, files->size(), files->size() == 1 ? "" : "s");
}

// Why find_data_dir() chose what it chose, in the order it looks.
std::string_view data_dir_origin(const std::string& dir) {
  if (const char* env = std::getenv("TCPTUNE_DATADIR"); env && *env) return "from $TCPTUNE_DATADIR";
  if (dir == TCPTUNE_DATADIR) return "compiled-in install location";
  return "next to the executable or in the source tree";
}

}  // namespace

std::string version_text_long() {
  std::string out = fmt::format("tcptune {}\n", TCPTUNE_VERSION);
  const std::string data = platform::find_data_dir();
  if (data.empty()) {
    return out + "data directory: not found (set TCPTUNE_DATADIR to the directory that holds rules/)\n";
  }
  out += fmt::format("data directory: {} ({})\n", data, data_dir_origin(data));
  out += fmt::format("catalogue: {}/rules/{}\n", data, kCatalogueFile);
  out += "rules:\n" + describe_dir(data + "/rules") + describe_dir(system_rules_dir());
  out += "profiles:\n" + describe_dir(data + "/profiles") + describe_dir(system_profiles_dir());
  return out;
}

}  // namespace tcptune::cli

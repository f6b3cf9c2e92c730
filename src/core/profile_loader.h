// Loading of profile files (profiles/*.toml, /etc/tcptune/profiles.d, --profiles DIR).
//
//   name = "http-short"
//   description = "Servers of short-lived HTTP/1.x connections"
//   include = ["common"]                          # optional, applied first, in order
//   kernel_defaults = ["net.ipv4.tcp_fin_timeout"] # optional: target = running kernel's default
//   [[setting]]
//   key = "net.ipv4.tcp_fin_timeout"
//   value = 30                                     # integer, string, or array for tuples
//   reason = "one line, citing a kernel source"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.h"
#include "core/profile.h"
#include "core/result.h"

namespace tcptune::core {

struct ProfileSource {
  std::string path;
  std::string text;
};

// Parses one profile; `path` names the file in diagnostics only (no I/O here). Values are
// checked against the catalogue: known key (with a suggestion), never a removed key, the type,
// the field count of tuples and the range the kernel accepts. Kernel-specific checks (does the
// running kernel have the key) happen when planning against a snapshot. Every failure is a
// located diagnostic `path:line:col: error: ...`; the first in file order is reported.
Result<Profile> load_profile(std::string_view text, std::string_view path, const Catalogue& cat);

// Loads every source in order; a later profile with the same name replaces the earlier one.
// Include references are not checked here (profile_resolve.h does that).
Result<ProfileSet> load_profiles(const std::vector<ProfileSource>& sources, const Catalogue& cat);

// Checks one target value for a catalogue entry: type, field count, accepted range. Returns the
// whitespace-normalised text, or the reason it is invalid (without location).
Result<std::string> check_setting_value(const CatalogueEntry& entry, std::string_view text);

}  // namespace tcptune::core

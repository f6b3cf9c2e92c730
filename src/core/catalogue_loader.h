// Loading of the key catalogue (rules/catalogue.toml, kept by hand, with a source for each fact).
#pragma once

#include <string_view>

#include "core/catalogue.h"
#include "core/result.h"

namespace tcptune::core {

// Parses catalogue TOML text; `path` names the file in diagnostics only (no I/O here).
// Every failure is a located file diagnostic `path:line:col: error: ...`: TOML syntax, unknown
// fields (with "did you mean"), values of the wrong type, missing required fields, invalid
// values (type, unit, scope, versions, bounds) and duplicate keys. The first error in file order
// is reported.
Result<Catalogue> load_catalogue(std::string_view text, std::string_view path);

// Adds the notes (the human text `tcptune explain` shows: meaning, interactions, misconceptions,
// source, the *_text fields) of rules/catalogue-notes.toml to entries of `cat`. Its [[sysctl]]
// tables hold `key` and note fields only. Errors, located like load_catalogue's: TOML syntax, a
// key the catalogue lacks, a key given twice, a field that is not a note or not known.
Status load_catalogue_notes(Catalogue& cat, std::string_view text, std::string_view path);

}  // namespace tcptune::core

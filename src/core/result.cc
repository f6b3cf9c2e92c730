#include "core/result.h"

#include <cstring>

#include <fmt/format.h>

namespace tcptune::core {

std::string Error::render() const {
  std::string out;
  if (loc && !loc->file.empty()) {
    out = loc->file;
    if (loc->line > 0) out += fmt::format(":{}", loc->line);
    if (loc->line > 0 && loc->col > 0) out += fmt::format(":{}", loc->col);
    out += fmt::format(": error: {}", what);
  } else {
    out = fmt::format("tcptune: error: {}: {}", object, what);
  }
  // strerror is only a lookup of a static table; it is not I/O.
  if (err != 0) out += fmt::format(": {}", std::strerror(err));
  if (!hint.empty()) out += fmt::format("\nhint: {}", hint);
  return out;
}

std::string Error::summary() const {
  std::string out = object.empty() ? what : fmt::format("{}: {}", object, what);
  if (err != 0) out += fmt::format(": {}", std::strerror(err));
  return out;
}

Error make_error(std::string object, std::string what, int err, std::string hint) {
  Error e;
  e.object = std::move(object);
  e.what = std::move(what);
  e.err = err;
  e.hint = std::move(hint);
  return e;
}

Error make_file_error(SourceLoc loc, std::string what, std::string hint) {
  Error e;
  e.object = loc.file;
  e.what = std::move(what);
  e.hint = std::move(hint);
  e.loc = std::move(loc);
  return e;
}

Error as_usage(Error e) {
  e.kind = ErrorKind::kUsage;
  return e;
}

}  // namespace tcptune::core

// Maps a byte offset inside the decoded value of a TOML string back to its line and column in
// the file, so errors inside a rule condition point at the exact character. Handles the four
// TOML string forms ("...", '...', """...""", '''...''') with escapes and line-ending
// backslashes. Columns count code points, as toml++ does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tcptune::core {

class StringLocator {
 public:
  // `start` is the position of the opening quote (toml++ node source().begin); `decoded` is
  // the string's value. If the raw text cannot be matched to the value, every offset maps to
  // `start` (never a wrong column).
  StringLocator(std::string_view file_text, SourceLoc start, std::string_view decoded);

  // Location of decoded byte `offset` (offsets past the end map to the closing quote).
  SourceLoc at(size_t offset) const;

 private:
  SourceLoc start_;
  std::vector<SourceLoc> map_;  // one per decoded byte, plus the end
};

}  // namespace tcptune::core

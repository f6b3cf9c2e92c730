#include "core/toml_guard.h"

#include <cstdint>

#include <fmt/format.h>

namespace tcptune::core {
namespace {

// The code points toml++ 3.3's generated whitespace table mis-handles: its first child block
// (U+00A0..U+0499) has no case in the switch, and only U+00A0 is tested before it.
bool in_toml_hazard_range(uint32_t cp) { return cp >= 0xA1 && cp <= 0x499; }

class Scanner {
 public:
  Scanner(std::string_view text, std::string_view path) : s_(text), path_(path) {}

  Status run() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '#') {
        skip_to_eol();
      } else if (c == '"' || c == '\'') {
        if (auto st = skip_string(c); !st) return st;
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        return error_here(fmt::format("non-ASCII character {} outside a string or comment", describe()),
                          "TOML allows only ASCII in keys; quote the key (\"...\") if you need it");
      } else {
        ++i_;
      }
    }
    return ok_status();
  }

 private:
  void skip_to_eol() {
    while (i_ < s_.size() && s_[i_] != '\n') ++i_;
  }

  bool at(std::string_view lit) const { return s_.substr(i_, lit.size()) == lit; }

  Status skip_string(char q) {
    const std::string_view triple = q == '"' ? "\"\"\"" : "'''";
    const bool multi = at(triple);
    i_ += multi ? 3 : 1;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (multi ? at(triple) : c == q) {
        // A multi-line string may end with up to two extra quotes ("""a""""): they belong to it.
        i_ += multi ? 3 : 1;
        while (multi && i_ < s_.size() && s_[i_] == q) ++i_;
        return ok_status();
      }
      if (!multi && c == '\n') return ok_status();  // unterminated: toml++ reports it
      if (q == '"' && c == '\\') {
        ++i_;
        if (multi) {
          if (auto st = check_after_backslash(); !st) return st;
        } else if (i_ < s_.size()) {
          ++i_;
        }
        continue;
      }
      ++i_;
    }
    return ok_status();
  }

  // In a """ string after '\': the next code point, or the first non-blank one after a
  // line-ending backslash, is fed to toml++'s whitespace test (parser.inl, parse_basic_string).
  Status check_after_backslash() {
    if (i_ >= s_.size()) return ok_status();
    if (hazard_here()) return hazard_error();
    const size_t save = i_;
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
    if (i_ == save) {
      ++i_;  // an ordinary escape such as \n or \"
      return ok_status();
    }
    if (i_ < s_.size() && hazard_here()) return hazard_error();
    return ok_status();
  }

  // Decodes the UTF-8 sequence at i_ (0 when malformed: toml++ rejects those itself).
  uint32_t code_point() const {
    const auto b = [&](size_t k) { return i_ + k < s_.size() ? static_cast<unsigned char>(s_[i_ + k]) : 0u; };
    const unsigned b0 = b(0);
    if (b0 < 0x80) return b0;
    if ((b0 & 0xE0) == 0xC0 && (b(1) & 0xC0) == 0x80) return ((b0 & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    if ((b0 & 0xF0) == 0xE0 && (b(1) & 0xC0) == 0x80 && (b(2) & 0xC0) == 0x80) {
      return ((b0 & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    }
    return 0;
  }

  bool hazard_here() const { return in_toml_hazard_range(code_point()); }

  std::string describe() const {
    const uint32_t cp = code_point();
    return cp ? fmt::format("U+{:04X}", cp)
              : fmt::format("(byte 0x{:02X}, not UTF-8)", static_cast<unsigned char>(s_[i_]));
  }

  Status hazard_error() const {
    return error_here(fmt::format("character {} right after '\\' in a multi-line string is not supported", describe()),
                      "toml++ 3.3 mis-parses it; move the character or write it as an escape (\\uXXXX)");
  }

  Status error_here(std::string what, std::string hint) const {
    SourceLoc loc{std::string(path_), 1, 1};
    for (size_t k = 0; k < i_; ++k) {
      if (s_[k] == '\n') {
        ++loc.line;
        loc.col = 1;
      } else if ((static_cast<unsigned char>(s_[k]) & 0xC0) != 0x80) {
        ++loc.col;  // count code points, not continuation bytes
      }
    }
    return make_file_error(std::move(loc), std::move(what), std::move(hint));
  }

  std::string_view s_;
  std::string_view path_;
  size_t i_ = 0;
};

}  // namespace

Status check_toml_text(std::string_view text, std::string_view path) { return Scanner(text, path).run(); }

}  // namespace tcptune::core

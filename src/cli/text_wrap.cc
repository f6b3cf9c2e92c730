#include "cli/text_wrap.h"

#include <algorithm>

namespace tcptune::cli {

std::string wrap_text(std::string_view text, std::string_view first, std::string_view rest,
                      std::size_t width) {
  std::string out(first);
  std::size_t line_len = first.size();
  bool line_has_word = false;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j == i) break;
    const std::string_view word = text.substr(i, j - i);
    if (line_has_word && line_len + 1 + word.size() > width) {
      out += '\n';
      out += rest;
      line_len = rest.size();
      line_has_word = false;
    }
    if (line_has_word) {
      out += ' ';
      ++line_len;
    }
    out += word;
    line_len += word.size();
    line_has_word = true;
    i = j;
  }
  // Trailing blanks of an empty first line would only be noise.
  while (!line_has_word && !out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
  return out;
}

std::string wrap_block(std::string_view text, std::string_view indent, std::size_t width) {
  std::string out;
  size_t i = 0;
  while (i <= text.size()) {
    const size_t eol = std::min(text.find('\n', i), text.size());
    const std::string_view line = text.substr(i, eol - i);
    out += line.find_first_not_of(' ') == std::string_view::npos ? std::string("\n") : wrap_text(line, indent, indent, width);
    i = eol + 1;
  }
  return out;
}

}  // namespace tcptune::cli

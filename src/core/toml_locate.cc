#include "core/toml_locate.h"

namespace tcptune::core {
namespace {

struct Cursor {
  std::string_view s;
  size_t i = 0;
  int line = 1;
  int col = 1;

  bool at_end() const { return i >= s.size(); }
  char c(size_t ahead = 0) const { return i + ahead < s.size() ? s[i + ahead] : '\0'; }
  bool starts(std::string_view p) const { return s.substr(i, p.size()) == p; }
  void advance(size_t n = 1) {
    for (; n > 0 && i < s.size(); --n, ++i) {
      const auto b = static_cast<unsigned char>(s[i]);
      if (b == '\n') {
        ++line;
        col = 1;
      } else if ((b & 0xC0) != 0x80) {  // UTF-8 continuation bytes do not start a column
        ++col;
      }
    }
  }
};

// Byte index of (line, col), with col counted in code points; npos if out of range.
size_t index_of(std::string_view s, int line, int col) {
  Cursor cur{s};
  while (!cur.at_end() && (cur.line < line || (cur.line == line && cur.col < col))) cur.advance();
  return cur.line == line && cur.col == col ? cur.i : std::string_view::npos;
}

size_t utf8_len(unsigned long cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

unsigned long hex_value(std::string_view h) {
  unsigned long v = 0;
  for (char ch : h) {
    const unsigned long d = (ch >= '0' && ch <= '9') ? static_cast<unsigned long>(ch - '0')
                            : (ch >= 'a' && ch <= 'f') ? static_cast<unsigned long>(ch - 'a' + 10)
                            : (ch >= 'A' && ch <= 'F') ? static_cast<unsigned long>(ch - 'A' + 10) : 0;
    v = v * 16 + d;
  }
  return v;
}

bool is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

}  // namespace

StringLocator::StringLocator(std::string_view text, SourceLoc start, std::string_view decoded)
    : start_(std::move(start)) {
  const size_t begin = index_of(text, start_.line, start_.col);
  if (begin == std::string_view::npos) return;
  Cursor cur{text, begin, start_.line, start_.col};
  const char q = cur.c();
  if (q != '"' && q != '\'') return;
  const bool literal = q == '\'';
  const std::string triple(3, q);
  const bool multi = cur.starts(triple);
  cur.advance(multi ? 3 : 1);
  if (multi && cur.starts("\r\n")) cur.advance(2);  // a newline right after the opener is trimmed
  else if (multi && cur.c() == '\n') cur.advance();
  std::vector<SourceLoc> map;
  auto push = [&](size_t n) {
    for (size_t k = 0; k < n; ++k) map.push_back(SourceLoc{start_.file, cur.line, cur.col});
  };
  while (!cur.at_end()) {
    if (multi && cur.starts(triple)) {
      size_t run = 0;  // up to two quotes right before the closer belong to the content
      while (cur.c(run) == q) ++run;
      for (size_t k = 3; k < run && k < 6; ++k) { push(1); cur.advance(); }
      break;
    }
    if (!multi && cur.c() == q) break;
    if (!literal && cur.c() == '\\') {
      const char e = cur.c(1);
      if (multi && is_blank(e)) {  // line-ending backslash: drops all following whitespace
        cur.advance();
        while (!cur.at_end() && is_blank(cur.c())) cur.advance();
        continue;
      }
      const size_t hex = e == 'u' ? 4 : e == 'U' ? 8 : e == 'x' ? 2 : 0;
      push(hex ? utf8_len(hex_value(text.substr(cur.i + 2, hex))) : 1);
      cur.advance(2 + hex);
      continue;
    }
    if (multi && cur.starts("\r\n")) {
      push(1);
      cur.advance(2);
      continue;
    }
    push(1);
    cur.advance();
  }
  map.push_back(SourceLoc{start_.file, cur.line, cur.col});
  if (map.size() == decoded.size() + 1) map_ = std::move(map);
}

SourceLoc StringLocator::at(size_t offset) const {
  if (map_.empty()) return start_;
  return map_[offset < map_.size() ? offset : map_.size() - 1];
}

}  // namespace tcptune::core

#include "core/sysctl_key.h"

#include <algorithm>

namespace tcptune::core {
namespace {

std::string_view trim(std::string_view s) {
  const auto ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string swap_separators(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '.') c = '/';
    else if (c == '/') c = '.';
  }
  return out;
}

}  // namespace

std::string normalize_key(std::string_view key) {
  key = trim(key);
  const auto slash = key.find('/');
  const auto dot = key.find('.');
  // sysctl.d(5): "the first separator determines the form"; slash form has literal dots.
  if (slash != std::string_view::npos && (dot == std::string_view::npos || slash < dot)) {
    std::string s(key);
    while (!s.empty() && s.front() == '/') s.erase(s.begin());
    return swap_separators(s);
  }
  return std::string(key);
}

std::string key_to_proc_path(std::string_view canonical_key) { return swap_separators(canonical_key); }

std::string proc_path_to_key(std::string_view relative_path) {
  while (!relative_path.empty() && relative_path.front() == '/') relative_path.remove_prefix(1);
  return swap_separators(relative_path);
}

bool is_glob_key(std::string_view key) {
  return std::any_of(key.begin(), key.end(), [](char c) { return c == '*' || c == '?' || c == '['; });
}

namespace {

// Returns the length of a bracket expression at p[0]=='[' and whether c matches it; -1 if the
// bracket is unterminated (then '[' is literal, as in fnmatch).
int match_bracket(std::string_view p, char c, bool& matched) {
  size_t i = 1;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) { negate = true; ++i; }
  bool any = false;
  bool first = true;
  for (; i < p.size(); ++i) {
    if (p[i] == ']' && !first) {
      matched = any != negate;
      return static_cast<int>(i + 1);
    }
    first = false;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      if (c >= p[i] && c <= p[i + 2]) any = true;
      i += 2;
    } else if (p[i] == c) {
      any = true;
    }
  }
  return -1;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view key) {
  // Iterative matcher with single-star backtracking (linear in practice, no recursion).
  size_t p = 0, k = 0, star_p = std::string_view::npos, star_k = 0;
  while (k < key.size()) {
    if (p < pattern.size()) {
      const char pc = pattern[p];
      if (pc == '*') { star_p = p++; star_k = k; continue; }
      if (pc == '?') { ++p; ++k; continue; }
      if (pc == '[') {
        bool m = false;
        const int len = match_bracket(pattern.substr(p), key[k], m);
        if (len > 0) {
          if (m) { p += static_cast<size_t>(len); ++k; continue; }
        } else if (key[k] == '[') { ++p; ++k; continue; }
      } else if (pc == '\\' && p + 1 < pattern.size()) {
        if (pattern[p + 1] == key[k]) { p += 2; ++k; continue; }
      } else if (pc == key[k]) { ++p; ++k; continue; }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    k = ++star_k;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace tcptune::core

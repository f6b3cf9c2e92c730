#include "core/expr_lexer.h"

#include <fmt/format.h>

#include <limits>

namespace tcptune::core {
namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Tok keyword(std::string_view word) {
  if (word == "and") return Tok::kAnd;
  if (word == "or") return Tok::kOr;
  if (word == "not") return Tok::kNot;
  if (word == "true") return Tok::kTrue;
  if (word == "false") return Tok::kFalse;
  return Tok::kIdent;
}

// Both quote styles are accepted so a condition can sit in either kind of TOML string.
Result<Token> lex_string(std::string_view s, size_t start) {
  const char quote = s[start];
  Token t{Tok::kString, start, 0, {}, 0};
  size_t i = start + 1;
  while (i < s.size() && s[i] != quote) {
    if (s[i] == '\n') break;
    if (s[i] == '\\') {
      if (i + 1 >= s.size()) break;
      const char e = s[i + 1];
      if (e != '\\' && e != '"' && e != '\'') {
        return expr_error(i, fmt::format("unknown escape '\\{}' in string", e));
      }
      t.text += e;
      i += 2;
      continue;
    }
    t.text += s[i++];
  }
  if (i >= s.size() || s[i] != quote) return expr_error(start, "unterminated string");
  t.length = i + 1 - start;
  return t;
}

Result<Token> lex_number(std::string_view s, size_t start) {
  Token t{Tok::kInt, start, 0, {}, 0};
  size_t i = start;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  while (i < s.size() && is_digit(s[i])) {
    const int64_t d = s[i] - '0';
    if (t.number > (kMax - d) / 10) return expr_error(start, "integer literal out of range");
    t.number = t.number * 10 + d;
    ++i;
  }
  if (i < s.size() && is_ident_start(s[i])) {
    return expr_error(start, "malformed number (digits followed by letters)");
  }
  t.length = i - start;
  return t;
}

// Single- or two-character operators. Common spellings from other languages get a hint.
Result<Token> lex_operator(std::string_view s, size_t i) {
  const char c = s[i];
  const char n = i + 1 < s.size() ? s[i + 1] : '\0';
  auto tok = [&](Tok k, size_t len) { return Token{k, i, len, {}, 0}; };
  switch (c) {
    case '(': return tok(Tok::kLParen, 1);
    case ')': return tok(Tok::kRParen, 1);
    case '[': return tok(Tok::kLBracket, 1);
    case ']': return tok(Tok::kRBracket, 1);
    case ',': return tok(Tok::kComma, 1);
    case '.': return tok(Tok::kDot, 1);
    case '+': return tok(Tok::kPlus, 1);
    case '-': return tok(Tok::kMinus, 1);
    case '*': return tok(Tok::kStar, 1);
    case '/': return tok(Tok::kSlash, 1);
    case '%': return tok(Tok::kPercent, 1);
    case '<': return n == '=' ? tok(Tok::kLe, 2) : tok(Tok::kLt, 1);
    case '>': return n == '=' ? tok(Tok::kGe, 2) : tok(Tok::kGt, 1);
    case '=':
      if (n == '=') return tok(Tok::kEq, 2);
      return expr_error(i, "unexpected '=' (did you mean '=='?)");
    case '!':
      if (n == '=') return tok(Tok::kNe, 2);
      return expr_error(i, "unexpected '!' (did you mean 'not'?)");
    case '&': return expr_error(i, "unexpected '&' (did you mean 'and'?)");
    case '|': return expr_error(i, "unexpected '|' (did you mean 'or'?)");
    default: break;
  }
  const auto uc = static_cast<unsigned char>(c);
  if (uc < 0x20 || uc >= 0x7f) return expr_error(i, fmt::format("unexpected byte 0x{:02x}", uc));
  return expr_error(i, fmt::format("unexpected character '{}'", c));
}

}  // namespace

Error expr_error(size_t offset, std::string what) {
  return make_file_error(SourceLoc{"<expr>", 1, static_cast<int>(offset) + 1}, std::move(what));
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd: return "end of expression";
    case Tok::kInt: return fmt::format("integer {}", t.number);
    case Tok::kString: return fmt::format("string \"{}\"", t.text);
    case Tok::kIdent: return fmt::format("identifier '{}'", t.text);
    default: break;
  }
  static constexpr std::string_view kNames[] = {
      "", "", "", "", "(", ")", "[", "]", ",", ".", "==", "!=", "<", "<=", ">", ">=",
      "+", "-", "*", "/", "%", "and", "or", "not", "true", "false"};
  return fmt::format("'{}'", kNames[static_cast<size_t>(t.kind)]);
}

Result<std::vector<Token>> lex_expr(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size()) break;
    const char c = s[i];
    Result<Token> t = Token{};
    if (is_ident_start(c)) {
      size_t j = i;
      while (j < s.size() && (is_ident_start(s[j]) || is_digit(s[j]))) ++j;
      std::string word(s.substr(i, j - i));
      t = Token{keyword(word), i, j - i, word, 0};
    } else if (is_digit(c)) {
      t = lex_number(s, i);
    } else if (c == '"' || c == '\'') {
      t = lex_string(s, i);
    } else {
      t = lex_operator(s, i);
    }
    if (!t) return t.error();
    i += t->length;
    out.push_back(std::move(*t));
  }
  out.push_back(Token{Tok::kEnd, s.size(), 0, {}, 0});
  return out;
}

}  // namespace tcptune::core

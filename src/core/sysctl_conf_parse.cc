#include "core/sysctl_conf_parse.h"

#include <string>

#include <fmt/format.h>

#include "core/sysctl_key.h"

namespace tcptune::core {
namespace {

// End-of-line markers as systemd's read_line() (src/basic/fileio.c) knows them.
enum Eol : unsigned { kEolNone = 0, kEolNul = 1, kEolLf = 2, kEolCr = 4 };

unsigned eol_of(char c) {
  if (c == '\n') return kEolLf;
  if (c == '\r') return kEolCr;
  if (c == '\0') return kEolNul;
  return kEolNone;
}

struct RawLine {
  std::string_view text;
  unsigned eol = kEolNone;  // markers that ended it
};

// systemd's strstrip() removes WHITESPACE (" \t\n\r"); only blanks can remain inside a line.
bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Fields joined by one space: "4096\t131072   6291456" -> "4096 131072 6291456".
std::string normalize_value(std::string_view v) {
  std::string out;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && is_blank(v[i])) ++i;
    size_t j = i;
    while (j < v.size() && !is_blank(v[j])) ++j;
    if (j > i) {
      if (!out.empty()) out += ' ';
      out.append(v.substr(i, j - i));
    }
    i = j;
  }
  return out;
}

int column_of(std::string_view line, std::string_view part) {
  return static_cast<int>(part.data() - line.data()) + 1;
}

class Parser {
 public:
  explicit Parser(std::string_view origin) : origin_(origin) {}

  ParsedConf run(std::string_view text) {
    size_t i = 0;
    int number = 0;
    while (i < text.size()) {
      RawLine line;
      const size_t start = i;
      while (i < text.size() && eol_of(text[i]) == kEolNone) ++i;
      line.text = text.substr(start, i - start);
      ++number;
      if (line.text.size() >= kSysctlConfMaxLine) {
        issue(number, 1, fmt::format("line is {} bytes or longer; systemd-sysctl stops reading the "
                                     "file here (procps sysctl reads on)", kSysctlConfMaxLine));
        break;
      }
      // A run of markers ends the line; each kind at most once, and nothing after a NUL
      // ("\r\n" and "\n\r" are one end of line, "\n\n" is two).
      while (i < text.size()) {
        const unsigned e = eol_of(text[i]);
        if (e == kEolNone || (line.eol & kEolNul) || (line.eol & e)) break;
        line.eol |= e;
        ++i;
      }
      parse_line(line, number);
    }
    return std::move(out_);
  }

 private:
  void issue(int line, int col, std::string message) {
    out_.issues.push_back(ConfIssue{SourceLoc{std::string(origin_), line, col}, std::move(message)});
  }

  void note_reader_differences(const RawLine& line, int number, int col) {
    // procps reads with getline(): only '\n' ends a line and string functions stop at NUL.
    if (line.eol & kEolNul)
      issue(number, col, "NUL byte: systemd-sysctl starts a new line after it, procps sysctl "
                         "ignores the rest of the line");
    else if ((line.eol & kEolCr) && !(line.eol & kEolLf))
      issue(number, col, "carriage return without line feed: systemd-sysctl starts a new line "
                         "after it, procps sysctl does not");
  }

  void parse_line(const RawLine& line, int number) {
    const std::string_view p = strip(line.text);
    if (p.empty()) return;
    const int col = column_of(line.text, p);
    note_reader_differences(line, number, col);
    if (p.front() == '#' || p.front() == ';') return;

    const size_t eq = p.find('=');
    ConfAssignment a;
    std::string_view key = eq == std::string_view::npos ? p : p.substr(0, eq);
    if (!key.empty() && key.front() == '-') {
      key.remove_prefix(1);
      if (!key.empty() && is_blank(key.front()))
        issue(number, col, "blank after '-': procps sysctl keeps it in the key and silently "
                           "sets nothing (systemd-sysctl strips it)");
      if (eq == std::string_view::npos) a.exclude = true;
      else a.ignore_failure = true;
    } else if (eq == std::string_view::npos) {
      issue(number, col, "line has no '=' (ignored)");
      return;
    }
    key = strip(key);
    if (key.empty()) {
      issue(number, col, eq == std::string_view::npos ? "'-' without a key (ignored)"
                                                      : "empty key before '=' (nothing is set)");
      return;
    }
    a.key = normalize_key(key);
    a.glob = is_glob_key(a.key);
    a.where = SourceLoc{std::string(origin_), number, column_of(line.text, key)};
    if (a.exclude && a.glob)
      issue(number, a.where.col,
            fmt::format("exclusion '-{}' is a pattern; systemd-sysctl 252 and procps 4.0.2 only "
                        "exclude a key spelled exactly like it, so it excludes nothing", a.key));
    if (!a.exclude) check_value(p.substr(eq + 1), number, a);
    out_.assignments.push_back(std::move(a));
  }

  // Issues are reported at the key's column: that is where the assignment is.
  void check_value(std::string_view raw, int number, ConfAssignment& a) {
    const std::string_view v = strip(raw);
    a.value = normalize_value(v);
    if (v.empty())
      issue(number, a.where.col, fmt::format("empty value for '{}': both readers write an empty "
                                             "string, which integer keys reject", a.key));
    if (!v.empty() && v.back() == '\\')
      issue(number, a.where.col, "trailing '\\' is not a line continuation; it is part of the value");
    if (v.find('#') != std::string_view::npos)
      issue(number, a.where.col, "'#' inside a value is not a comment; it is part of the value");
  }

  std::string_view origin_;
  ParsedConf out_;
};

}  // namespace

ParsedConf parse_sysctl_conf(std::string_view text, std::string_view origin_path) {
  return Parser(origin_path).run(text);
}

}  // namespace tcptune::core

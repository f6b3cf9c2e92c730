// Expected failures as values (DESIGN.md section 4). An Error renders to the house grammar:
//   tcptune: error: <object>: <what failed>[: <strerror>]      (no location)
//   <file>:<line>:<col>: error: <what failed>                  (file diagnostics)
// followed by an optional "hint: ..." line.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace tcptune::core {

struct SourceLoc {
  std::string file;
  int line = 0;  // 1-based; 0 = unknown
  int col = 0;   // 1-based; 0 = unknown
  bool operator==(const SourceLoc&) const = default;
};

// What an error means for the caller, and so for the exit code (docs/exit-codes.md): a usage
// error is the command line's (2), a runtime error the environment's or an input file's (3).
enum class ErrorKind { kRuntime, kUsage };

struct Error {
  std::string object;  // what the error is about (a path, a key, an option)
  std::string what;    // what failed
  int err = 0;         // errno, 0 if none
  std::string hint;    // how to fix it, may be empty
  std::optional<SourceLoc> loc;
  ErrorKind kind = ErrorKind::kRuntime;

  // Whole diagnostic text, one or two lines, without trailing newline.
  std::string render() const;
  // "<object>: <what>[: <strerror>]" on one line, no prefix or hint (for gaps and notes).
  std::string summary() const;
};

Error make_error(std::string object, std::string what, int err = 0, std::string hint = {});
Error make_file_error(SourceLoc loc, std::string what, std::string hint = {});
// The same error, marked as the command line's (usage, exit 2).
Error as_usage(Error e);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace tcptune::core

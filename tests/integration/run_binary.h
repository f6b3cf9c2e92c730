// Runs the built tcptune binary (TCPTUNE_BINARY) and captures its exit code, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace tcptune::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// argv excludes the program name. `env` entries are "NAME=value" added to the environment.
RunResult run_tcptune(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// A fresh temporary directory, removed (recursively) when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Copies the built binary and the source tree's rules/ and profiles/ into `dir` in the installed
// layout (dir/bin/tcptune, dir/share/tcptune/...), readable by every user, and returns the copied
// binary's path. A test that drops privileges runs this copy: the checkout (and the build in it)
// may sit under a directory other users cannot enter, such as /root.
std::string install_for_any_user(const std::string& dir);

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

}  // namespace tcptune::testing

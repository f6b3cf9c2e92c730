#include "run_binary.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace tcptune::testing {

RunResult run_tcptune(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  TempDir tmp;
  const std::string out_path = tmp.path() + "/out", err_path = tmp.path() + "/err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> argv;
    std::string bin = TCPTUNE_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  RunResult r;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  return r;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tcptune-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) std::abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string install_for_any_user(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path root(dir), data = root / "share" / "tcptune";
  fs::create_directories(root / "bin");
  fs::create_directories(data);
  const fs::path bin = root / "bin" / "tcptune";
  fs::copy_file(TCPTUNE_BINARY, bin, fs::copy_options::overwrite_existing);
  for (const char* sub : {"rules", "profiles"})
    fs::copy(fs::path(TCPTUNE_SOURCE_DIR) / sub, data / sub, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  // Whatever the umask and the checkout's modes: directories and the binary 0755, data 0644.
  const auto rx = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                  fs::perms::others_read | fs::perms::others_exec;
  const auto r = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
  fs::permissions(root, rx);
  for (const auto& e : fs::recursive_directory_iterator(root))
    fs::permissions(e.path(), e.is_directory() || e.path() == bin ? rx : r);
  return bin.string();
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

}  // namespace tcptune::testing

#include "platform/data_dirs.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/file_trust.h"
#include "platform/fs_util.h"

namespace tcptune::platform {
namespace {

bool has_rules(const std::string& dir) {
  struct stat st{};
  return !dir.empty() && ::stat((dir + "/rules").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string exe_dir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string p(buf, static_cast<size_t>(n));
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? std::string() : p.substr(0, slash);
}

}  // namespace

std::string system_config_dir() {
  if (const char* env = std::getenv("TCPTUNE_SYSCONFDIR"); env && *env) return env;
  return "/etc/tcptune";
}

std::string find_data_dir() {
  if (const char* env = std::getenv("TCPTUNE_DATADIR"); env && *env) return env;
  const std::string exe = exe_dir();
  std::vector<std::string> candidates;
  if (!exe.empty()) candidates.push_back(exe + "/../share/tcptune");
  candidates.emplace_back(TCPTUNE_DATADIR);
#ifdef TCPTUNE_SOURCE_DATADIR
  candidates.emplace_back(TCPTUNE_SOURCE_DATADIR);
#endif
  for (const auto& c : candidates) {
    if (has_rules(c)) {
      char real[PATH_MAX];
      return ::realpath(c.c_str(), real) ? std::string(real) : c;
    }
  }
  return {};
}

core::Result<std::vector<TextFile>> read_toml_dir(const std::string& dir, bool optional,
                                                  const std::vector<std::string>& skip) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (optional && errno == ENOENT) return std::vector<TextFile>{};
    return core::make_error(dir, "cannot open directory", errno);
  }
  // Rules and profiles steer what runs as root: refuse what others could have written.
  if (auto st = check_trusted(dir); !st) {
    ::closedir(d);
    return st.error();
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".toml") != 0) continue;
    if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<TextFile> out;
  for (const auto& n : names) {
    const std::string path = dir + "/" + n;
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (auto trusted = check_trusted(path); !trusted) return trusted.error();
    auto text = read_file(path);
    if (!text) return text.error();
    out.push_back({path, std::move(*text)});
  }
  return out;
}

}  // namespace tcptune::platform

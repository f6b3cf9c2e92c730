#include "platform/config_dirs.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "core/sysctl_conf_parse.h"
#include "core/sysctl_conf_resolve.h"
#include "platform/fs_util.h"

namespace tcptune::platform {
namespace {

// The kernel's limit on links followed in one lookup (MAXSYMLINKS in include/linux/namei.h).
constexpr int kMaxSymlinks = 40;
constexpr std::string_view kDevNull = "/dev/null";

std::deque<std::string> split(std::string_view path) {
  std::deque<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    const size_t slash = std::min(path.find('/', i), path.size());
    if (slash > i) out.emplace_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

core::Result<std::string> read_link(const std::string& host_path) {
  std::string buf(256, '\0');
  for (;;) {
    const ssize_t n = ::readlink(host_path.c_str(), buf.data(), buf.size());
    if (n < 0) return core::make_error(host_path, "cannot read link", errno);
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

class Loader {
 public:
  Loader(const std::string& root, const core::ConfLayout& layout) : root_(root) { out_.layout = layout; }

  core::SysctlConfig run() {
    // Every directory either reader lists, each once.
    std::vector<std::string> dirs = out_.layout.procps_dirs;
    for (const auto& d : out_.layout.systemd_dirs) {
      if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
    }
    for (const std::string& dir : dirs) load_dir(dir);
    struct stat st {};
    const std::string& conf = out_.layout.procps_conf;
    if (!conf.empty() && ::lstat(join_root(root_, conf).c_str(), &st) == 0) load_file(conf);
    core::annotate_files(out_);
    return std::move(out_);
  }

 private:
  void issue(const std::string& path, std::string message) {
    out_.issues.push_back(core::ConfIssue{core::SourceLoc{path, 0, 0}, std::move(message)});
  }

  void load_dir(std::string_view dir) {
    auto real = resolve_in_root(root_, dir);
    if (!real) {
      const int e = real.error().err;
      if (e != ENOENT && e != ENOTDIR) issue(std::string(dir), fmt_errno("cannot open directory", e));
      return;
    }
    DIR* d = ::opendir(join_root(root_, *real).c_str());
    if (!d) {
      if (errno != ENOENT && errno != ENOTDIR) issue(std::string(dir), fmt_errno("cannot open directory", errno));
      return;
    }
    std::vector<std::string> names;
    while (const dirent* de = ::readdir(d)) {
      const std::string_view name = de->d_name;
      if (name.size() >= 5 && name.ends_with(".conf")) names.emplace_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());  // deterministic order in config.files
    for (const auto& name : names) {
      const std::string path = std::string(dir) + "/" + name;
      struct stat st {};
      // systemd never lists directories (dirent_is_file_with_suffix()); skip them here too.
      if (::lstat(join_root(root_, *real + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
      load_file(path);
    }
  }

  static std::string fmt_errno(std::string_view what, int e) {
    return std::string(what) + ": " + std::strerror(e);
  }

  void fail(core::ConfFile& f, int e) {
    f.read_error = std::strerror(e);
    issue(f.path, fmt_errno("cannot read", e));
  }

  void load_file(const std::string& path) {
    core::ConfFile f;
    f.path = path;
    const std::string host = join_root(root_, path);
    struct stat st {};
    if (::lstat(host.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      auto target = read_link(host);
      if (target) f.symlink_target = *target;
    }
    auto real = resolve_in_root(root_, path);
    if (!real) {
      fail(f, real.error().err);
    } else if (*real == kDevNull) {
      f.masked_null = true;  // read as an empty file by both readers
    } else if (::stat(join_root(root_, *real).c_str(), &st) != 0) {
      fail(f, errno);
    } else if (S_ISDIR(st.st_mode)) {
      fail(f, EISDIR);
    } else if (!S_ISREG(st.st_mode)) {
      // A FIFO or device would block or stream forever; no sane configuration is one.
      f.read_error = "not a regular file";
      issue(f.path, "cannot read: not a regular file");
    } else if (auto text = read_file(join_root(root_, *real))) {
      auto parsed = core::parse_sysctl_conf(*text, path);
      std::move(parsed.assignments.begin(), parsed.assignments.end(), std::back_inserter(out_.assignments));
      std::move(parsed.issues.begin(), parsed.issues.end(), std::back_inserter(out_.issues));
    } else {
      fail(f, text.error().err);
    }
    out_.files.push_back(std::move(f));
  }

  const std::string& root_;
  core::SysctlConfig out_;
};

}  // namespace

core::Result<std::string> resolve_in_root(std::string_view root, std::string_view path) {
  std::vector<std::string> done;
  std::deque<std::string> todo = split(path);
  int links = 0;
  while (!todo.empty()) {
    // /dev/null is recognised by name, never looked up inside root: a tree copied from another
    // system has no device nodes, and both readers just read it as an empty file.
    if (done.empty() && todo.size() == 2 && todo[0] == "dev" && todo[1] == "null")
      return std::string(kDevNull);
    std::string c = std::move(todo.front());
    todo.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (!done.empty()) done.pop_back();  // ".." at the root stays at the root
      continue;
    }
    done.push_back(std::move(c));
    const std::string candidate = join(done);
    const std::string host = join_root(root, candidate);
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0) return core::make_error(candidate, "cannot resolve", errno);
    if (!S_ISLNK(st.st_mode)) continue;
    if (++links > kMaxSymlinks) return core::make_error(std::string(path), "cannot resolve", ELOOP);
    auto target = read_link(host);
    if (!target) return target.error();
    done.pop_back();
    if (!target->empty() && target->front() == '/') done.clear();
    auto parts = split(*target);
    todo.insert(todo.begin(), parts.begin(), parts.end());
  }
  return join(done);
}

core::ConfLayout debian_layout() {
  core::ConfLayout l;
  l.systemd_dirs = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d"};
  l.procps_dirs = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"};
  l.procps_conf = "/etc/sysctl.conf";
  return l;
}

ConfigDirs::ConfigDirs(std::string root, core::ConfLayout layout) : root_(std::move(root)), layout_(std::move(layout)) {}

core::SysctlConfig ConfigDirs::load() const { return Loader(root_, layout_).run(); }

}  // namespace tcptune::platform

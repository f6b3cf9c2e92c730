// The persisted sysctl configuration: what boot will apply. Data model only; parsing is in
// sysctl_conf_parse.h and resolution (precedence, systemd vs procps) in sysctl_conf_resolve.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace tcptune::core {

// Which boot-time reader reads a file: systemd-sysctl(8) or procps `sysctl --system`.
enum class ConfReader : unsigned { kNone = 0, kSystemd = 1, kProcps = 2, kBoth = 3 };

struct ConfFile {
  std::string path;            // as the reader opens it, e.g. /etc/sysctl.d/99-sysctl.conf
  std::string symlink_target;  // readlink() text when the path is a symlink, else empty
  std::string masked_by;       // non-empty: not read because this path (same name, earlier dir) wins
  bool masked_null = false;    // a symlink to /dev/null (masks the name in later directories)
  std::string read_error;      // non-empty: could not be read (strerror text); shown as a gap
  ConfReader readers = ConfReader::kNone;
  bool operator==(const ConfFile&) const = default;
};

struct ConfAssignment {
  std::string key;        // canonical key, or a canonical glob pattern when glob is true
  std::string value;      // value text, whitespace-normalised
  SourceLoc where;        // file:line:col of the key
  bool ignore_failure = false;  // leading '-' on "key = value"
  bool glob = false;
  // "-key" without '=': no value. Excludes the key from glob assignments (both readers) and, in
  // systemd-sysctl only, cancels an earlier assignment of the very same key or pattern.
  bool exclude = false;
  bool operator==(const ConfAssignment&) const = default;
};

struct ConfIssue {
  SourceLoc where;
  std::string message;  // e.g. "line has no '=' (ignored)"
  bool operator==(const ConfIssue&) const = default;
};

// Where the boot-time readers look on the host the configuration was read from. Recorded by
// the platform (it describes that host: a split-usr systemd also lists /lib/sysctl.d), so the
// engine orders files without knowing any host path itself.
struct ConfLayout {
  std::vector<std::string> systemd_dirs;  // systemd-sysctl, in precedence order
  std::vector<std::string> procps_dirs;   // procps `sysctl --system`, in precedence order
  std::string procps_conf;                // the file procps reads last (/etc/sysctl.conf)
  bool operator==(const ConfLayout&) const = default;
};

// Everything read from the configuration directories, in no particular reader's order.
struct SysctlConfig {
  ConfLayout layout;
  std::vector<ConfFile> files;              // every *.conf seen, including masked ones
  std::vector<ConfAssignment> assignments;  // in file order, then line order, per file
  std::vector<ConfIssue> issues;            // malformed lines, unreadable files
  bool operator==(const SysctlConfig&) const = default;
};

}  // namespace tcptune::core

namespace tcptune::core {

// The outcome for one key after applying every assignment in boot order.
struct ResolvedSetting {
  std::string key;                       // canonical concrete key
  ConfAssignment winner;                 // what systemd-sysctl applies at boot (last one wins)
  std::vector<ConfAssignment> shadowed;  // earlier assignments it overrides, in order applied
  // Set only when procps `sysctl --system` would end with a different assignment than
  // systemd-sysctl (different file set or order, e.g. /etc/sysctl.conf read last).
  std::optional<ConfAssignment> procps_winner;
  // True when systemd-sysctl does not set this key at all but procps does (e.g. only
  // /etc/sysctl.conf sets it and no 99-sysctl.conf link exists); winner is then procps's.
  bool procps_only = false;
  bool operator==(const ResolvedSetting&) const = default;
};

struct ResolvedConfig {
  std::map<std::string, ResolvedSetting> settings;  // by canonical key
  // Glob assignments that matched none of the keys they were resolved against.
  std::vector<ConfAssignment> unmatched_globs;
  bool operator==(const ResolvedConfig&) const = default;
};

}  // namespace tcptune::core

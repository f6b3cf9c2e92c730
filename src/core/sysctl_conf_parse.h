// Parser for one sysctl.d(5) / sysctl.conf(5) file. Pure: text in, assignments and issues out.
// Lines are split and stripped the way systemd-sysctl 252 does it (src/sysctl/sysctl.c,
// read_line() in src/basic/fileio.c); where procps-ng 4.0.2 `sysctl --system` would read the
// same bytes differently, an issue says so. See docs/configuration.md.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/sysctl_conf.h"

namespace tcptune::core {

struct ParsedConf {
  std::vector<ConfAssignment> assignments;  // in line order; duplicates kept (later wins)
  std::vector<ConfIssue> issues;            // never fatal; each has file:line:col
};

// systemd's LONG_LINE_MAX: a line this long or longer makes systemd-sysctl stop reading the
// file (read_line() fails with ENOBUFS); what came before still applies.
inline constexpr std::size_t kSysctlConfMaxLine = 1024 * 1024;

// Parses `text` (any bytes: NUL, CR, non-UTF-8 are handled). `origin_path` is the path shown in
// locations, as the reader opens it (e.g. /etc/sysctl.d/99-sysctl.conf).
ParsedConf parse_sysctl_conf(std::string_view text, std::string_view origin_path);

}  // namespace tcptune::core

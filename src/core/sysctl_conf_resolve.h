// Which files the boot-time readers apply, in which order, and what each key ends up as.
// Modelled on systemd-sysctl 252 (src/sysctl/sysctl.c, src/basic/conf-files.c) and procps-ng
// 4.0.2 `sysctl --system` (src/sysctl.c PreloadSystem()), both as shipped in Debian 12 and
// checked against the real binaries; docs/configuration.md lists every rule with its source.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sysctl_conf.h"
#include "core/sysctl_value.h"

namespace tcptune::core {

// Paths systemd-sysctl parses, in order: *.conf of config.layout.systemd_dirs that are not hidden
// (leading '.'), one per file name (earliest directory wins), sorted by file name (strcmp).
std::vector<std::string> systemd_order(const SysctlConfig& config);

// Paths procps `sysctl --system` parses, in order: like systemd_order over config.layout.procps_dirs but
// hidden files included, then /etc/sysctl.conf when it is among config.files and not a
// /dev/null link (procps only reads it when stat() says regular file).
std::vector<std::string> procps_order(const SysctlConfig& config);

// Fills ConfFile::masked_by and ConfFile::readers from the two orders above.
void annotate_files(SysctlConfig& config);

// glob(3) semantics on /proc/sys paths: the pattern and key are compared component by
// component ('*', '?' and '[...]' never cross a '/' of the path), both in canonical form.
bool sysctl_glob_match(std::string_view pattern, std::string_view key);

// Applies every assignment in each reader's order. Globs are expanded against known_keys
// (canonical keys present under /proc/sys); keys assigned explicitly anywhere (including "-key"
// exclusions) are never set by a glob, whatever the order. Explicit keys are resolved even when
// not in known_keys (the write would fail with ENOENT at boot).
ResolvedConfig resolve_config(const SysctlConfig& config, const std::vector<std::string>& known_keys);

// Drift check between a live value and a configured value: numbers are compared numerically
// field by field, parsed as the kernel parses writes (base 0: "010" is 8, "0x20" is 32), text
// after whitespace normalisation. nullopt when it cannot be decided (empty configured value,
// or a number on one side and text on the other).
std::optional<bool> value_differs(const SysctlValue& live, std::string_view configured);

}  // namespace tcptune::core

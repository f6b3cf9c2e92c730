// Sysctl key spelling. The canonical form is dotted ("net.ipv4.tcp_fin_timeout"); a dot that is
// part of a path component (an interface "eth0.1") is written as '/' in the canonical form, as
// procps sysctl(8) prints it. Keys may be given in either the dotted or the slash form
// ("net/ipv4/conf/eth0.1/rp_filter"); sysctl.d(5) decides by the first separator.
#pragma once

#include <string>
#include <string_view>

namespace tcptune::core {

// Canonical dotted spelling of a key written in either form. Surrounding whitespace is removed.
std::string normalize_key(std::string_view key);

// Path of a canonical key relative to /proc/sys ("net/ipv4/tcp_fin_timeout").
std::string key_to_proc_path(std::string_view canonical_key);

// Canonical key of a path relative to /proc/sys.
std::string proc_path_to_key(std::string_view relative_path);

// True if the key contains glob characters (*, ?, [) as sysctl.d(5) allows.
bool is_glob_key(std::string_view key);

// fnmatch(3) without flags (*, ?, [...], backslash escapes): '*' may span '.' boundaries. For
// sysctl.d globs use sysctl_glob_match() (sysctl_conf_resolve.h), which matches one path
// component at a time as glob(3) under /proc/sys does.
bool glob_match(std::string_view pattern, std::string_view key);

}  // namespace tcptune::core

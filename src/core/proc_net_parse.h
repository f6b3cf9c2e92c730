// Pure parsers for /proc/net files: sockstat, netstat/snmp (by header name), tcp/tcp6 lines and
// ip_local_port_range. The platform layer reads the files; these only see text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/census.h"
#include "core/inet_diag_decode.h"
#include "core/result.h"

namespace tcptune::core {

// The "TCP:" line of /proc/net/sockstat. `origin` names the file in errors.
Result<SockStat> parse_sockstat(std::string_view text, std::string_view origin);

// /proc/net/netstat and /proc/net/snmp: pairs of lines "Prefix: name..." / "Prefix: value...".
// Columns are matched by header name (their set differs between kernel versions). Keys are
// nstat-style prefix+name ("TcpExtListenOverflows"). Errors name origin:line.
Result<std::map<std::string, int64_t>> parse_netstat(std::string_view text, std::string_view origin);

// One data line of /proc/net/tcp (family 2) or /proc/net/tcp6 (family 10). Returns false for
// the header line and for lines that do not parse.
bool parse_proc_net_tcp_line(std::string_view line, uint8_t family, DiagSocket* out);

// "32768\t60999\n" -> {32768, 60999}; nullopt when malformed.
std::optional<PortRange> parse_port_range(std::string_view text);

}  // namespace tcptune::core

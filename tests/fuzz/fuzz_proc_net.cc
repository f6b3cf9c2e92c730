// /proc/net text (core::parse_sockstat, parse_netstat for netstat and snmp, /proc/net/tcp and
// tcp6 lines, ip_local_port_range): the same bytes go through every parser.
#include "core/proc_net_parse.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  const std::string_view text = fuzz::as_text(data, size);
  if (auto s = core::parse_sockstat(text, "/proc/net/sockstat"); !s) (void)s.error().render();
  if (auto n = core::parse_netstat(text, "/proc/net/netstat"); !n) (void)n.error().render();
  size_t start = 0;
  while (start <= text.size()) {
    const size_t eol = text.find('\n', start);
    const std::string_view line = text.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    for (const uint8_t family : {uint8_t{2}, uint8_t{10}}) {
      core::DiagSocket s;
      (void)core::parse_proc_net_tcp_line(line, family, &s);
    }
    if (eol == std::string_view::npos) break;
    start = eol + 1;
  }
  if (auto r = core::parse_port_range(text)) {
    fuzz::require(r->size() <= 65536, "port range larger than the port space");
  }
  return 0;
}

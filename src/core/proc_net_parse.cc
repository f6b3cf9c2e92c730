#include "core/proc_net_parse.h"

#include <charconv>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/text_split.h"

namespace tcptune::core {

namespace {

template <class T>
bool to_int(std::string_view s, T* v, int base = 10) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *v, base);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// "0100007F:1F90": the kernel prints each 32-bit address word with %08X of its in-memory
// (network-order) value read as a host integer (net/ipv4/tcp_ipv4.c get_tcp4_sock()), so
// storing the parsed integer back in host order restores the network-order bytes.
bool parse_endpoint(std::string_view s, size_t words, std::array<uint8_t, 16>* addr, uint16_t* port) {
  const size_t colon = s.find(':');
  if (colon != words * 8) return false;
  for (size_t w = 0; w < words; ++w) {
    uint32_t v = 0;
    if (!to_int(s.substr(w * 8, 8), &v, 16)) return false;
    std::memcpy(addr->data() + 4 * w, &v, 4);
  }
  return to_int(s.substr(colon + 1), port, 16);
}

}  // namespace

Result<SockStat> parse_sockstat(std::string_view text, std::string_view origin) {
  for (std::string_view line : lines_of(text)) {
    if (!line.starts_with("TCP:")) continue;
    const auto f = split_whitespace(line.substr(4));
    SockStat st;
    bool have_inuse = false, have_tw = false;
    for (size_t i = 0; i + 1 < f.size(); i += 2) {
      int64_t v = 0;
      if (!to_int(f[i + 1], &v))
        return make_error(std::string(origin), fmt::format("bad value '{}' for '{}'", f[i + 1], f[i]));
      if (f[i] == "inuse") st.inuse = v, have_inuse = true;
      else if (f[i] == "orphan") st.orphan = v;
      else if (f[i] == "tw") st.tw = v, have_tw = true;
      else if (f[i] == "alloc") st.alloc = v;
      else if (f[i] == "mem") st.mem = v;
    }
    if (!have_inuse || !have_tw)
      return make_error(std::string(origin), "TCP line lacks 'inuse' or 'tw'");
    return st;
  }
  return make_error(std::string(origin), "no TCP line");
}

Result<std::map<std::string, int64_t>> parse_netstat(std::string_view text, std::string_view origin) {
  std::map<std::string, int64_t> out;
  const auto lines = lines_of(text);
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].empty()) {
      ++i;
      continue;
    }
    const size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos)
      return make_file_error(SourceLoc{std::string(origin), static_cast<int>(i + 1), 1}, "expected 'Prefix: names'");
    const std::string_view prefix = lines[i].substr(0, colon);
    if (i + 1 >= lines.size() || !lines[i + 1].starts_with(lines[i].substr(0, colon + 1)))
      return make_file_error(SourceLoc{std::string(origin), static_cast<int>(i + 2), 1},
                             fmt::format("missing value line for '{}'", prefix));
    const auto names = split_whitespace(lines[i].substr(colon + 1));
    const auto values = split_whitespace(lines[i + 1].substr(colon + 1));
    if (names.size() != values.size())
      return make_file_error(SourceLoc{std::string(origin), static_cast<int>(i + 2), 1},
                             fmt::format("'{}' has {} names but {} values", prefix, names.size(), values.size()));
    for (size_t k = 0; k < names.size(); ++k) {
      int64_t v = 0;
      if (!to_int(values[k], &v))
        return make_file_error(SourceLoc{std::string(origin), static_cast<int>(i + 2), 1},
                               fmt::format("bad value '{}' for '{}{}'", values[k], prefix, names[k]));
      out[std::string(prefix) + std::string(names[k])] = v;
    }
    i += 2;
  }
  return out;
}

bool parse_proc_net_tcp_line(std::string_view line, uint8_t family, DiagSocket* out) {
  const auto f = split_whitespace(line);
  if (f.size() < 10 || f[0] == "sl") return false;
  const size_t words = family == 10 ? 4 : 1;
  DiagSocket s;
  s.family = family;
  if (!parse_endpoint(f[1], words, &s.src, &s.sport)) return false;
  if (!parse_endpoint(f[2], words, &s.dst, &s.dport)) return false;
  if (!to_int(f[3], &s.state, 16)) return false;
  const size_t tcolon = f[5].find(':');  // "tr:tm->when"
  if (tcolon == std::string_view::npos || !to_int(f[5].substr(0, tcolon), &s.timer, 16)) return false;
  if (!to_int(f[9], &s.inode)) return false;
  // "tx_queue:rx_queue": on a listener rx_queue is the accept-queue length (get_tcp4_sock());
  // the queue limit is not in this file, so wqueue stays 0 (unknown).
  const size_t qcolon = f[4].find(':');
  if (qcolon != std::string_view::npos && !to_int(f[4].substr(qcolon + 1), &s.rqueue, 16)) return false;
  *out = s;
  return true;
}

std::optional<PortRange> parse_port_range(std::string_view text) {
  const auto f = split_whitespace(text.substr(0, text.find('\n')));
  if (f.size() != 2) return std::nullopt;
  PortRange r;
  if (!to_int(f[0], &r.low) || !to_int(f[1], &r.high) || r.low > r.high) return std::nullopt;
  return r;
}

}  // namespace tcptune::core

#include <algorithm>
#include <cctype>

#include "core/census.h"

namespace tcptune::core {

namespace {

// Names follow the list (kernel names with dashes), not ss's abbreviations, so JSON keys
// read the same as the documentation; ss's forms are accepted on input.
constexpr std::array<std::string_view, kStateSlots> kNames = {
    "unknown",    "ESTABLISHED", "SYN-SENT",   "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
    "TIME-WAIT",  "CLOSE",       "CLOSE-WAIT", "LAST-ACK", "LISTEN",     "CLOSING"};

struct Alias {
  std::string_view text;  // lower case, without '-', '_' or spaces
  TcpState state;
};

constexpr Alias kAliases[] = {
    {"established", TcpState::kEstablished}, {"estab", TcpState::kEstablished},
    {"est", TcpState::kEstablished},         {"synsent", TcpState::kSynSent},
    {"synrecv", TcpState::kSynRecv},         {"synrcvd", TcpState::kSynRecv},
    {"synreceived", TcpState::kSynRecv},     {"finwait1", TcpState::kFinWait1},
    {"fw1", TcpState::kFinWait1},            {"finwait2", TcpState::kFinWait2},
    {"fw2", TcpState::kFinWait2},            {"timewait", TcpState::kTimeWait},
    {"tw", TcpState::kTimeWait},             {"close", TcpState::kClose},
    {"closed", TcpState::kClose},            {"unconn", TcpState::kClose},
    {"closewait", TcpState::kCloseWait},     {"cw", TcpState::kCloseWait},
    {"lastack", TcpState::kLastAck},         {"listen", TcpState::kListen},
    {"listening", TcpState::kListen},        {"closing", TcpState::kClosing},
};

}  // namespace

std::string_view state_name(TcpState s) { return kNames[state_slot(static_cast<uint8_t>(s))]; }

std::optional<TcpState> parse_state(std::string_view text) {
  std::string key;
  for (char c : text) {
    if (c == '-' || c == '_' || c == ' ') continue;
    key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  for (const Alias& a : kAliases)
    if (a.text == key) return a.state;
  return std::nullopt;
}

uint64_t StateCounts::total() const {
  uint64_t t = 0;
  for (uint64_t v : n) t += v;
  return t;
}

std::string_view source_name(CensusSource s) {
  return s == CensusSource::kSockDiag ? "sock_diag" : "proc_net_tcp";
}

std::map<std::string, double> counter_rates(const Counters& c) {
  std::map<std::string, double> out;
  if (!c.earlier || c.current.monotonic_ms <= c.earlier->monotonic_ms) return out;
  const double secs = static_cast<double>(c.current.monotonic_ms - c.earlier->monotonic_ms) / 1000.0;
  for (const auto& [name, now] : c.current.values) {
    auto it = c.earlier->values.find(name);
    if (it == c.earlier->values.end()) continue;
    out[name] = static_cast<double>(now - it->second) / secs;
  }
  return out;
}

}  // namespace tcptune::core

#include "platform/counters.h"

#include <ctime>
#include <thread>

#include "core/proc_net_parse.h"
#include "platform/fs_util.h"

namespace tcptune::platform {

namespace {

uint64_t monotonic_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

}  // namespace

core::Result<core::CounterSample> read_counter_sample(const std::string& root,
                                                      std::vector<std::string>* notes) {
  core::CounterSample s;
  s.monotonic_ms = monotonic_ms();
  int read_ok = 0;
  const std::string sockstat = join_root(root, "proc/net/sockstat");
  if (auto text = read_file(sockstat, 1 << 16)) {
    auto st = core::parse_sockstat(*text, sockstat);
    if (!st) return st.error();
    s.sockstat = *st;
    ++read_ok;
  } else {
    notes->push_back(text.error().render());
  }
  for (const char* rel : {"proc/net/netstat", "proc/net/snmp"}) {
    const std::string path = join_root(root, rel);
    auto text = read_file(path, 1 << 20);
    if (!text) {
      notes->push_back(text.error().render());
      continue;
    }
    auto values = core::parse_netstat(*text, path);
    if (!values) return values.error();
    s.values.merge(*values);
    ++read_ok;
  }
  if (read_ok == 0)
    return core::make_error(join_root(root, "proc/net"), "no counter file could be read", 0,
                            "is /proc mounted inside this root?");
  return s;
}

core::Result<core::Counters> read_counters(std::string root) {
  core::Counters c;
  auto s = read_counter_sample(root, &c.notes);
  if (!s) return s.error();
  c.current = std::move(*s);
  return c;
}

core::Result<core::Counters> read_counters_with_rates(std::string root, uint32_t interval_ms) {
  core::Counters c;
  std::vector<std::string> ignored;  // the second sample's notes repeat the first's
  auto first = read_counter_sample(root, &c.notes);
  if (!first) return first.error();
  std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  auto second = read_counter_sample(root, &ignored);
  if (!second) return second.error();
  c.earlier = std::move(*first);
  c.current = std::move(*second);
  return c;
}

}  // namespace tcptune::platform

#include "core/census_derive.h"

#include <fmt/format.h>

namespace tcptune::core {

std::optional<Derived> derive_totals(const DeriveInputs& in) {
  Derived d;
  if (in.sockstat_tw) {
    const int64_t tw = in.sockstat_tw->after - static_cast<int64_t>(in.fin_wait2_minisocks);
    if (tw < 0) return std::nullopt;
    d.time_wait = static_cast<uint64_t>(tw);
    if (in.sockstat_tw->moved())
      d.notes.push_back(fmt::format("sockets changed during the census (sockstat tw {} -> {}): counts are approximate",
                                    in.sockstat_tw->before, in.sockstat_tw->after));
  }
  if (in.curr_estab) {
    const int64_t est = in.curr_estab->after - static_cast<int64_t>(in.close_wait);
    if (est < 0) return std::nullopt;
    d.established = static_cast<uint64_t>(est);
    if (in.curr_estab->moved())
      d.notes.push_back(fmt::format("sockets changed during the census (Tcp CurrEstab {} -> {}): counts are approximate",
                                    in.curr_estab->before, in.curr_estab->after));
  }
  return d;
}

}  // namespace tcptune::core

#include "core/inet_diag_decode.h"

#include <string>

namespace tcptune::core {

namespace {

Error wire_error(std::string what, int err = 0) {
  return make_error("sock_diag", std::move(what), err);
}

// The kernel reports failure as -errno, and errno values are 1..MAX_ERRNO (4095,
// include/linux/err.h). Any other status is a corrupt reply: it is shown raw, never negated
// (negating INT32_MIN overflows).
constexpr int32_t kMaxErrno = 4095;
Error status_error(std::string what, int32_t status) {
  if (status < 0 && status >= -kMaxErrno) return wire_error(std::move(what), -status);
  return wire_error(what + " (malformed status " + std::to_string(status) + ")");
}

}  // namespace

namespace diag_wire {

Error error(const char* what) { return wire_error(what); }

Result<bool> control_message(uint16_t type, const uint8_t* payload, size_t plen) {
  if (type == kNlmsgDone) {
    // A dump's DONE carries an int status; negative means the dump failed part-way
    // (netlink_dump_done() in net/netlink/af_netlink.c).
    if (plen >= sizeof(int32_t)) {
      const int32_t status = load<int32_t>(payload);
      if (status < 0) return status_error("dump failed", status);
    }
    return true;
  }
  if (type == kNlmsgError) {
    if (plen < sizeof(int32_t)) return wire_error("truncated netlink error");
    const int32_t e = load<int32_t>(payload);
    if (e != 0) return status_error("dump request failed", e);
    return false;  // error 0 is an acknowledgement; nothing to count.
  }
  if (type != kNlmsgNoop) return wire_error("unexpected netlink message type " + std::to_string(type));
  return false;
}

}  // namespace diag_wire

}  // namespace tcptune::core

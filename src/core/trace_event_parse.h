// Pure parsers for tracefs text: an event's `format` file (its fields by name and the symbolic
// values its print format names) and one line of a trace buffer in the default text layout
// ("<comm>-<pid> [<cpu>] <flags> <timestamp>: <event>: key=value ...").
// Documentation/trace/events.rst describes both layouts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tcptune::core {

struct TraceField {
  std::string type;  // "int", "enum sk_rst_reason", "__u8", "const void *"
  std::string name;  // "reason", "saddr" (without the array suffix)
  uint32_t offset = 0;
  uint32_t size = 0;
  bool is_signed = false;
  bool operator==(const TraceField&) const = default;
};

struct EventFormat {
  std::string name;  // "tcp_send_reset"
  uint32_t id = 0;
  std::vector<TraceField> fields;  // the event's own fields (common_* excluded)
  // __print_symbolic tables of the print format by field: value -> name.
  std::map<std::string, std::map<int64_t, std::string>> symbols;

  bool has_field(std::string_view field) const;
  bool operator==(const EventFormat&) const = default;
};

// Parses the text of events/<system>/<event>/format. Errors name `origin`.
Result<EventFormat> parse_event_format(std::string_view text, const std::string& origin);

struct TraceLine {
  std::string comm;  // task that was running when the event fired (often not the socket's owner)
  int32_t pid = 0;
  uint32_t cpu = 0;
  std::string timestamp;  // seconds, as printed ("1234.567890")
  std::string event;      // "tcp_send_reset"
  std::vector<std::pair<std::string, std::string>> fields;  // key=value pairs in order

  // The value of `key`, or nullptr.
  const std::string* find(std::string_view key) const;
};

// Parses one line of a trace buffer; nullopt for comment lines ("#"), lost-event notices and
// anything not in the layout above. A syscall exit ("<ts>: sys_connect -> 0xffffffffffffff9d")
// becomes event "sys_exit_connect" with the field ret=-99 (the return value, signed).
std::optional<TraceLine> parse_trace_line(std::string_view line);

// Splits "a.b.c.d:port", "[v6]:port" (the kernel's %pISpc) into address and port.
bool split_endpoint(std::string_view text, std::string* address, uint16_t* port);

}  // namespace tcptune::core

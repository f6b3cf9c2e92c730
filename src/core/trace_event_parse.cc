#include "core/trace_event_parse.h"

#include <charconv>

#include "core/text_split.h"

namespace tcptune::core {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

template <class T>
bool to_number(std::string_view s, T* out) {
  s = trim(s);
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// The value after "<key>:" in a field line's ';'-separated parts.
std::optional<std::string_view> part(std::string_view line, std::string_view key) {
  size_t i = 0;
  while (i < line.size()) {
    const size_t end = std::min(line.find(';', i), line.size());
    std::string_view p = trim(line.substr(i, end - i));
    if (p.size() > key.size() && p.substr(0, key.size()) == key && p[key.size()] == ':') {
      return trim(p.substr(key.size() + 1));
    }
    i = end + 1;
  }
  return std::nullopt;
}

// "field:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;"
std::optional<TraceField> parse_field(std::string_view line) {
  auto decl = part(line, "field");
  auto offset = part(line, "offset");
  auto size = part(line, "size");
  auto sign = part(line, "signed");
  if (!decl || !offset || !size || !sign) return std::nullopt;
  std::string_view d = *decl;
  if (const size_t br = d.find('['); br != std::string_view::npos) d = trim(d.substr(0, br));
  const size_t sp = d.find_last_of(" *");
  if (sp == std::string_view::npos || sp + 1 >= d.size()) return std::nullopt;
  TraceField f;
  f.name = std::string(d.substr(sp + 1));
  f.type = std::string(trim(d.substr(0, sp + 1)));
  int s = 0;
  if (!to_number(*offset, &f.offset) || !to_number(*size, &f.size) || !to_number(*sign, &s)) return std::nullopt;
  f.is_signed = s != 0;
  return f;
}

// Reads the "{ 8, "TCP_ABORT_ON_DATA" }, ..." entries of one __print_symbolic( call starting
// at `at`; entries whose value is a name the kernel did not resolve are skipped.
std::map<int64_t, std::string> symbol_table(std::string_view fmt, size_t at) {
  std::map<int64_t, std::string> table;
  int depth = 1;
  size_t i = at;
  while (i < fmt.size() && depth > 0) {
    const char c = fmt[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == '{') {
      const size_t close = fmt.find('}', i);
      if (close == std::string_view::npos) break;
      const std::string_view entry = fmt.substr(i + 1, close - i - 1);
      const size_t comma = entry.find(',');
      const size_t q1 = entry.find('"');
      const size_t q2 = q1 == std::string_view::npos ? q1 : entry.find('"', q1 + 1);
      int64_t value = 0;
      if (comma != std::string_view::npos && q2 != std::string_view::npos && to_number(entry.substr(0, comma), &value)) {
        table[value] = std::string(entry.substr(q1 + 1, q2 - q1 - 1));
      }
      i = close;
    }
    ++i;
  }
  return table;
}

void parse_symbols(std::string_view fmt, EventFormat* out) {
  static constexpr std::string_view kCall = "__print_symbolic(REC->";
  size_t at = fmt.find(kCall);
  while (at != std::string_view::npos) {
    const size_t name_start = at + kCall.size();
    const size_t comma = fmt.find(',', name_start);
    if (comma == std::string_view::npos) return;
    auto table = symbol_table(fmt, comma);
    if (!table.empty()) out->symbols[std::string(trim(fmt.substr(name_start, comma - name_start)))] = std::move(table);
    at = fmt.find(kCall, comma);
  }
}

// A syscall exit event prints "<syscall> -> 0x<return value>" (kernel/trace/trace_syscalls.c
// print_syscall_exit()): "sys_connect -> 0xffffffffffffff9d" becomes event sys_exit_connect
// with ret=-99.
bool parse_syscall_exit(std::string_view text, TraceLine* t) {
  const size_t arrow = text.find(" -> 0x");
  if (arrow == std::string_view::npos) return false;
  const std::string_view name = trim(text.substr(0, arrow));
  if (name.size() <= 4 || name.substr(0, 4) != "sys_" || name.find(' ') != std::string_view::npos) return false;
  const std::string_view hex = trim(text.substr(arrow + 6));
  uint64_t value = 0;
  const auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  if (ec != std::errc{} || p != hex.data() + hex.size() || hex.empty()) return false;
  t->event = "sys_exit_" + std::string(name.substr(4));
  t->fields.emplace_back("ret", std::to_string(static_cast<int64_t>(value)));
  return true;
}

}  // namespace

bool EventFormat::has_field(std::string_view field) const {
  for (const auto& f : fields)
    if (f.name == field) return true;
  return false;
}

Result<EventFormat> parse_event_format(std::string_view text, const std::string& origin) {
  EventFormat out;
  bool have_name = false;
  bool have_fields = false;
  size_t start = 0;
  while (start < text.size()) {
    const size_t eol = std::min(text.find('\n', start), text.size());
    const std::string_view line = trim(text.substr(start, eol - start));
    start = eol + 1;
    if (line.substr(0, 5) == "name:") {
      out.name = std::string(trim(line.substr(5)));
      have_name = !out.name.empty();
    } else if (line.substr(0, 3) == "ID:") {
      if (!to_number(line.substr(3), &out.id)) return make_error(origin, "invalid event ID");
    } else if (line.substr(0, 6) == "field:") {
      auto f = parse_field(line);
      if (!f) return make_error(origin, "invalid field line");
      have_fields = true;
      if (f->name.rfind("common_", 0) != 0) out.fields.push_back(std::move(*f));
    } else if (line.substr(0, 10) == "print fmt:") {
      parse_symbols(line, &out);
    }
  }
  if (!have_name) return make_error(origin, "no event name");
  if (!have_fields) return make_error(origin, "no fields");
  return out;
}

const std::string* TraceLine::find(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

std::optional<TraceLine> parse_trace_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return std::nullopt;
  // The cpu column " [NNN] " ends the "<comm>-<pid>" part; a comm may hold spaces and dashes.
  size_t cpu_open = line.find(" [");
  while (cpu_open != std::string_view::npos) {
    const size_t close = line.find(']', cpu_open);
    uint32_t cpu = 0;
    if (close != std::string_view::npos && to_number(line.substr(cpu_open + 2, close - cpu_open - 2), &cpu)) break;
    cpu_open = line.find(" [", cpu_open + 1);
  }
  if (cpu_open == std::string_view::npos) return std::nullopt;
  TraceLine t;
  const std::string_view task = trim(line.substr(0, cpu_open));
  const size_t dash = task.rfind('-');
  if (dash == std::string_view::npos || !to_number(task.substr(dash + 1), &t.pid)) return std::nullopt;
  t.comm = std::string(task.substr(0, dash));
  const size_t cpu_close = line.find(']', cpu_open);
  (void)to_number(line.substr(cpu_open + 2, cpu_close - cpu_open - 2), &t.cpu);
  // "<flags> <timestamp>: <event>: <fields>"; the flags column is absent with some options.
  const std::string_view rest = line.substr(cpu_close + 1);
  const size_t ts_end = rest.find(": ");
  if (ts_end == std::string_view::npos) return std::nullopt;
  const std::string_view head = trim(rest.substr(0, ts_end));
  const size_t ts_start = head.find_last_of(' ');
  t.timestamp = std::string(ts_start == std::string_view::npos ? head : head.substr(ts_start + 1));
  const std::string_view after = rest.substr(ts_end + 2);
  if (parse_syscall_exit(after, &t)) return t;
  const size_t ev_end = after.find(':');
  if (ev_end == std::string_view::npos || ev_end == 0) return std::nullopt;
  t.event = std::string(trim(after.substr(0, ev_end)));
  if (t.event.empty() || t.event.find(' ') != std::string::npos) return std::nullopt;
  for (std::string_view word : split_whitespace(after.substr(ev_end + 1))) {
    const size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    t.fields.emplace_back(std::string(word.substr(0, eq)), std::string(word.substr(eq + 1)));
  }
  return t;
}

bool split_endpoint(std::string_view text, std::string* address, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view addr = text.substr(0, colon);
  if (addr.front() == '[') {
    if (addr.size() < 2 || addr.back() != ']') return false;
    addr = addr.substr(1, addr.size() - 2);
  }
  if (addr.empty() || !to_number(text.substr(colon + 1), port)) return false;
  *address = std::string(addr);
  return true;
}

}  // namespace tcptune::core

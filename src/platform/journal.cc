#include "platform/journal.h"

#include <array>
#include <cerrno>
#include <ctime>

#include <fmt/format.h>

#include "core/json_read.h"
#include "platform/atomic_file.h"
#include "platform/fs_util.h"

namespace tcptune::platform {
namespace {

using VT = nlohmann::json::value_t;

constexpr std::array<std::string_view, 5> kStateNames = {"pending", "applied", "restored",
                                                         "rolling-back", "rolled-back"};
constexpr std::string_view kDamagedHint =
    "the file was not written by this version of tcptune; inspect it by hand";

core::Error damaged(const core::JsonReader& r) {
  core::Error e = r.error();
  e.hint = std::string(kDamagedHint);  // JsonReader's own hint speaks of snapshots
  return e;
}

JournalState read_state(core::JsonReader& r, const nlohmann::json& j) {
  const std::string text = r.string(j, "", "state");
  if (r.failed()) return JournalState::kPending;
  if (auto s = parse_journal_state(text)) return *s;
  r.fail("/state", fmt::format("expected one of {}, found '{}'", fmt::join(kStateNames, ", "), text));
  return JournalState::kPending;
}

std::vector<core::Change> read_entries(core::JsonReader& r, const nlohmann::json& j) {
  std::vector<core::Change> out;
  const auto* entries = r.member(j, "", "entries");
  if (!entries || !r.expect(*entries, "/entries", VT::array)) return out;
  for (size_t i = 0; i < entries->size() && !r.failed(); ++i) {
    const auto& e = (*entries)[i];
    const std::string at = fmt::format("/entries/{}", i);
    out.push_back({r.string(e, at, "key"), r.string(e, at, "before"), r.string(e, at, "after")});
  }
  return out;
}

}  // namespace

std::string_view to_string(JournalState s) { return kStateNames[static_cast<size_t>(s)]; }

std::optional<JournalState> parse_journal_state(std::string_view text) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == text) return static_cast<JournalState>(i);
  }
  return std::nullopt;
}

std::string journal_path(std::string_view state_dir) {
  return fmt::format("{}/journal.json", state_dir);
}

nlohmann::json journal_to_json(const Journal& j) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : j.entries) {
    entries.push_back({{"key", e.key}, {"before", e.before}, {"after", e.after}});
  }
  return {{"schema_version", kJournalSchemaVersion}, {"state", to_string(j.state)}, {"profile", j.profile},
          {"tool_version", j.tool_version}, {"root", j.root}, {"pid", j.pid},
          {"started", j.started}, {"entries", entries}};
}

core::Result<Journal> journal_from_json(const nlohmann::json& j, std::string_view path) {
  core::JsonReader r{std::string(path)};
  if (!r.expect(j, "", VT::object)) return damaged(r);
  const int64_t version = r.integer(j, "", "schema_version");
  if (!r.failed() && version != kJournalSchemaVersion) {
    r.fail("/schema_version", fmt::format("expected {}, found {}", kJournalSchemaVersion, version));
  }
  Journal out;
  out.state = read_state(r, j);
  out.profile = r.string(j, "", "profile");
  out.tool_version = r.string(j, "", "tool_version");
  out.root = r.string(j, "", "root");
  out.pid = r.integer(j, "", "pid");
  out.started = r.string(j, "", "started");
  out.entries = read_entries(r, j);
  if (r.failed()) return damaged(r);
  return out;
}

core::Status write_journal(std::string_view state_dir, const Journal& j) {
  return write_file_atomic(journal_path(state_dir), journal_to_json(j).dump(2) + "\n", 0600);
}

core::Result<std::optional<Journal>> read_journal(std::string_view state_dir) {
  const std::string path = journal_path(state_dir);
  auto text = read_file(path, 4u << 20);
  if (!text) {
    if (text.error().err == ENOENT) return std::optional<Journal>{};
    return text.error();
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return core::make_error(path, "not valid JSON", 0, std::string(kDamagedHint));
  auto parsed = journal_from_json(j, path);
  if (!parsed) return parsed.error();
  return std::optional<Journal>(std::move(*parsed));
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace tcptune::platform

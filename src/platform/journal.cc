#include "platform/journal.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <ctime>

#include <fmt/format.h>

#include "platform/atomic_file.h"
#include "platform/fs_util.h"

namespace tcptune::platform {
namespace {

constexpr std::array<std::string_view, 5> kStates = {"pending", "applied", "restored",
                                                     "rolling-back", "rolled-back"};

core::Error bad(std::string_view path, const std::string& what) {
  return core::make_error(std::string(path), fmt::format("invalid journal: {}", what), 0,
                          "the file was not written by this version of tcptune; inspect it by hand");
}

}  // namespace

std::string journal_path(std::string_view state_dir) {
  return fmt::format("{}/journal.json", state_dir);
}

nlohmann::json journal_to_json(const Journal& j) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : j.entries) {
    entries.push_back({{"key", e.key}, {"before", e.before}, {"after", e.after}});
  }
  return {{"schema_version", kJournalSchemaVersion}, {"state", j.state}, {"profile", j.profile},
          {"tool_version", j.tool_version}, {"root", j.root}, {"pid", j.pid},
          {"started", j.started}, {"entries", entries}};
}

core::Result<Journal> journal_from_json(const nlohmann::json& j, std::string_view path) {
  if (!j.is_object()) return bad(path, "not a JSON object");
  auto str = [&](const char* name, std::string& out) -> bool {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  Journal out;
  auto ver = j.find("schema_version");
  if (ver == j.end() || !ver->is_number_integer() || ver->get<int>() != kJournalSchemaVersion) {
    return bad(path, fmt::format("schema_version must be {}", kJournalSchemaVersion));
  }
  for (auto [name, field] : {std::pair{"state", &out.state}, {"profile", &out.profile},
                             {"tool_version", &out.tool_version}, {"root", &out.root},
                             {"started", &out.started}}) {
    if (!str(name, *field)) return bad(path, fmt::format("'{}' must be a string", name));
  }
  if (std::find(kStates.begin(), kStates.end(), out.state) == kStates.end()) {
    return bad(path, fmt::format("unknown state '{}'", out.state));
  }
  auto pid = j.find("pid");
  if (pid == j.end() || !pid->is_number_integer()) return bad(path, "'pid' must be an integer");
  out.pid = pid->get<int64_t>();
  auto entries = j.find("entries");
  if (entries == j.end() || !entries->is_array()) return bad(path, "'entries' must be an array");
  for (const auto& e : *entries) {
    JournalEntry je;
    const bool ok = e.is_object() && e.contains("key") && e["key"].is_string() &&
                    e.contains("before") && e["before"].is_string() && e.contains("after") &&
                    e["after"].is_string();
    if (!ok) return bad(path, "each entry needs string 'key', 'before' and 'after'");
    je.key = e["key"].get<std::string>();
    je.before = e["before"].get<std::string>();
    je.after = e["after"].get<std::string>();
    out.entries.push_back(std::move(je));
  }
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
  if (j.is_discarded()) return bad(path, "not valid JSON");
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

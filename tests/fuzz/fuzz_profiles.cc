// Profile files (core::load_profiles) next to the shipped profiles, include resolution
// (cycles, diamonds, deep chains), planning against the linux-6.18 fixture snapshot, and the
// sysctl.d file `generate` writes. The input may hold several profile files separated by a line
// "%%%", so the fuzzer can build include chains of its own.
//
// Oracle: the generated file, read back the way systemd-sysctl reads it, sets exactly the
// planned keys to the planned values and nothing else -- no text from a profile (description,
// reason, value) may smuggle in another assignment.
#include <filesystem>

#include "core/plan.h"
#include "core/profile_loader.h"
#include "core/profile_resolve.h"
#include "core/sysctl_conf_parse.h"
#include "core/sysctl_d_render.h"
#include "fuzz_common.h"

namespace {

using namespace tcptune;

const std::vector<core::ProfileSource>& shipped_profiles() {
  static const std::vector<core::ProfileSource> sources = [] {
    std::vector<core::ProfileSource> out;
    for (const auto& e : std::filesystem::directory_iterator(std::string(TCPTUNE_SOURCE_DIR) + "/profiles")) {
      if (e.path().extension() != ".toml") continue;
      const std::string rel = "profiles/" + e.path().filename().string();
      out.push_back({rel, fuzz::source_file(rel)});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return out;
  }();
  return sources;
}

const core::Snapshot& snapshot_6_18() {
  static const core::Snapshot snap = [] {
    const std::string rel = "tests/fuzz/corpus/fuzz_snapshot/linux-6.18.json";
    auto s = core::snapshot_from_text(fuzz::source_file(rel), rel);
    if (!s) fuzz::die(s.error().render());
    return std::move(*s);
  }();
  return snap;
}

void check_generated(const core::Plan& plan) {
  const std::string text = core::render_sysctl_d(plan, "0.0.0");
  const core::ParsedConf back = core::parse_sysctl_conf(text, "/etc/sysctl.d/90-tcptune-fuzz.conf");
  fuzz::require(back.issues.empty(), "generated sysctl.d file has malformed lines");
  fuzz::require(back.assignments.size() == plan.items.size(), "generated file sets other keys than planned");
  for (size_t i = 0; i < plan.items.size(); ++i) {
    fuzz::require(back.assignments[i].key == plan.items[i].key, "generated file sets another key");
    fuzz::require(back.assignments[i].value == plan.items[i].after, "generated file sets another value");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  std::vector<core::ProfileSource> sources = shipped_profiles();
  size_t start = 0;
  for (int n = 0; n < 8 && start <= text.size(); ++n) {
    const size_t sep = text.find("\n%%%\n", start);
    const size_t end = sep == std::string_view::npos ? text.size() : sep;
    sources.push_back({"profiles.d/fuzz" + std::to_string(n) + ".toml", std::string(text.substr(start, end - start))});
    if (sep == std::string_view::npos) break;
    start = sep + 5;
  }
  auto set = core::load_profiles(sources, fuzz::shipped_catalogue());
  if (!set) {
    fuzz::require(set.error().loc.has_value() && fuzz::located(*set.error().loc), "profile error not located");
    return 0;
  }
  for (const auto& name : set->names()) {
    auto resolved = core::resolve_profile(*set, name);
    if (!resolved) continue;
    auto plan = core::make_plan(*resolved, fuzz::shipped_catalogue(), snapshot_6_18());
    if (plan) check_generated(*plan);
  }
  return 0;
}

// Shared fixtures of the fuzz targets: the shipped catalogue and a snapshot captured from the
// linux-4.9 fixture tree, loaded once from the source tree. Any failure here is a broken
// checkout, not a finding, so it aborts with a message before fuzzing starts.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.h"
#include "core/catalogue_loader.h"
#include "core/snapshot.h"
#include "core/snapshot_json.h"
#include "core/sysctl_conf_resolve.h"

namespace tcptune::fuzz {

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "fuzz setup: %s\n", what.c_str());
  std::abort();
}

// A file of the source tree (path relative to its root).
inline std::string source_file(const std::string& rel) {
  const std::string path = std::string(TCPTUNE_SOURCE_DIR) + "/" + rel;
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// rules/catalogue.toml as shipped.
inline const core::Catalogue& shipped_catalogue() {
  static const core::Catalogue cat = [] {
    auto c = core::load_catalogue(source_file("rules/catalogue.toml"), "rules/catalogue.toml");
    if (!c) die(c.error().render());
    return std::move(*c);
  }();
  return cat;
}

// The snapshot seed of fuzz_snapshot (generated with `tcptune --root tests/fixtures/trees/linux-4.9
// snapshot`), so conditions are evaluated against realistic data: values, gaps, configuration.
inline const core::Snapshot& fixture_snapshot() {
  static const core::Snapshot snap = [] {
    const std::string rel = "tests/fuzz/corpus/fuzz_snapshot/linux-4.9.json";
    auto s = core::snapshot_from_text(source_file(rel), rel);
    if (!s) die(s.error().render());
    return std::move(*s);
  }();
  return snap;
}

// The fixture snapshot's configuration resolved against the keys it has values for.
inline const core::ResolvedConfig& fixture_config() {
  static const core::ResolvedConfig cfg = [] {
    std::vector<std::string> keys;
    for (const auto& [k, r] : fixture_snapshot().sysctls) {
      if (r.state != core::SysctlReading::State::kAbsent) keys.push_back(k);
    }
    return core::resolve_config(fixture_snapshot().config, keys);
  }();
  return cfg;
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A file diagnostic points at a line and column, or (0, 0) for the whole file ("path: error:").
inline bool located(const core::SourceLoc& loc) {
  return (loc.line >= 1 && loc.col >= 1) || (loc.line == 0 && loc.col == 0);
}

// Fuzzer-found violations of a documented invariant (not crashes by themselves) abort so that
// libFuzzer records the input.
inline void require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace tcptune::fuzz

// The key catalogue (core::load_catalogue) and its notes (core::load_catalogue_notes, the input
// read as a notes file for the shipped catalogue): TOML syntax and both schemas. Every failure
// must be a located file diagnostic; every loaded entry's queries must be safe to call.
#include "core/catalogue_loader.h"
#include "core/kernel_version.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  core::Catalogue shipped = fuzz::shipped_catalogue();
  if (auto st = core::load_catalogue_notes(shipped, fuzz::as_text(data, size), "catalogue-notes.toml"); !st) {
    fuzz::require(st.error().loc.has_value(), "load_catalogue_notes error without location");
    fuzz::require(fuzz::located(*st.error().loc), "load_catalogue_notes error at a partial location");
  } else {
    fuzz::require(shipped.entries.size() == fuzz::shipped_catalogue().entries.size(), "notes added an entry");
  }
  auto cat = core::load_catalogue(fuzz::as_text(data, size), "catalogue.toml");
  if (!cat) {
    const core::Error& e = cat.error();
    fuzz::require(e.loc.has_value(), "load_catalogue error without location");
    fuzz::require(fuzz::located(*e.loc), "load_catalogue error at a partial location");
    (void)e.render();
    return 0;
  }
  for (const auto& [key, entry] : cat->entries) {
    fuzz::require(key == entry.key, "catalogue map key differs from entry key");
    fuzz::require(cat->find(key) == &entry, "find() misses a loaded key");
    for (const core::KernelVersion v : {core::KernelVersion{2, 6, 0}, core::KernelVersion{4, 12, 0},
                                        core::KernelVersion{6, 18, 0}}) {
      (void)entry.exists_on(v);
      (void)entry.default_on(v);
    }
  }
  return 0;
}

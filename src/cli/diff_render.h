// Renderer of `tcptune diff` as text (the JSON form is core/snapshot_diff.h's diff_to_json).
#pragma once

#include <string>

#include "core/snapshot_diff.h"

namespace tcptune::cli {

// "tcptune diff: A = a, B = b", then one section per part that differs (+ only in B, - only in
// A, ~ changed), or "No differences.".
std::string render_diff_text(const core::SnapshotDiff& d, const std::string& a, const std::string& b);

}  // namespace tcptune::cli

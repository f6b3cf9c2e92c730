# Shared by the packaging tests: failure reporting and the CTest skip code.
# shellcheck shell=bash
set -euo pipefail
# Under pipefail, never end a pipeline with `grep -q` when the writer may write again after the
# line that matches: grep exits at the first match, the writer's next write gets SIGPIPE (141),
# and the pipeline fails although it matched (bash's printf writes once per line). Capture the
# output first (`grep -q ... <<<"$out"`) or let grep read everything (`grep ... >/dev/null`).
readonly SKIP=77  # SKIP_RETURN_CODE in tests/CMakeLists.txt
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
skip() { echo "SKIPPED: $*"; exit "$SKIP"; }
pass() { echo "ok: $*"; }
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
  echo "all checks passed"
}

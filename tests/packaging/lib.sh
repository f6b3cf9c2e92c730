# Shared by the packaging tests: failure reporting and the CTest skip code.
# shellcheck shell=bash
set -euo pipefail
readonly SKIP=77  # SKIP_RETURN_CODE in tests/CMakeLists.txt
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
skip() { echo "SKIPPED: $*"; exit "$SKIP"; }
pass() { echo "ok: $*"; }
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
  echo "all checks passed"
}

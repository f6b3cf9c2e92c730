#!/usr/bin/env bash
# Times `tcptune audit` (no socket census) on this host with hyperfine, next to `sysctl -a`, the
# command an operator would otherwise run to see the same settings.
# Usage: bench/audit.sh [BUILD_DIR]   (default: build). Prints hyperfine's table; the median
# goes into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
command -v hyperfine >/dev/null || { echo "bench: install hyperfine (apt-get install hyperfine)" >&2; exit 1; }
bin="$build/tcptune"
[ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
hyperfine --warmup 10 --runs 200 -N --export-markdown "$out/audit.md" --export-json "$out/audit.json" \
  "$bin audit --no-census --no-color" \
  "$bin audit --no-census --format json" \
  "$bin audit --no-color" \
  "sysctl -a"
cat "$out/audit.md"
python3 - "$out/audit.json" <<'PY'
import json, sys, statistics
d = json.load(open(sys.argv[1]))["results"]
base = statistics.median(d[0]["times"])
for r in d:
    m = statistics.median(r["times"])
    print(f"{r['command']}: median {m*1000:.2f} ms, min {min(r['times'])*1000:.2f} ms, max {max(r['times'])*1000:.2f} ms, ratio to audit {m/base:.2f}x")
PY

#!/usr/bin/env bash
# `tcptune fleet` on generated snapshots (bench/fleet_gen.py): 1,000 snapshots in 10 groups of
# 100, three hosts of one group differing in one key. Checks that the report names exactly those
# three hosts and that key, times the run (median of RUNS: wall and CPU time) and measures peak
# memory (maximum resident set size) with /usr/bin/time, at 100 and 1,000 snapshots.
# Usage: bench/fleet_bench.sh [BUILD_DIR] [RUNS]   (default: build, 5). Needs /usr/bin/time
# (Debian package time). Figures go into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-5}
bin="$build/tcptune"
[ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: install /usr/bin/time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TCPTUNE_DATADIR=$PWD

for n in 100 1000; do
  differ=$(python3 bench/fleet_gen.py "$n" "$work/$n")
  # Correctness: exactly one differing key in the whole report, held by exactly those hosts.
  "$bin" fleet --group-by role --format json "$work/$n" > "$work/out.json"
  python3 - "$work/out.json" "$differ" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
diffs = [(g["name"], d["key"], d["hosts"]["names"]) for g in j["groups"] for d in g["differences"]]
want = sys.argv[2].split()
assert len(diffs) == 1 and diffs[0][1] == "net.ipv4.tcp_fin_timeout" and diffs[0][2] == want, diffs
print(f"{j['hosts']} hosts, {len(j['groups'])} groups: group {diffs[0][0]} differs in {diffs[0][1]} on {' '.join(diffs[0][2])}")
PY
  # Each run: wall seconds, CPU seconds (user + system) and peak RSS (kB), from /usr/bin/time.
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bin" fleet --group-by role "$work/$n" > /dev/null
    cat "$work/time" >> "$work/times.$n"
  done
  python3 - "$work/times.$n" "$n" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
wall = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[1] + r[2] for r in rows)
rss = max(r[3] for r in rows)
print(f"{sys.argv[2]} snapshots: wall median {wall:.2f} s, CPU (user+sys) median {cpu:.2f} s of {len(rows)} runs; "
      f"peak RSS {rss:.0f} kB; per snapshot {cpu / int(sys.argv[2]) * 1000:.2f} ms CPU")
PY
done

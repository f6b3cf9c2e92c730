#!/usr/bin/env bash
# Cost of `tcptune trace` under a reset storm, in a fresh network namespace on loopback:
#  1. the time to provoke N resets (connect() to a closed port: SYN answered by RST, reason
#     NO_SOCKET) without tracing, then with `tcptune trace` listening (the kernel-side cost of
#     the tracepoints in a private instance);
#  2. the CPU time tcptune itself uses while resets arrive at RATE per second for SECONDS.
# Usage: bench/trace_overhead.sh BUILD_DIR [N=50000] [RATE=10000] [SECONDS=5] [RUNS=5]
# Needs root (unshare -n, tracefs). Prints medians over RUNS.
set -euo pipefail
build=$(realpath "${1:?usage: $0 BUILD_DIR [N] [RATE] [SECONDS] [RUNS]}")
n=${2:-50000} rate=${3:-10000} secs=${4:-5} runs=${5:-5}
export BUILD=$build N=$n RATE=$rate SECS=$secs RUNS=$runs TCPTUNE_DATADIR=$(realpath "$(dirname "$0")/..")
exec unshare -n bash -c '
set -euo pipefail
helper=$BUILD/tests/resethelper tt=$BUILD/tcptune tmp=$(mktemp -d)
trap "rm -rf $tmp" EXIT
median() { sort -n | awk "{ v[NR] = \$1 } END { print v[int((NR + 1) / 2)] }"; }
instances() { unshare -m --propagation private sh -c "mount -t tracefs nodev /sys/kernel/tracing && ls /sys/kernel/tracing/instances"; }
# One storm of $1 resets paced at $2/s (0 = as fast as possible); prints elapsed microseconds.
storm() {
  RESETHELPER_RATE=$2 "$helper" noport 127.0.0.1 "$1" >"$tmp/h.out" 2>"$tmp/h.err" & local h=$!
  until grep -q port= "$tmp/h.out"; do sleep 0.01; done
  kill -USR1 $h
  until grep -q done "$tmp/h.out"; do sleep 0.01; done
  kill $h; wait $h 2>/dev/null || true
  sed -n "s/elapsed_us=//p" "$tmp/h.err"
}
# Starts tcptune trace for $1 seconds and waits until its instance exists.
trace_bg() {
  /usr/bin/time -f "%U %S" -o "$tmp/time" "$tt" trace --seconds "$1" --format json >"$tmp/trace.json" & tpid=$!
  until instances | grep -q tcptune-; do sleep 0.05; done
}
for i in $(seq "$RUNS"); do storm "$N" 0 >>"$tmp/base"; done
for i in $(seq "$RUNS"); do
  trace_bg 30; storm "$N" 0 >>"$tmp/traced"; kill -INT $tpid; wait $tpid 2>/dev/null || true
done
for i in $(seq "$RUNS"); do
  trace_bg "$SECS"; storm $((RATE * SECS)) "$RATE" >/dev/null; wait $tpid || true
  awk "{ print (\$1 + \$2) * 1000 }" "$tmp/time" >>"$tmp/cpu"
  python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j[\"sent\"], j[\"lost\"])" "$tmp/trace.json" >>"$tmp/counts"
done
b=$(median <"$tmp/base") t=$(median <"$tmp/traced") c=$(median <"$tmp/cpu")
echo "storm of $N resets, untraced: median $b us ($((N * 1000000 / b)) resets/s)"
echo "storm of $N resets, traced:   median $t us ($((N * 1000000 / t)) resets/s); ratio $(awk "BEGIN { printf \"%.2f\", $t / $b }")x"
echo "tcptune trace at $RATE resets/s for $SECS s: median CPU $c ms (user+sys), $(awk "BEGIN { printf \"%.1f\", $c / ($SECS * 10) }")% of one CPU"
echo "events counted (sent, lost) per run:"; cat "$tmp/counts"
echo "instances left: $(instances | grep -c tcptune- || true)"
'

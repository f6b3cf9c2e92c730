#!/usr/bin/env bash
# Peak RSS and wall time of the process view (`sockets --by process`, `audit --processes`) on a
# population of sockets that all have an inode: ESTABLISHED pairs and CLOSE-WAIT/FIN-WAIT-2
# pairs held by sockhelper processes in a private network namespace. Not a test; needs root.
# Nothing outside the namespace is changed.
#
#   sudo bench/process_view_bench.sh BUILD_DIR [PAIRS] [RUNS]   (default 330000 pairs, 5 runs)
#
# PAIRS ESTABLISHED pairs plus PAIRS/16 CLOSE-WAIT pairs: 2 * (PAIRS + PAIRS/16) sockets with an
# inode (700,000 for the default). Each command runs RUNS times, one after the other; printed:
# peak RSS (/usr/bin/time %M, KiB) and wall seconds of every run, then the process view's notes.
# `--owner-pass-sockets 0` is the same process view forced into one pass (no memory bound).
set -euo pipefail

BUILD=$(realpath "${1:?usage: process_view_bench.sh BUILD_DIR [PAIRS] [RUNS]}")
PAIRS=${2:-330000}
RUNS=${3:-5}
if [ "${PV_BENCH_IN_NETNS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "process_view_bench: needs root (unshare -n)" >&2; exit 1; }
  export PV_BENCH_IN_NETNS=1
  exec unshare -n "$0" "$BUILD" "$PAIRS" "$RUNS"
fi

TCPTUNE="$BUILD/tcptune"
HELPER="$BUILD/tests/sockhelper"
ip link set lo up
# This namespace only: a wide ephemeral range and deep accept queues for the connects.
sysctl -qw net.ipv4.ip_local_port_range="10000 65535" net.core.somaxconn=1000000 net.ipv4.tcp_max_syn_backlog=1000000
ulimit -n "$(ulimit -Hn)"
PER=$(( $(ulimit -Hn) - 1000 ))  # descriptors per helper: each pair holds two
CW=$(( PAIRS / 16 ))
K=$(( 2 * (PAIRS + CW) / PER + 1 ))
PIDS=()
OUTS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -f "${OUTS[@]}"
}
trap cleanup EXIT
for ((i = 0; i < K; i++)); do
  out=$(mktemp)
  "$HELPER" --v4 $((1000 + 40 * i)) --ports $(( PAIRS / (20000 * K) + 2 )) \
    --estab $(( PAIRS / K + (i < PAIRS % K) )) --cw $(( CW / K + (i < CW % K) )) </dev/null >"$out" &
  PIDS+=($!)
  OUTS+=("$out")
done
for ((i = 0; i < K; i++)); do
  until grep -q ready "${OUTS[$i]}"; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || { echo "sockhelper $i exited: $(cat "${OUTS[$i]}")" >&2; exit 1; }
    sleep 0.5
  done
done
echo "population: $(head -2 /proc/net/sockstat | tail -1) ($K helpers); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for cmd in "sockets --by process --owner-pass-sockets 0" "sockets --by process" \
           "audit --processes --format json" "audit --format json"; do
  # shellcheck disable=SC2086
  runs=$(for ((r = 0; r < RUNS; r++)); do /usr/bin/time -f '%M KiB %e s' "$TCPTUNE" $cmd 2>&1 >/dev/null | tail -1; done | paste -sd';')
  echo "tcptune $cmd: $runs"
done
"$TCPTUNE" sockets --by process --format json | python3 -c 'import json, sys; c = json.load(sys.stdin)["census"]; print("notes:", c["notes"]); print("sockets held by a process:", sum(p["total"] for p in c["processes"]), "without an owner:", c["sockets_without_owner"])'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Census benchmark (not a test): times `tcptune sockets` against ss, netstat and a minimal raw
# sock_diag dump on N TCP sockets inside a private network namespace. Needs root.
#
#   bench/census_bench.sh BUILD_DIR [N...]        (default N: 10000 100000 1000000)
#
# BUILD_DIR must hold an optimised build (tcptune and tests/sockhelper), e.g.
#   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build-rel
# Results (hyperfine JSON, RSS, callgrind, exactness checks) go to bench/out/, and a markdown
# table is printed at the end (bench/summarize.py). Nothing outside the namespace is changed.
set -euo pipefail

BUILD=$(realpath "${1:?usage: census_bench.sh BUILD_DIR [N...]}")
shift
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000 1000000)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/out"

if [ "${CENSUS_BENCH_IN_NETNS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "census_bench: needs root (unshare -n)" >&2; exit 1; }
  mkdir -p "$OUT"
  cc -O2 -Wall -o "$OUT/census_ref" "$HERE/census_ref.c"
  export CENSUS_BENCH_IN_NETNS=1
  exec unshare -n "$0" "$BUILD" "${SIZES[@]}"
fi

TCPTUNE="$BUILD/tcptune"
HELPER="$BUILD/tests/sockhelper"
REF="$OUT/census_ref"

# This namespace only: room for 1M sockets, no TIME-WAIT reuse (the population must stay
# static), a wide ephemeral range above the listener ports, deep accept/SYN queues.
sysctl -qw net.ipv4.tcp_max_tw_buckets=4000000 net.ipv4.ip_local_port_range="10000 65535" \
  net.ipv4.tcp_tw_reuse=0 net.core.somaxconn=1000000 net.ipv4.tcp_max_syn_backlog=1000000
ulimit -n "$(ulimit -Hn)"
# Sockets per helper process: the hard open-file limit may be low (20000 here, and root may not
# raise it in a container), so the held population is spread over several processes.
FDS_PER_HELPER=$(( $(ulimit -Hn) - 1000 ))

tw_now() { awk '/^TCP:/ {print $7}' /proc/net/sockstat; }

# Starts one sockhelper per argument string (split on spaces) in the background, holding their
# sockets until killed; waits until all are ready. Sets HELD (their pids).
hold() {
  local outs=() pids=() args
  for args in "$@"; do
    local out
    out=$(mktemp)
    # shellcheck disable=SC2086
    "$HELPER" $args </dev/null >"$out" &
    pids+=($!)
    outs+=("$out")
  done
  local i
  for i in "${!pids[@]}"; do
    until grep -q ready "${outs[$i]}" 2>/dev/null; do
      kill -0 "${pids[$i]}" || { echo "sockhelper failed" >&2; exit 1; }
      sleep 0.2
    done
    rm -f "${outs[$i]}"
  done
  HELD="${pids[*]}"
}
release() {
  local p
  for p in $1; do kill "$p"; wait "$p" || true; done
}

# Argument strings for the permanent part of N sockets, spread over processes that each hold
# at most FDS_PER_HELPER descriptors (each ESTABLISHED or CLOSE-WAIT pair holds two).
permanent_helpers() {
  local n=$1 est=$(( $1 * 16 / 100 )) cw=$(( $1 * 2 / 100 ))
  local k=$(( (2 * (est + cw)) / FDS_PER_HELPER + 1 )) i
  for ((i = 0; i < k; i++)); do
    echo "--v4 $((1000 + 40 * i)) --ports $(( n / (40000 * k) + 2 )) --estab $(( est / k + (i < est % k) )) --cw $(( cw / k + (i < cw % k) ))"
  done
}

instructions() {  # user-space instructions of one `tcptune sockets ARGS` run (callgrind)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$TCPTUNE" sockets "$@" 2>&1 >/dev/null |
    awk '/Collected :/ {print $4}'
}
rss_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "empty namespace baseline"
BASE_IR=$("$REF" >/dev/null; instructions)
BASE_IR_PORT=$(instructions --by port)
echo "{\"base_ir\": $BASE_IR, \"base_ir_port\": $BASE_IR_PORT}" >"$OUT/baseline.json"

for N in "${SIZES[@]}"; do
  # Mix (see RESULTS.md): permanent part held by long-lived processes; TIME-WAIT, orphaned FIN-WAIT-2
  # minisocks and SYN-RECV requests expire (60 s), so they are re-created before each block.
  TW=$((N * 60 / 100)); ORPH=$((N / 100)); SR=$((N / 100))
  PORTS=$(( (N / 40000) + 2 ))
  mapfile -t PERM < <(permanent_helpers "$N")
  hold "${PERM[@]}"
  BASE_PIDS=$HELD
  if [ "$N" -ge 1000000 ]; then RUNS1=3; RUNS2=2; elif [ "$N" -ge 100000 ]; then RUNS1=10; RUNS2=5; else RUNS1=20; RUNS2=10; fi

  for BLOCK in ${BLOCKS:-1 2}; do
    echo "N=$N block $BLOCK: waiting for earlier TIME-WAIT to expire"
    while [ "$(tw_now)" != 0 ]; do sleep 1; done
    # Two helpers in parallel (2 CPUs) create the expiring part.
    # Four helpers create the expiring part in parallel: at 1M sockets, TIME-WAIT creation must
    # beat its own 60 s lifetime with time left for the timed runs.
    BATCH_ARGS=()
    for i in 0 1 2 3; do
      BATCH_ARGS+=("--v4 $((3000 + 100 * i)) --ports $PORTS --tw $(( TW / 4 + (i < TW % 4) )) --fw2-orphan $(( ORPH / 4 + (i < ORPH % 4) )) --synrecv $(( SR / 4 + (i < SR % 4) ))")
    done
    hold "${BATCH_ARGS[@]}"
    BATCH=$HELD
    "$REF" >"$OUT/ref-$N-$BLOCK-before.txt"
    "$TCPTUNE" sockets --format json >"$OUT/tcptune-$N-$BLOCK.json"
    "$TCPTUNE" sockets --by port --format json >"$OUT/tcptune-port-$N-$BLOCK.json"
    if [ "$BLOCK" = 1 ]; then
      hyperfine -w 1 -r "$RUNS1" --export-json "$OUT/hf-$N-1.json" \
        -n ref "$REF" -n tcptune "$TCPTUNE sockets" -n "tcptune --by port" "$TCPTUNE sockets --by port" \
        -n "ss -s" "ss -s"
      echo "{\"tcptune\": $(rss_kib "$TCPTUNE" sockets), \"tcptune --by port\": $(rss_kib "$TCPTUNE" sockets --by port), \"ref\": $(rss_kib "$REF")}" >"$OUT/rss-$N.json"
      if [ "$N" -le 100000 ]; then
        echo "{\"ir\": $(instructions), \"ir_port\": $(instructions --by port)}" >"$OUT/ir-$N.json"
      fi
    else
      hyperfine -w 1 -r "$RUNS2" --export-json "$OUT/hf-$N-2.json" \
        -n ref "$REF" \
        -n "ss -tan | awk" "ss -tan | awk '{c[\$1]++} END {for (s in c) print s, c[s]}'" \
        -n "netstat -ant | awk" "netstat -ant | awk '{c[\$6]++} END {for (s in c) print s, c[s]}'"
    fi
    "$REF" >"$OUT/ref-$N-$BLOCK-after.txt"
    release "$BATCH"
  done
  release "$BASE_PIDS"
done

python3 "$HERE/summarize.py" "$OUT" "${SIZES[@]}"

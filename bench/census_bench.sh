#!/usr/bin/env bash
# Census benchmark (not a test): times `tcptune sockets` against ss, netstat and minimal raw
# sock_diag dumps on N TCP sockets inside a private network namespace. Needs root.
#
#   bench/census_bench.sh BUILD_DIR [N...]        (default N: 10000 100000 300000 1000000)
#
# All contenders of one N run interleaved, run by run (bench/interleave.py), so load from other
# work on the machine falls on all of them alike; ratios are taken within that one block.
#
# The expiring part of the population (TIME-WAIT etc.) lives 60 s. Two modes:
#   single block (default below 1M): the expiring part is built once, then all rounds run, then
#     the exactness, RSS, syscall and callgrind measurements;
#   per-round rebuild (default at N >= 1M, where building 600k TIME-WAIT sockets takes 25-56 s
#     and the block would outlive the first of them): one warm-up round, then for each round
#     the previous expiring part is left to expire, a new one is built, the reference is dumped
#     before and after ONE interleaved round of all contenders (runs-N.json is appended to);
#     the measurements run in one more rebuilt window after the rounds.
# Environment: REBUILD_EACH_ROUND=1|0 forces per-round rebuild on or off at any N;
#   ROUNDS_OVERRIDE=K runs K rounds at every N (ROUNDS_1M=K at 1M only);
#   HOLD_TIMEOUT_S (default 900) bounds building a population, EXPIRE_TIMEOUT_S (default 300)
#   the wait for the previous expiring part to be gone, RUN_TIMEOUT_S (default 600) each run.
#
# BUILD_DIR must hold an optimised build (tcptune and tests/sockhelper), e.g.
#   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build-rel
# Results (hyperfine JSON, RSS, callgrind, exactness checks) go to bench/out/, and a markdown
# table is printed at the end (bench/summarize.py). Nothing outside the namespace is changed.
set -euo pipefail

BUILD=$(realpath "${1:?usage: census_bench.sh BUILD_DIR [N...]}")
shift
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000 300000 1000000)
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

# Pids of the helpers this script holds: killed on exit, whatever the exit (never a released
# pid: pids are not private to the network namespace and may be reused).
LIVE=" "
on_exit() {
  local p
  for p in $LIVE; do kill "$p" 2>/dev/null || true; done
}
trap on_exit EXIT
HOLD_TIMEOUT_S=${HOLD_TIMEOUT_S:-900}
EXPIRE_TIMEOUT_S=${EXPIRE_TIMEOUT_S:-300}
RUN_TIMEOUT_S=${RUN_TIMEOUT_S:-600}
T=(timeout -k 10 "$RUN_TIMEOUT_S")  # bounds every single measured command outside interleave.py

# Starts one sockhelper per argument string (split on spaces) in the background, holding their
# sockets until killed; waits (at most HOLD_TIMEOUT_S) until all are ready. Sets HELD (their
# pids). A helper that exits before it is ready ends the script.
hold() {
  local outs=() pids=() args deadline=$((SECONDS + HOLD_TIMEOUT_S))
  for args in "$@"; do
    local out
    out=$(mktemp)
    # shellcheck disable=SC2086
    "$HELPER" $args </dev/null >"$out" &
    pids+=($!)
    LIVE+="$! "
    outs+=("$out")
  done
  local i
  for i in "${!pids[@]}"; do
    until grep -q ready "${outs[$i]}" 2>/dev/null; do
      if ! kill -0 "${pids[$i]}" 2>/dev/null; then
        echo "census_bench: sockhelper exited before it was ready (sockhelper ${*:$((i + 1)):1}): $(cat "${outs[$i]}")" >&2
        exit 1
      fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "census_bench: sockhelper ${*:$((i + 1)):1} not ready after ${HOLD_TIMEOUT_S} s" >&2
        exit 1
      fi
      sleep 0.2
    done
    rm -f "${outs[$i]}"
  done
  HELD="${pids[*]}"
}
# Ends the script if one of the pids has exited (its sockets are gone: the population changed).
alive() {
  local p
  for p in $1; do
    kill -0 "$p" 2>/dev/null || { echo "census_bench: sockhelper $p exited while its sockets were measured ($2)" >&2; exit 1; }
  done
}
release() {
  local p
  for p in $1; do kill "$p"; wait "$p" || true; LIVE=${LIVE/ $p / }; done
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

rss_kib() { "${T[@]}" /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
instructions() {  # user-space instructions of one `tcptune sockets ARGS` run (callgrind)
  "${T[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$TCPTUNE" sockets "$@" 2>&1 >/dev/null |
    awk '/Collected :/ {print $4}'
}
# recvmsg/recvfrom calls and bytes received, and the syscall time table, of one run of a command.
syscalls() {
  local f
  f=$(mktemp)
  "${T[@]}" strace -f -qq -e trace=recvmsg,recvfrom -o "$f" "$@" >/dev/null
  awk -F'= ' '/recv/ && $NF ~ /^[0-9]+/ {n++; b += $NF} END {printf "{\"recv_calls\": %d, \"recv_bytes\": %d}", n, b}' "$f"
  rm -f "$f"
}
# A JSON file written from command substitutions: a measurement that failed leaves it invalid.
check_json() { python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" || { echo "census_bench: $1: a measurement failed" >&2; exit 1; }; }
ref_dump() { "${T[@]}" "$REF" >"$1"; }
now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

# The measurements that need the complete population: exactness (tcptune vs the reference dump),
# peak RSS under /usr/bin/time (a small parent: a forked Python would pass its own high-water
# mark on through exec), recvmsg calls and bytes (strace), instructions (callgrind, N <= 100k).
exactness() {
  "${T[@]}" "$TCPTUNE" sockets --format json >"$OUT/tcptune-$N.json"
  "${T[@]}" "$TCPTUNE" sockets --by port --format json >"$OUT/tcptune-port-$N.json"
}
resources() {
  echo "{\"ref\": $(rss_kib "$REF"), \"tcptune sockets\": $(rss_kib "$TCPTUNE" sockets), \"tcptune sockets --by port\": $(rss_kib "$TCPTUNE" sockets --by port), \"tcptune sockets --by remote\": $(rss_kib "$TCPTUNE" sockets --by remote), \"tcptune sockets --by process\": $(rss_kib "$TCPTUNE" sockets --by process), \"tcptune audit --format json\": $(rss_kib "$TCPTUNE" audit --format json), \"tcptune audit --processes --format json\": $(rss_kib "$TCPTUNE" audit --processes --format json)}" >"$OUT/rss-$N.json"
  check_json "$OUT/rss-$N.json"
  SYSCALLS="\"ref\": $(syscalls "$REF"), \"tcptune\": $(syscalls "$TCPTUNE" sockets), \"tcptune --by port\": $(syscalls "$TCPTUNE" sockets --by port)"
  if [ "$N" -le 100000 ]; then
    echo "{\"ir\": $(instructions), \"ir_port\": $(instructions --by port)}" >"$OUT/ir-$N.json"
    check_json "$OUT/ir-$N.json"
  fi
}
measure() { exactness; resources; }

# Waits (at most EXPIRE_TIMEOUT_S) until the expiring part built before is gone: no TIME-WAIT or
# FIN-WAIT-2 minisocket left (sockstat tw) and a reference dump equal to the one of the permanent
# part alone (PERM_REF; no SYN-RECV request left either). Sets WAITED (s).
wait_expired() {
  local t0 deadline=$((SECONDS + EXPIRE_TIMEOUT_S))
  t0=$(now)
  while [ "$(tw_now)" != 0 ] || { [ -n "${PERM_REF:-}" ] && [ "$("${T[@]}" "$REF")" != "$PERM_REF" ]; }; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "census_bench: N=$N: the previous expiring part not gone after ${EXPIRE_TIMEOUT_S} s (tw $(tw_now); reference: $("$REF" | tr '\n' ' '))" >&2
      exit 1
    fi
    sleep 1
  done
  WAITED=$(secs "$t0" "$(now)")
}
# Four helpers create the expiring part in parallel. Sets BATCH (their pids), T0 (start of the
# build: the first TIME-WAIT sockets expire 60 s later) and BUILD_S.
build_expiring() {
  local args=() i
  for i in 0 1 2 3; do
    args+=("--v4 $((3000 + 100 * i)) --ports $PORTS --tw $(( TW / 4 + (i < TW % 4) )) --fw2-orphan $(( ORPH / 4 + (i < ORPH % 4) )) --synrecv $(( SR / 4 + (i < SR % 4) ))")
  done
  T0=$(now)
  hold "${args[@]}"
  BATCH=$HELD
  BUILD_S=$(secs "$T0" "$(now)")
}
# One rebuilt window (per-round rebuild mode): wait, build, dump the reference to
# ref-N-LABEL-before.txt, run "$@", dump it to ref-N-LABEL-after.txt, release. Appends a record
# to WINDOWS (meta-N.json).
window() {
  local label=$1
  shift
  wait_expired
  build_expiring
  echo "N=$N: $label: waited ${WAITED} s for the previous expiring part to go, built the new one in ${BUILD_S} s"
  ref_dump "$OUT/ref-$N-$label-before.txt"
  "$@"
  ref_dump "$OUT/ref-$N-$label-after.txt"
  local window_s
  window_s=$(secs "$T0" "$(now)")
  alive "$BATCH" "$label"
  alive "$BASE_PIDS" "$label"
  release "$BATCH"
  WINDOWS+="${WINDOWS:+, }{\"label\": \"$label\", \"wait_s\": $WAITED, \"build_s\": $BUILD_S, \"window_s\": $window_s}"
}

echo "empty namespace baseline"
BASE_IR=$("$REF" >/dev/null; instructions)
BASE_IR_PORT=$(instructions --by port)
echo "{\"base_ir\": $BASE_IR, \"base_ir_port\": $BASE_IR_PORT}" >"$OUT/baseline.json"
check_json "$OUT/baseline.json"

for N in "${SIZES[@]}"; do
  # Mix (see RESULTS.md): permanent part held by long-lived processes; TIME-WAIT, orphaned FIN-WAIT-2
  # minisocks and SYN-RECV requests expire (60 s), so they are created right before the timed runs.
  TW=$((N * 60 / 100)); ORPH=$((N / 100)); SR=$((N / 100))
  PORTS=$(( (N / 40000) + 2 ))
  rm -f "$OUT"/runs-"$N".json "$OUT"/ref-"$N"-*.txt "$OUT"/meta-"$N".json "$OUT"/ir-"$N".json "$OUT"/rss-"$N".json
  mapfile -t PERM < <(permanent_helpers "$N")
  hold "${PERM[@]}"
  BASE_PIDS=$HELD
  if [ "$N" -ge 1000000 ]; then REBUILD=${REBUILD_EACH_ROUND:-1}; else REBUILD=${REBUILD_EACH_ROUND:-0}; fi
  # Rounds. Single block: the block must end before the first TIME-WAIT sockets expire (60 s).
  # At 1M the parsers of ss and netstat output (4-6x the reference each) run at <= 300k only.
  if [ "$N" -ge 1000000 ]; then ROUNDS=${ROUNDS_1M:-5}; elif [ "$N" -ge 300000 ]; then ROUNDS=5; elif [ "$N" -ge 100000 ]; then ROUNDS=9; else ROUNDS=15; fi
  ROUNDS=${ROUNDS_OVERRIDE:-$ROUNDS}
  CONTENDERS=(
    "ref=$REF"
    "ref compat (one walk)=$REF compat"
    "walk matching nothing=$REF compat 0x800"
    "tcptune sockets=$TCPTUNE sockets"
    "tcptune sockets --by port=$TCPTUNE sockets --by port"
    "tcptune audit --format json=$TCPTUNE audit --format json"
  )
  if [ "$N" -lt 1000000 ]; then
    CONTENDERS+=("ss -tan | awk=ss -tan | awk '{c[\$1]++} END {for (s in c) print s, c[s]}'"
                 "netstat -ant | awk=netstat -ant | awk '{c[\$6]++} END {for (s in c) print s, c[s]}'")
  fi
  IL=(python3 "$HERE/interleave.py" --timeout "$RUN_TIMEOUT_S")
  echo "N=$N: waiting for earlier TIME-WAIT to expire"
  PERM_REF=
  wait_expired
  if [ "$REBUILD" = 1 ]; then
    echo "N=$N: per-round rebuild: 1 warm-up round and $ROUNDS rounds, each on a newly built expiring part"
    PERM_REF=$("${T[@]}" "$REF")  # the permanent part alone: what is left when an expiring part is gone
    WINDOWS=
    window warmup "${IL[@]}" --append "$OUT/runs-$N.json" 0 1 "${CONTENDERS[@]}"
    L0=$(cut -d' ' -f1-3 /proc/loadavg)
    for ((K = 1; K <= ROUNDS; K++)); do
      window "round$K" "${IL[@]}" --append "$OUT/runs-$N.json" 1 0 "${CONTENDERS[@]}"
    done
    L1=$(cut -d' ' -f1-3 /proc/loadavg)
    window extra measure
    echo "{\"mode\": \"rebuild\", \"loadavg_before\": \"$L0\", \"loadavg_after\": \"$L1\", \"windows\": [$WINDOWS], $SYSCALLS}" >"$OUT/meta-$N.json"
  else
    build_expiring
    echo "N=$N: expiring part created in ${BUILD_S} s"
    ref_dump "$OUT/ref-$N-before.txt"
    exactness
    L0=$(cut -d' ' -f1-3 /proc/loadavg)
    "${IL[@]}" "$OUT/runs-$N.json" "$ROUNDS" 1 "${CONTENDERS[@]}"
    L1=$(cut -d' ' -f1-3 /proc/loadavg)
    ref_dump "$OUT/ref-$N-after.txt"
    resources
    ref_dump "$OUT/ref-$N-end.txt"
    alive "$BATCH" block
    echo "{\"mode\": \"block\", \"loadavg_before\": \"$L0\", \"loadavg_after\": \"$L1\", \"build_s\": $BUILD_S, \"seconds_since_created\": $(secs "$T0" "$(now)"), $SYSCALLS}" >"$OUT/meta-$N.json"
    release "$BATCH"
  fi
  check_json "$OUT/meta-$N.json"
  release "$BASE_PIDS"
done

python3 "$HERE/summarize.py" "$OUT" "${SIZES[@]}"

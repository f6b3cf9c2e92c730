#!/usr/bin/env bash
# Census benchmark (not a test): times `tcptune sockets` against ss, netstat and minimal raw
# sock_diag dumps on N TCP sockets inside a private network namespace. Needs root.
#
#   bench/census_bench.sh BUILD_DIR [N...]        (default N: 10000 100000 300000 1000000)
#
# All contenders of one N run interleaved, run by run (bench/interleave.py), so load from other
# work on the machine falls on all of them alike; ratios are taken within that one block.
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

rss_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
instructions() {  # user-space instructions of one `tcptune sockets ARGS` run (callgrind)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$TCPTUNE" sockets "$@" 2>&1 >/dev/null |
    awk '/Collected :/ {print $4}'
}
# recvmsg/recvfrom calls and bytes received, and the syscall time table, of one run of a command.
syscalls() {
  local f
  f=$(mktemp)
  strace -f -qq -e trace=recvmsg,recvfrom -o "$f" "$@" >/dev/null
  awk -F'= ' '/recv/ && $NF ~ /^[0-9]+/ {n++; b += $NF} END {printf "{\"recv_calls\": %d, \"recv_bytes\": %d}", n, b}' "$f"
  rm -f "$f"
}

echo "empty namespace baseline"
BASE_IR=$("$REF" >/dev/null; instructions)
BASE_IR_PORT=$(instructions --by port)
echo "{\"base_ir\": $BASE_IR, \"base_ir_port\": $BASE_IR_PORT}" >"$OUT/baseline.json"

for N in "${SIZES[@]}"; do
  # Mix (see RESULTS.md): permanent part held by long-lived processes; TIME-WAIT, orphaned FIN-WAIT-2
  # minisocks and SYN-RECV requests expire (60 s), so they are created right before the block.
  TW=$((N * 60 / 100)); ORPH=$((N / 100)); SR=$((N / 100))
  PORTS=$(( (N / 40000) + 2 ))
  mapfile -t PERM < <(permanent_helpers "$N")
  hold "${PERM[@]}"
  BASE_PIDS=$HELD
  # Rounds: the block must end before the first TIME-WAIT sockets expire (60 s); at 1M the
  # parsers of ss and netstat output (4-6x the reference each) do not fit and run at <= 300k only.
  if [ "$N" -ge 1000000 ]; then ROUNDS=${ROUNDS_1M:-5}; elif [ "$N" -ge 300000 ]; then ROUNDS=5; elif [ "$N" -ge 100000 ]; then ROUNDS=9; else ROUNDS=15; fi
  echo "N=$N: waiting for earlier TIME-WAIT to expire"
  while [ "$(tw_now)" != 0 ]; do sleep 1; done
  # Four helpers create the expiring part in parallel.
  BATCH_ARGS=()
  for i in 0 1 2 3; do
    BATCH_ARGS+=("--v4 $((3000 + 100 * i)) --ports $PORTS --tw $(( TW / 4 + (i < TW % 4) )) --fw2-orphan $(( ORPH / 4 + (i < ORPH % 4) )) --synrecv $(( SR / 4 + (i < SR % 4) ))")
  done
  T0=$(date +%s)
  hold "${BATCH_ARGS[@]}"
  BATCH=$HELD
  echo "N=$N: expiring part created in $(( $(date +%s) - T0 )) s"
  "$REF" >"$OUT/ref-$N-before.txt"
  "$TCPTUNE" sockets --format json >"$OUT/tcptune-$N.json"
  "$TCPTUNE" sockets --by port --format json >"$OUT/tcptune-port-$N.json"
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
  L0=$(cut -d' ' -f1-3 /proc/loadavg)
  python3 "$HERE/interleave.py" "$OUT/runs-$N.json" "$ROUNDS" 1 "${CONTENDERS[@]}"
  "$REF" >"$OUT/ref-$N-after.txt"
  # Peak RSS under /usr/bin/time (a small parent: a forked Python would pass its own high-water
  # mark on through exec).
  echo "{\"ref\": $(rss_kib "$REF"), \"tcptune sockets\": $(rss_kib "$TCPTUNE" sockets), \"tcptune sockets --by port\": $(rss_kib "$TCPTUNE" sockets --by port), \"tcptune sockets --by remote\": $(rss_kib "$TCPTUNE" sockets --by remote), \"tcptune sockets --by process\": $(rss_kib "$TCPTUNE" sockets --by process), \"tcptune audit --format json\": $(rss_kib "$TCPTUNE" audit --format json)}" >"$OUT/rss-$N.json"
  echo "{\"loadavg_before\": \"$L0\", \"loadavg_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"seconds_since_created\": $(( $(date +%s) - T0 )), \"ref\": $(syscalls "$REF"), \"tcptune\": $(syscalls "$TCPTUNE" sockets), \"tcptune --by port\": $(syscalls "$TCPTUNE" sockets --by port)}" >"$OUT/meta-$N.json"
  if [ "$N" -le 100000 ]; then
    echo "{\"ir\": $(instructions), \"ir_port\": $(instructions --by port)}" >"$OUT/ir-$N.json"
  fi
  release "$BATCH"
  release "$BASE_PIDS"
done

python3 "$HERE/summarize.py" "$OUT" "${SIZES[@]}"

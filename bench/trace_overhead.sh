#!/usr/bin/env bash
# Cost of `tcptune trace` under a reset storm, in a fresh network namespace on loopback.
# Each round runs, back to back (so load from the rest of the machine hits all of them alike):
#  A. a storm of N resets (connect() to a closed port: SYN answered by RST, reason NO_SOCKET)
#     without tracing: its duration;
#  B. the same storm while `tcptune trace` listens (the tracepoints enabled in its private
#     instance): its duration, so B/A is the overhead on the workload;
#  C. `tcptune trace --seconds SECS` while resets arrive paced at RATE/s: tcptune's own CPU time
#     (user+sys, from wait4 via /usr/bin/time), the events it counted and those it lost;
#  D. `tcptune trace --seconds SECS` with no resets: its CPU time at rest.
# Usage: bench/trace_overhead.sh BUILD_DIR [N=50000] [RATE=10000] [SECS=5] [RUNS=7]
# BUILD_DIR needs the targets tcptune and resethelper (ninja tcptune resethelper).
# Needs root (unshare -n, tracefs). Every wait is bounded (TIMEOUT s, default 120): a helper or
# tcptune that fails or hangs ends the script with its stderr instead of a stall.
set -euo pipefail
build=$(realpath "${1:?usage: $0 BUILD_DIR [N] [RATE] [SECS] [RUNS]}")
for f in "$build/tcptune" "$build/tests/resethelper"; do
  [ -x "$f" ] || { echo "trace_overhead: $f missing (ninja -C $build tcptune resethelper)" >&2; exit 2; }
done
command -v /usr/bin/time >/dev/null || { echo "trace_overhead: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
export BUILD=$build N=${2:-50000} RATE=${3:-10000} SECS=${4:-5} RUNS=${5:-7} TIMEOUT=${TIMEOUT:-120}
export TCPTUNE_DATADIR=$(realpath "$(dirname "$0")/..")
echo "date: $(date -u +%FT%TZ); kernel $(uname -r); $(nproc) CPUs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "N=$N RATE=$RATE SECS=$SECS RUNS=$RUNS build=$build"
exec unshare -n bash -c '
set -euo pipefail
helper=$BUILD/tests/resethelper tt=$BUILD/tcptune tmp=$(mktemp -d)
pidns=$(stat -L -c %i /proc/self/ns/pid)  # instances are named tcptune-<pid namespace>-<pid>
cleanup() { for p in ${hpid:-} ${ttpid:-} ${tpid:-}; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "trace_overhead: $1" >&2; for f in "$tmp"/h.err "$tmp"/t.err; do [ -s "$f" ] && sed "s/^/  $(basename "$f"): /" "$f" >&2; done; exit 1; }
# wait_for WHAT COMMAND...: polls COMMAND every 20 ms for at most TIMEOUT seconds.
wait_for() {
  local what=$1 deadline=$((SECONDS + TIMEOUT)); shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${TIMEOUT} s waiting for $what"
    sleep 0.02
  done
}
alive() { kill -0 "$1" 2>/dev/null; }
instances() { unshare -m --propagation private sh -c "mount -t tracefs nodev /sys/kernel/tracing && ls /sys/kernel/tracing/instances"; }
# The instance with all its events enabled (the last one tcptune enables reads 1).
ready() {
  unshare -m --propagation private sh -c "mount -t tracefs nodev /sys/kernel/tracing && d=/sys/kernel/tracing/instances/tcptune-$pidns-$1/events &&
    if [ -e /sys/kernel/tracing/events/syscalls/sys_exit_connect ]; then cat \$d/syscalls/sys_exit_connect/enable; else cat \$d/sock/inet_sock_set_state/enable; fi" 2>/dev/null | grep -qx 1
}
# tpid is /usr/bin/time; ttpid the tcptune it runs (its instance is instances/tcptune-<pid namespace>-<ttpid>).
has_instance() {
  alive "$tpid" || fail "tcptune trace exited before its instance appeared"
  ttpid=$(pgrep -P "$tpid" || true)
  [ -n "$ttpid" ] && ready "$ttpid"
}
gone() { ! alive "$1"; }
helper_says() { grep -q "$1" "$tmp/h.out" || { alive "$hpid" || fail "resethelper exited before printing $1"; return 1; }; }
# storm COUNT RATE (0 = as fast as possible): elapsed microseconds of COUNT resets.
storm() {
  : >"$tmp/h.out"; : >"$tmp/h.err"
  RESETHELPER_RATE=$2 "$helper" noport 127.0.0.1 "$1" >"$tmp/h.out" 2>"$tmp/h.err" & hpid=$!
  wait_for "resethelper to listen" helper_says port=
  kill -USR1 "$hpid"
  wait_for "resethelper to finish $1 connections" helper_says done
  kill "$hpid"; wait "$hpid" 2>/dev/null || true; hpid=
  sed -n "s/elapsed_us=//p" "$tmp/h.err"
}
# trace_bg SECONDS: starts tcptune trace and waits until its instance exists.
trace_bg() {
  : >"$tmp/t.err"
  /usr/bin/time -f "%U %S" -o "$tmp/time" "$tt" trace --seconds "$1" --format json >"$tmp/trace.json" 2>"$tmp/t.err" &
  tpid=$!
  wait_for "the trace instance and its events" has_instance
}
# trace_end [SIGNAL]: ends tcptune trace (by SIGNAL, else at the end of its window).
trace_end() {
  [ -z "${1:-}" ] || kill "-$1" "$ttpid"
  wait_for "tcptune trace to end" gone "$ttpid"
  local rc=0; wait "$tpid" || rc=$?
  [ -n "${1:-}" ] || [ $rc = 0 ] || fail "tcptune trace failed (exit $rc)"
  tpid= ttpid=
}
cpu_ms() { awk "{ printf \"%d\n\", (\$1 + \$2) * 1000 }" "$tmp/time"; }
counts() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j[\"sent\"], j[\"received\"], j[\"lost\"], len(j[\"failed_connects\"]) and sum(f[\"count\"] for f in j[\"failed_connects\"]))" "$tmp/trace.json"; }
for i in $(seq "$RUNS"); do
  storm "$N" 0 >>"$tmp/A"
  trace_bg 600; storm "$N" 0 >>"$tmp/B"; trace_end INT
  trace_bg "$SECS"; storm $((RATE * SECS)) "$RATE" >>"$tmp/Celapsed"; trace_end
  cpu_ms >>"$tmp/C"; counts >>"$tmp/Ccounts"
  trace_bg "$SECS"; trace_end; cpu_ms >>"$tmp/D"
  echo "round $i/$RUNS: A $(tail -1 "$tmp/A") us, B $(tail -1 "$tmp/B") us, C $(tail -1 "$tmp/C") ms CPU (sent received lost failed: $(tail -1 "$tmp/Ccounts")), D $(tail -1 "$tmp/D") ms CPU; load $(cut -d" " -f1 /proc/loadavg)" >&2
done
# stats FILE: median min max of one number per line.
stats() { sort -n "$1" | awk "{ v[NR] = \$1 } END { printf \"%s %s %s\", v[int((NR + 1) / 2)], v[1], v[NR] }"; }
read -r am amin amax <<<"$(stats "$tmp/A")"
read -r bm bmin bmax <<<"$(stats "$tmp/B")"
read -r cm cmin cmax <<<"$(stats "$tmp/C")"
read -r dm dmin dmax <<<"$(stats "$tmp/D")"
read -r em emin emax <<<"$(stats "$tmp/Celapsed")"
awk "{ print \$1 / \$2 }" <(paste "$tmp/B" "$tmp/A") >"$tmp/ratio"
read -r rm rmin rmax <<<"$(stats "$tmp/ratio")"
echo "A untraced storm of $N resets: median $am us ($((N * 1000000 / am)) resets/s), min $amin, max $amax"
echo "B traced storm of $N resets:   median $bm us ($((N * 1000000 / bm)) resets/s), min $bmin, max $bmax"
echo "B/A per round: median $rm, min $rmin, max $rmax"
echo "C tcptune trace, $((RATE * SECS)) resets paced at $RATE/s (took median $em us): CPU median $cm ms, min $cmin, max $cmax ($(awk "BEGIN { printf \"%.1f\", $cm / ($SECS * 10) }")% of one CPU over $SECS s)"
echo "D tcptune trace, no resets, $SECS s: CPU median $dm ms, min $dmin, max $dmax"
echo "C events per run (sent received lost failed_connects):"; sed "s/^/  /" "$tmp/Ccounts"
echo "instances left: $(instances | grep -c tcptune- || true); load average at end: $(cut -d" " -f1-3 /proc/loadavg)"
'

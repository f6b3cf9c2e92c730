#!/usr/bin/env bash
# `tcptune audit --format prometheus --output FILE`: the file is written even when findings make
# the exit status 1, and promtool accepts it (syntax and naming lint); on fixture trees with known
# findings and, in a fresh network namespace, with a live census of real sockets (per-destination
# and per-port gauges, bounded by --prometheus-top). The shipped alerting rules pass
# `promtool check rules` and their unit tests (`promtool test rules`).
# Usage: prometheus_test.sh TCPTUNE_BINARY SOURCE_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 src=$2
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
export TCPTUNE_DATADIR=$src NO_COLOR=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# Old kernel fixture: one critical finding (tcp_tw_recycle), exit 1, metrics still written.
rc=0; "$bin" --root "$src/tests/fixtures/trees/linux-4.9" audit --format prometheus --output "$work/old.prom" || rc=$?
[ "$rc" = 1 ] && pass "exit 1 with a critical finding" || fail "exit status $rc, expected 1"
if promtool check metrics < "$work/old.prom" > "$work/lint" 2>&1; then pass "promtool accepts old.prom"
else fail "promtool check metrics: $(cat "$work/lint")"; fi
grep -qx 'tcptune_findings{severity="critical"} 1' "$work/old.prom" && pass "critical count" || fail "no critical count of 1"
grep -q '^tcptune_finding{id="TT-RECYCLE-001",severity="critical",item=""} 1$' "$work/old.prom" \
  && pass "finding by id" || fail "TT-RECYCLE-001 series missing"
grep -q '^tcptune_sysctl{key="net.ipv4.tcp_fin_timeout",index="0"} ' "$work/old.prom" \
  && pass "sysctl series" || fail "tcp_fin_timeout series missing"
# The JSON report of the same tree agrees on the number of findings.
json_total=$("$bin" --root "$src/tests/fixtures/trees/linux-4.9" audit --format json \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))' || true)
prom_total=$(awk '/^tcptune_findings\{/ { s += $2 } END { print s }' "$work/old.prom")
[ "$json_total" = "$prom_total" ] && pass "finding totals agree ($prom_total)" || fail "json $json_total vs prometheus $prom_total"
# No temporary file is left next to the output.
[ "$(ls "$work" | grep -vc -e '^old.prom$' -e '^lint$')" = 0 ] && pass "no temporary files left" || fail "stray files: $(ls "$work")"

# The shipped alerting rules: valid, and every alert's unit tests pass.
rules=$src/packaging/prometheus/tcptune.rules.yml
if promtool check rules "$rules" > "$work/lint" 2>&1; then pass "promtool check rules ($(grep -o '[0-9]* rules found' "$work/lint"))"
else fail "promtool check rules: $(cat "$work/lint")"; fi
if (cd "$src/packaging/prometheus" && promtool test rules tcptune.rules.test.yml) > "$work/lint" 2>&1; then pass "promtool test rules"
else fail "promtool test rules: $(cat "$work/lint")"; fi
for alert in $(sed -n 's/^ *- alert: //p' "$rules"); do
  grep -q "alertname: $alert\$" "$src/packaging/prometheus/tcptune.rules.test.yml" && pass "$alert has unit tests" || fail "$alert has no unit test"
done

# Live census in a fresh network namespace: a listener and one connection on loopback.
if unshare -n true 2>/dev/null && command -v python3 >/dev/null; then
  unshare -n bash -c '
    ip link set lo up
    python3 - "$@" <<PY &
import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(("127.0.0.1", 8099)); l.listen()
c = socket.create_connection(("127.0.0.1", 8099)); a, _ = l.accept()
open(sys.argv[1], "w").close(); time.sleep(30)
PY
    pid=$!
    for _ in $(seq 100); do [ -e "$1" ] && break; sleep 0.1; done
    "$2" audit --format prometheus --output "$3" --fail-on critical
    "$2" audit --format prometheus --output "$4" --fail-on critical --prometheus-top 1
    kill "$pid"' _ "$work/ready" "$bin" "$work/live.prom" "$work/top1.prom" || true
  if promtool check metrics < "$work/live.prom" > "$work/lint" 2>&1; then pass "promtool accepts live.prom"
  else fail "promtool check metrics (live): $(cat "$work/lint")"; fi
  grep -qx 'tcptune_sockets{state="LISTEN"} 1' "$work/live.prom" && pass "one LISTEN socket" || fail "LISTEN count: $(grep LISTEN "$work/live.prom")"
  grep -qx 'tcptune_sockets{state="ESTABLISHED"} 2' "$work/live.prom" && pass "two ESTABLISHED sockets" \
    || fail "ESTABLISHED count: $(grep ESTABLISHED "$work/live.prom")"
  grep -q '^tcptune_tcp_events_total{name="TcpActiveOpens"} 1$' "$work/live.prom" && pass "TcpActiveOpens 1 in the new namespace" \
    || fail "TcpActiveOpens: $(grep TcpActiveOpens "$work/live.prom")"
  grep -qx 'tcptune_remote_ports_in_use{remote="127.0.0.1:8099",state="ESTABLISHED"} 1' "$work/live.prom" \
    && pass "one ephemeral port in use towards 127.0.0.1:8099" || fail "remote ports: $(grep '^tcptune_remote' "$work/live.prom")"
  grep -qx 'tcptune_port_sockets{port="8099",state="LISTEN"} 1' "$work/live.prom" \
    && grep -qx 'tcptune_port_sockets{port="8099",state="ESTABLISHED"} 1' "$work/live.prom" \
    && pass "port 8099: one LISTEN, one ESTABLISHED" || fail "port sockets: $(grep '^tcptune_port_sockets' "$work/live.prom")"
  # Two local ports have sockets (8099 and the client's ephemeral port); --prometheus-top 1 keeps one.
  grep -qx 'tcptune_ports 2' "$work/top1.prom" && [ "$(grep -c '^tcptune_port_sockets{' "$work/top1.prom")" = 2 ] \
    && [ "$(grep '^tcptune_port_sockets{' "$work/top1.prom" | grep -vc 'port="8099"')" = 0 ] \
    && pass "--prometheus-top 1: the busiest port only" || fail "top 1: $(grep '^tcptune_port' "$work/top1.prom")"
else
  echo "note: no network namespaces here (unshare -n failed); live census case not run"
fi
finish

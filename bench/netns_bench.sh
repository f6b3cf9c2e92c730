#!/usr/bin/env bash
# Times `tcptune audit --all-netns` over N namespaces (default 100) holding a few sockets each,
# next to the shell loop an operator would otherwise run (ip netns exec NS sysctl + ss -s per
# namespace). Needs root; creates namespaces ttbench-$$-I and removes them on exit. Never
# writes a sysctl of the host's namespace.
# Usage: sudo bench/netns_bench.sh [BUILD_DIR] [N]   (default: build-h 100)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-h}
n=${2:-100}
bin="$build/tcptune"
helper="$build/tests/sockhelper"
[ -x "$bin" ] && [ -x "$helper" ] || { echo "bench: build $bin and $helper first" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: install hyperfine" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (ip netns add)" >&2; exit 1; }
out=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for i in $(seq 1 "$n"); do ip netns del "ttbench-$$-$i" 2>/dev/null || true; done
  rm -rf "$out"
}
trap cleanup EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
for i in $(seq 1 "$n"); do
  ns="ttbench-$$-$i"
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv4.tcp_fin_timeout=$((20 + i % 10))
  # 2 listeners + 2x2 ESTABLISHED + 1 TIME-WAIT per namespace; sockhelper prints pid then "ready".
  coproc H { ip netns exec "$ns" "$helper" --v4 9000 --estab 2 --tw 1; }
  read -r pid <&"${H[0]}"; read -r _ <&"${H[0]}"
  pids+=("$pid")
done
echo "namespaces: $(ls /run/netns | grep -c "ttbench-$$-") named + host; sockets per namespace: $("$bin" sockets --netns "ttbench-$$-1" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["census"]["total"])')"
cat > "$out/loop.sh" <<SH
for ns in \$(ls /run/netns | grep ttbench-$$-); do
  ip netns exec \$ns sysctl -n net.ipv4.tcp_fin_timeout net.ipv4.tcp_tw_reuse net.core.somaxconn net.ipv4.tcp_keepalive_time >/dev/null
  ip netns exec \$ns ss -s >/dev/null
done
SH
hyperfine --warmup 2 --runs 15 -N --export-markdown "$out/netns.md" --export-json "$out/netns.json" \
  "$bin audit --all-netns --format json -o /dev/null" \
  "$bin audit --all-netns --no-census --format json -o /dev/null" \
  "$bin snapshot --all-netns -o /dev/null" \
  "bash $out/loop.sh"
cat "$out/netns.md"
python3 - "$out/netns.json" <<'PY'
import json, sys, statistics
d = json.load(open(sys.argv[1]))["results"]
base = statistics.median(d[0]["times"])
for r in d:
    m = statistics.median(r["times"])
    cpu = (r["user"] + r["system"]) * 1000
    print(f"{r['command']}: median {m*1000:.1f} ms, min {min(r['times'])*1000:.1f} ms, max {max(r['times'])*1000:.1f} ms, "
          f"mean CPU (user+sys, children included) {cpu:.1f} ms, ratio to audit {m/base:.2f}x")
PY

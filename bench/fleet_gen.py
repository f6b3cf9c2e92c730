#!/usr/bin/env python3
"""Writes N fleet snapshots for bench/fleet_bench.sh: copies of a snapshot (default the fixture
tests/fixtures/snapshots/diff_a.json) as schema version 2, named host-0000... and labelled
role=g0, g1, ... (N/100 groups of 100 hosts, host i in group i mod N/100); in group g3 (the last
group when there are fewer) the first three hosts hold net.ipv4.tcp_fin_timeout = 30 where every
other host holds 60. Prints the names of those three hosts.
Usage: fleet_gen.py N OUT_DIR [SNAPSHOT]"""
import json
import os
import sys

n, out = int(sys.argv[1]), sys.argv[2]
src = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "snapshots", "diff_a.json")
base = json.load(open(src))
groups = max(1, n // 100)
os.makedirs(out, exist_ok=True)
differ = []
for i in range(n):
    s = dict(base)
    s["schema_version"] = 2
    s["host"] = f"host-{i:04d}"
    group = i % groups
    s["labels"] = {"role": f"g{group}", "dc": "bench"}
    sysctls = dict(base["sysctls"])
    sysctls["net.ipv4.tcp_fin_timeout"] = {"state": "value", "text": "60\n"}
    if group == min(3, groups - 1) and len(differ) < 3:
        sysctls["net.ipv4.tcp_fin_timeout"] = {"state": "value", "text": "30\n"}
        differ.append(s["host"])
    s["sysctls"] = sysctls
    with open(os.path.join(out, f"host-{i:04d}.json"), "w") as f:
        json.dump(s, f, indent=2)
print(" ".join(differ))

#!/usr/bin/env python3
"""Summarises bench/out/ (written by census_bench.sh) as the markdown table of RESULTS.md."""
import json, os, sys

out, sizes = sys.argv[1], sys.argv[2:]
NAMES = {1: "ESTABLISHED", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
         6: "TIME-WAIT", 7: "CLOSE", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}

def load(name):
    p = os.path.join(out, name)
    return json.load(open(p)) if os.path.exists(p) else None

def ref_counts(name):
    c = {}
    for line in open(os.path.join(out, name)):
        st, n = line.split()
        c[NAMES.get(int(st), st)] = int(n)
    return c

base = load("baseline.json")
print("| N | command | median | min-max | ratio to ref (same block) | peak RSS |")
print("|---|---|---|---|---|---|")
notes = []
for n in sizes:
    rss = load(f"rss-{n}.json") or {}
    for block in (1, 2):
        hf = load(f"hf-{n}-{block}.json")
        if not hf:
            continue
        res = {r["command"]: r for r in hf["results"]}
        ref = res["ref"]["median"]
        for name, r in res.items():
            if block == 2 and name == "ref":
                name = "ref (block 2)"
            key = name if name in rss else None
            print(f"| {int(n):,} | {name} | {r['median']*1000:.1f} ms | {r['min']*1000:.1f}-{r['max']*1000:.1f} ms "
                  f"| {r['median']/ref:.2f}x | {str(round(rss[key]/1024, 1)) + ' MiB' if key else ''} |")
        before, after = ref_counts(f"ref-{n}-{block}-before.txt"), ref_counts(f"ref-{n}-{block}-after.txt")
        static = before == after
        for f in (f"tcptune-{n}-{block}.json", f"tcptune-port-{n}-{block}.json"):
            t = load(f)["census"]["states"]
            exact = all(t[k] == before.get(k, 0) for k in NAMES.values())
            notes.append(f"N={int(n):,} block {block}: population static during block: {static}; "
                         f"{f.split('-')[0] + (' --by port' if 'port' in f else '')} counts equal the reference dump: {exact} "
                         f"({', '.join(f'{k} {v}' for k, v in sorted(before.items()))})")
    ir = load(f"ir-{n}.json")
    if ir and base:
        notes.append(f"N={int(n):,}: user-space instructions per socket (callgrind, minus empty-namespace run): "
                     f"tcptune sockets {(ir['ir'] - base['base_ir']) / int(n):.1f}, "
                     f"--by port {(ir['ir_port'] - base['base_ir_port']) / int(n):.1f}")
print()
for line in notes:
    print("- " + line)

#!/usr/bin/env python3
"""Summarises bench/out/ (written by census_bench.sh) as the markdown tables of RESULTS.md.

Per N, one block of interleaved runs (bench/interleave.py). Wall: elapsed time; CPU: user + sys
of the command and its children. Ratios: median of the contender over median of the reference
(`ref`, one inet_diag_req_v2 dump per family) in the same block; "paired" is the median of the
per-round ratios (each run against the reference run of the same round)."""
import json, os, statistics, sys

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

def ms(x):
    return f"{x * 1000:.0f}" if x >= 0.1 else f"{x * 1000:.1f}"

base = load("baseline.json")
print("| N | command | wall median (min-max) ms | wall ratio (paired) | CPU median (min-max) ms | CPU ratio (paired) | peak RSS |")
print("|---|---|---|---|---|---|---|")
notes = []
for n in sizes:
    runs = load(f"runs-{n}.json")
    if not runs:
        continue
    res = runs["results"]
    ref = res["ref"]["runs"]
    cpu = lambda r: r["user"] + r["sys"]
    ref_wall, ref_cpu = statistics.median(r["wall"] for r in ref), statistics.median(cpu(r) for r in ref)
    for name in runs["order"]:
        rr = res[name]["runs"]
        w = [r["wall"] for r in rr]
        c = [cpu(r) for r in rr]
        pw = statistics.median(r["wall"] / f["wall"] for r, f in zip(rr, ref))
        pc = statistics.median(cpu(r) / max(cpu(f), 1e-6) for r, f in zip(rr, ref))
        rss = (load(f"rss-{n}.json") or {}).get(name)
        label = f"`{name}`" if "|" in name else name
        print(f"| {int(n):,} | {label.replace('|', chr(92) + '|')} | {ms(statistics.median(w))} ({ms(min(w))}-{ms(max(w))}) "
              f"| {statistics.median(w) / ref_wall:.2f}x ({pw:.2f}x) | {ms(statistics.median(c))} ({ms(min(c))}-{ms(max(c))}) "
              f"| {statistics.median(c) / ref_cpu:.2f}x ({pc:.2f}x) | {f'{rss / 1024:.1f} MiB' if rss else ''} |")
    meta = load(f"meta-{n}.json") or {}
    before, after = ref_counts(f"ref-{n}-before.txt"), ref_counts(f"ref-{n}-after.txt")
    static = before == after
    line = (f"N={int(n):,}: {runs['rounds']} interleaved rounds after 1 warm-up round; load average "
            f"{meta.get('loadavg_before', '?')} before, {meta.get('loadavg_after', '?')} after; population static "
            f"during the block: {static}")
    if not static:
        line += f" (before: {before}; after: {after})"
    notes.append(line)
    for f, label in ((f"tcptune-{n}.json", "tcptune sockets"), (f"tcptune-port-{n}.json", "tcptune sockets --by port")):
        t = load(f)["census"]
        exact = all(t["states"][k] == before.get(k, 0) for k in NAMES.values())
        notes.append(f"N={int(n):,}: {label} counts equal the reference dump taken before the block: {exact} "
                     f"({', '.join(f'{k} {v}' for k, v in sorted(before.items()))}); method: {t['method']}; "
                     f"notes: {t['notes']}")
    for k in ("ref", "tcptune", "tcptune --by port"):
        if k in meta:
            notes.append(f"N={int(n):,}: {k}: {meta[k]['recv_calls']} recvmsg/recvfrom calls, "
                         f"{meta[k]['recv_bytes'] / 1e6:.1f} MB received (strace, one run)")
    rss = load(f"rss-{n}.json") or {}
    extra = {k: v for k, v in rss.items() if k not in runs["order"]}
    if extra:
        notes.append(f"N={int(n):,}: peak RSS (/usr/bin/time): " + ", ".join(f"{k} {v / 1024:.1f} MiB" for k, v in extra.items()))
    ir = load(f"ir-{n}.json")
    if ir and base:
        notes.append(f"N={int(n):,}: user-space instructions per socket (callgrind, minus empty-namespace run): "
                     f"tcptune sockets {(ir['ir'] - base['base_ir']) / int(n):.1f}, "
                     f"--by port {(ir['ir_port'] - base['base_ir_port']) / int(n):.1f}")
print()
for line in notes:
    print("- " + line)

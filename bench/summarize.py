#!/usr/bin/env python3
"""Summarises bench/out/ (written by census_bench.sh) as the markdown tables of RESULTS.md.

Per N, one block of interleaved runs (bench/interleave.py), or (per-round rebuild mode, meta
"mode": "rebuild") one interleaved round per newly built expiring part, each between two
reference dumps (ref-N-roundK-before/after.txt), and the exactness, RSS, syscall and callgrind
measurements in one more rebuilt window (ref-N-extra-before/after.txt). Wall: elapsed time; CPU: user + sys
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
    N = f"N={int(n):,}"
    def fmt(c):
        return ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
    if meta.get("mode") == "rebuild":
        wins = meta["windows"]
        rounds = [w for w in wins if w["label"].startswith("round")]
        notes.append(f"{N}: per-round rebuild: {runs['rounds']} interleaved rounds after {runs['warmup']} warm-up round, "
                     f"each on a newly built expiring part; load average {meta.get('loadavg_before', '?')} before the "
                     f"first round, {meta.get('loadavg_after', '?')} after the last")
        bad = []
        for w in rounds:
            b, a = ref_counts(f"ref-{n}-{w['label']}-before.txt"), ref_counts(f"ref-{n}-{w['label']}-after.txt")
            if b != a:
                bad.append(f"{w['label']} (before: {fmt(b)}; after: {fmt(a)})")
        line = (f"{N}: population static in each timed round: {len(rounds) - len(bad)}/{len(rounds)} "
                f"(reference dump before and after each round equal)")
        if bad:
            line += "; not static: " + "; ".join(bad)
        notes.append(line)
        if len(rounds) != runs["rounds"]:
            notes.append(f"{N}: WARNING: {runs['rounds']} rounds in runs-{n}.json but {len(rounds)} rebuilt windows in meta-{n}.json")
        notes.append(f"{N}: TIME-WAIT build time (4 helpers) per window: "
                     + ", ".join(f"{w['label']} {w['build_s']:.1f} s" for w in wins)
                     + "; window length from the start of the build to the reference dump after it "
                     + "(must stay below 60 s): " + ", ".join(f"{w['label']} {w['window_s']:.1f} s" for w in wins))
        before, after = ref_counts(f"ref-{n}-extra-before.txt"), ref_counts(f"ref-{n}-extra-after.txt")
        static = before == after
        line = (f"{N}: population static during the measurement window after the rounds (exactness, RSS, "
                f"syscalls{', callgrind' if int(n) <= 100000 else ''}): {static}")
        if not static:
            line += f" (before: {fmt(before)}; after: {fmt(after)})"
        notes.append(line)
        when = "the reference dump taken before the measurement window"
    else:
        before, after = ref_counts(f"ref-{n}-before.txt"), ref_counts(f"ref-{n}-after.txt")
        static = before == after
        line = (f"{N}: {runs['rounds']} interleaved rounds after 1 warm-up round; load average "
                f"{meta.get('loadavg_before', '?')} before, {meta.get('loadavg_after', '?')} after; population static "
                f"during the block: {static}")
        if not static:
            line += f" (before: {before}; after: {after})"
        if "build_s" in meta:
            line += f"; expiring part built in {meta['build_s']:.1f} s"
        notes.append(line)
        if os.path.exists(os.path.join(out, f"ref-{n}-end.txt")):
            end = ref_counts(f"ref-{n}-end.txt")
            line = (f"{N}: population static from the end of the block through the RSS, syscall and callgrind "
                    f"measurements: {end == after}")
            if end != after:
                line += f" (after the block: {fmt(after)}; after the measurements: {fmt(end)})"
            notes.append(line)
        when = "the reference dump taken before the block"
    for f, label in ((f"tcptune-{n}.json", "tcptune sockets"), (f"tcptune-port-{n}.json", "tcptune sockets --by port")):
        t = load(f)["census"]
        exact = all(t["states"][k] == before.get(k, 0) for k in NAMES.values())
        notes.append(f"{N}: {label} counts equal {when}: {exact} "
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

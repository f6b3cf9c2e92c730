#!/usr/bin/env python3
"""Times commands interleaved run by run (A, B, C, A, B, C, ...) so that load on a shared machine
falls on every contender alike. For each run: wall time, CPU time (user + sys of the command and
its children, from wait4). Peak RSS is measured apart (census_bench.sh, /usr/bin/time): a
forked Python passes its own high-water mark on through exec.

  interleave.py OUT.json ROUNDS WARMUP NAME=COMMAND ...   (COMMAND runs under sh -c unless it has
                                                          no shell syntax, then directly)
"""
import json, os, shlex, sys, time

def run(cmd):
    argv = ["sh", "-c", cmd] if any(c in cmd for c in "|&;<>$'\"") else shlex.split(cmd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 1)
        os.execvp(argv[0], argv)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    os.close(devnull)
    if status != 0:
        raise SystemExit(f"{cmd}: exit status {status}")
    return {"wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime}

def main():
    out, rounds, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cmds = [a.split("=", 1) for a in sys.argv[4:]]
    for _ in range(warmup):
        for _, c in cmds:
            run(c)
    res = {name: {"command": c, "runs": []} for name, c in cmds}
    for r in range(rounds):
        order = cmds if r % 2 == 0 else cmds[::-1]  # alternate the order: no fixed neighbour
        for name, c in order:
            res[name]["runs"].append(run(c))
    with open(out, "w") as f:
        json.dump({"rounds": rounds, "warmup": warmup, "results": res,
                   "order": [n for n, _ in cmds]}, f, indent=1)

main()

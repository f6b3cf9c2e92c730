#!/usr/bin/env python3
"""Times commands interleaved run by run (A, B, C, A, B, C, ...) so that load on a shared machine
falls on every contender alike. For each run: wall time, CPU time (user + sys of the command and
its children, from wait4). Peak RSS is measured apart (census_bench.sh, /usr/bin/time): a
forked Python passes its own high-water mark on through exec.

  interleave.py [--append] [--timeout S] OUT.json ROUNDS WARMUP NAME=COMMAND ...
                                           (COMMAND runs under sh -c unless it has no shell
                                           syntax, then directly)

The order of the contenders is reversed every other round (no fixed neighbour). --append adds
the rounds (and warm-up runs) to OUT.json if it exists: the contenders must be the same, in the
same order; round k overall (counted from 0 across all appends) runs reversed when k is odd, so
census_bench.sh can run one round per rebuilt population and still alternate the order.
--timeout: a run that takes longer is killed and ends the script (default 600 s).
"""
import json, os, shlex, signal, sys, time

TIMEOUT = 600.0

def run(cmd):
    argv = ["sh", "-c", cmd] if any(c in cmd for c in "|&;<>$'\"") else shlex.split(cmd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)  # own process group: a timeout kills the whole pipeline
        os.dup2(devnull, 1)
        os.execvp(argv[0], argv)

    def expired(signum, frame):
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise SystemExit(f"{cmd}: no exit after {TIMEOUT:g} s, killed")
    signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        _, status, ru = os.wait4(pid, 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    wall = time.monotonic() - t0
    os.close(devnull)
    if status != 0:
        raise SystemExit(f"{cmd}: exit status {status}")
    return {"wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime}

def main():
    global TIMEOUT
    args = sys.argv[1:]
    append = False
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--append":
            append = True
        elif opt == "--timeout":
            TIMEOUT = float(args.pop(0))
        else:
            raise SystemExit(f"interleave.py: unknown option {opt}")
    if len(args) < 4:
        raise SystemExit(__doc__)
    out, rounds, warmup = args[0], int(args[1]), int(args[2])
    cmds = [a.split("=", 1) for a in args[3:]]
    prev = None
    if append and os.path.exists(out):
        with open(out) as f:
            prev = json.load(f)
        if prev["order"] != [n for n, _ in cmds] or any(
                prev["results"][n]["command"] != c for n, c in cmds):
            raise SystemExit(f"interleave.py --append: {out} holds other contenders")
    done = prev["rounds"] if prev else 0  # rounds already in OUT.json: the order goes on alternating
    for _ in range(warmup):
        for _, c in cmds:
            run(c)
    res = prev["results"] if prev else {name: {"command": c, "runs": []} for name, c in cmds}
    for r in range(done, done + rounds):
        order = cmds if r % 2 == 0 else cmds[::-1]  # alternate the order: no fixed neighbour
        for name, c in order:
            res[name]["runs"].append(run(c))
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"rounds": done + rounds, "warmup": (prev["warmup"] if prev else 0) + warmup,
                   "results": res, "order": [n for n, _ in cmds]}, f, indent=1)
    os.replace(tmp, out)

main()

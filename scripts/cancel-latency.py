#!/usr/bin/env python3
"""Measures how fast dn ends after each cancellation stimulus, on a real tree.

usage: scripts/cancel-latency.py TREE [DN] [--runs N]

For each stimulus (SIGINT to the pid, SIGINT to the group, SIGTERM, SIGHUP,
stdout closed, SIGKILL to the parent) it starts a long search in TREE,
waits until the workers are busy, applies the stimulus and measures the time
until dn has exited and every worker is gone. Prints median and worst per
stimulus, plus failures (wrong exit status or a worker left alive).
"""
import os
import signal
import statistics
import subprocess
import sys
import time

ARGS = ["-n", "-o", r"\w+"]


def children(pid):
    """Pids whose parent is pid."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                text = f.read()
        except OSError:
            continue
        rest = text[text.rfind(")") + 2:].split()
        if int(rest[1]) == pid:
            out.append(int(name))
    return out


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return False
    return text[text.rfind(")") + 2] != "Z"


def trial(dn, tree, stimulus):
    """Runs one search, applies the stimulus, returns (ms, ok, detail)."""
    group = stimulus == "sigint-group"
    stdout = subprocess.PIPE if stimulus == "close-stdout" else subprocess.DEVNULL
    p = subprocess.Popen([dn] + ARGS, cwd=tree, stdin=subprocess.DEVNULL, stdout=stdout,
                         stderr=subprocess.PIPE, process_group=0 if group else None)
    deadline = time.time() + 10
    while len(children(p.pid)) < 2 and time.time() < deadline:
        time.sleep(0.002)
    time.sleep(0.4)
    workers = children(p.pid)
    t0 = time.perf_counter()
    if stimulus == "close-stdout":
        p.stdout.readline()
        t0 = time.perf_counter()
        p.stdout.close()
    elif group:
        os.killpg(p.pid, signal.SIGINT)
    else:
        sig = {"sigint": signal.SIGINT, "sigterm": signal.SIGTERM, "sighup": signal.SIGHUP,
               "sigkill": signal.SIGKILL}[stimulus]
        os.kill(p.pid, sig)
    p.wait()
    while any(alive(w) for w in workers) and time.perf_counter() - t0 < 5:
        time.sleep(0.0005)
    ms = (time.perf_counter() - t0) * 1000
    want = {"sigint": -2, "sigint-group": -2, "sigterm": -15, "sighup": -1, "sigkill": -9,
            "close-stdout": 0}[stimulus]
    left = [w for w in workers if alive(w)]
    err = p.stderr.read().decode(errors="replace")
    ok = p.returncode == want and not left and (stimulus == "sigkill" or not err)
    return ms, ok, f"rc={p.returncode} left={left} stderr={err[:200]!r}"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = 20
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
        args = [a for a in args if a != str(runs)]
    tree = args[0]
    dn = os.path.abspath(args[1]) if len(args) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "dn")
    print(f"| stimulus | runs | failures | median ms | worst ms |")
    print(f"|---|---|---|---|---|")
    for stimulus in ["sigint", "sigint-group", "sigterm", "sighup", "close-stdout", "sigkill"]:
        times, fails = [], []
        for _ in range(runs):
            ms, ok, detail = trial(dn, tree, stimulus)
            times.append(ms)
            if not ok:
                fails.append(detail)
        print(f"| {stimulus} | {runs} | {len(fails)} | {statistics.median(times):.1f} | "
              f"{max(times):.1f} |")
        for f in fails[:3]:
            print(f"  failure: {f}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Two meridiand builds side by side: the CPU of each as grandmaster of 8 ptp4l slaves at 16 Sync/s (bench_interop's
resources setup, one bridge and 8 slaves each), measured over the same windows, with every process of both sides
moved to the other CPU between windows (the CPUs are not alike here). Prints B/A per window and over all.

The side started first reads a few % higher, so run each pair twice, each build first once, and take the geometric
mean of B/A and 1/(A/B) (ARCHITECTURE.md, "Memory and CPU"). Measure a change to the hot path after
scripts/orderfile/orderfile.sh: a function the order does not name lands pages away from the rest of a pass.

usage: python3 Benchmarks/interop/bench_ab.py BUILD_A BUILD_B [WINDOWS [SECONDS]]   (default 6 windows of 30 s)
Both executables must be named meridiand (the script finds each daemon by its name in its namespace). Root; ptp4l.
Everything runs in namespaces it creates (10.96.x and 10.97.x) and removes; the system clock is never touched.
"""
import os, shutil, signal, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
BUILDS = sys.argv[1:3]
if len(BUILDS) != 2 or any(os.path.basename(b) != "meridiand" for b in BUILDS):
    sys.exit("usage: bench_ab.py BUILD_A BUILD_B [WINDOWS [SECONDS]] (both files named meridiand)")
WINDOWS = int(sys.argv[3]) if len(sys.argv) > 3 else 6
SECONDS = int(sys.argv[4]) if len(sys.argv) > 4 else 30
sys.argv = sys.argv[:1]
import bench_interop as b

scratch = []


def cleanup(*_):
    b.cleanup()
    for path in scratch:
        shutil.rmtree(path, ignore_errors=True)


def main():
    namespaces = []
    base = b.PID
    for side, (build, net, cpu) in enumerate(zip(BUILDS, ("97", "96"), (1, 0))):
        # Each side its own names and scratch directory (configuration files, management sockets).
        b.MERIDIAND, b.PID = build, base + side
        if side:
            scratch.append(b.TMP)
            b.TMP = tempfile.mkdtemp(prefix="meridian-bench-")
        namespaces.append(b.resources("meridiand", net, cpu))
    time.sleep(15)
    pids = [b.daemon_pid(ns, "meridiand") for ns in namespaces]
    if None in pids:
        sys.exit("bench_ab: a grandmaster is not running")
    meters = [b.CPUMeter(pid, f"ab{side}") for side, pid in enumerate(pids)]
    try:
        totals = [0.0, 0.0]
        for window in range(WINDOWS):
            if window:
                b.swap_cpus()
                time.sleep(2)
            start = [m.seconds() for m in meters]
            time.sleep(SECONDS)
            used = [m.seconds() - s for m, s in zip(meters, start)]
            totals = [t + u for t, u in zip(totals, used)]
            print(f"window {window + 1}: A {used[0]:.3f} CPU-s, B {used[1]:.3f} CPU-s, B/A {used[1] / max(used[0], 1e-9):.3f}"
                  f" (A on CPU {sorted(os.sched_getaffinity(pids[0]))})")
        print(f"B/A over {WINDOWS} windows of {SECONDS} s: {totals[1] / max(totals[0], 1e-9):.3f}"
              f" (A {totals[0]:.3f}, B {totals[1]:.3f} CPU-s)")
    finally:
        for meter in meters:
            meter.close()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (cleanup(), os._exit(1)))
    try:
        main()
    finally:
        cleanup()

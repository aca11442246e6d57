#!/usr/bin/env python3
"""Two meridiand builds side by side: the CPU of each as grandmaster of 8 ptp4l slaves at 16 Sync/s (bench_interop's
resources setup, one bridge and 8 slaves each), measured over the same windows, with every process of both sides
moved to the other CPU between windows (bench_interop's measure_together). Prints B/A per window and over all.

The side started first reads a few % higher, so run each pair twice, each build first once, and take the geometric
mean of B/A and 1/(A/B) (ARCHITECTURE.md, "Memory and CPU"). Measure a change to the hot path after
scripts/orderfile/orderfile.sh: a function the order does not name lands pages away from the rest of a pass.

usage: python3 Benchmarks/interop/bench_ab.py BUILD_A BUILD_B [WINDOWS [SECONDS]]   (default 6 windows of 30 s)
Both executables must be named meridiand (the script finds each daemon by its name in its namespace). Root; ptp4l.
Everything runs in namespaces it creates (10.96.x and 10.97.x) and removes; the system clock is never touched.
"""
import os, shutil, signal, sys, tempfile

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
    # B first: the ratio printed is B/A.
    measured = b.measure_together([(namespaces[1], "meridiand"), (namespaces[0], "meridiand")], WINDOWS * SECONDS,
                                  "ab", windows=WINDOWS, names=["B", "A"])
    if measured is None:
        sys.exit("bench_ab: a grandmaster is not running")
    a_cpu, b_cpu = measured["A"][1], measured["B"][1]
    print(f"B/A over {WINDOWS} windows of {SECONDS} s: {b_cpu / max(a_cpu, 1e-9):.3f} (A {a_cpu:.3f}, B {b_cpu:.3f} CPU-s)")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (cleanup(), os._exit(1)))
    try:
        main()
    finally:
        cleanup()

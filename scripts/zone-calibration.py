#!/usr/bin/env python3
"""The calibration of issue 18 (docs/zone-calibration.md): the zone lab's measured time error beside the
simulator's for the same zone (deploy/zones/lab.yaml).

    scripts/zone-calibration.py LOGDIR [--sim PATH-TO-meridian-sim] [--zone deploy/zones/lab.yaml]
                                [--settle 15] [--until 40]

LOGDIR is a zone lab's log directory, kept with ZONE_KEEP=1 (deploy/lab/zone.sh prints "zone: logs kept in ...").
Every Meridian clock of the lab logs each measurement with summary_interval -4 ("master offset ... true error N":
its virtual clock minus CLOCK_REALTIME, the lab's truth); those samples from --settle to --until seconds after the
first line of any log are binned by tier (bc1, bc2: tier 1; h2, h3: tier 2; the ptp4l hosts h1 and h4 run
free_running and have no true error of their own). The simulator runs the zone file over the same window
(--duration UNTIL, settle SETTLE) and its JSON per-tier figures are printed beside the lab's.

Percentiles: the lab's are exact order statistics of the samples; the simulator's are the upper edges of
12 %-wide bins (docs/zone-format.md), so a ratio under 1.12 is no difference.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys

TIERS = {"bc1": 1, "bc2": 1, "h2": 2, "h3": 2}
LINE = re.compile(r"\[(\d+)\.(\d+)\]: .*master offset\s+(-?\d+).*true error (-?\d+)\s*$")
ANY = re.compile(r"\[(\d+)\.(\d+)\]: ")


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p * len(sorted_values)))
    return sorted_values[rank - 1]


def lab(logdir, settle, until):
    start = None
    samples = {}
    for name in os.listdir(logdir):
        if not name.endswith(".log"):
            continue
        with open(os.path.join(logdir, name), errors="replace") as f:
            for line in f:
                m = ANY.search(line)
                if m:
                    t = int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2))
                    start = t if start is None else min(start, t)
                    break
    if start is None:
        sys.exit(f"{logdir}: no Meridian log lines")
    for clock, tier in TIERS.items():
        path = os.path.join(logdir, f"{clock}.log")
        if not os.path.exists(path):
            continue
        with open(path, errors="replace") as f:
            for line in f:
                m = LINE.search(line)
                if not m:
                    continue
                t = int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2)) - start
                if settle <= t < until:
                    samples.setdefault(tier, []).append(abs(int(m.group(4))))
                    samples.setdefault(clock, []).append(abs(int(m.group(4))))
    return samples


def sim(binary, zone, settle, until):
    out = subprocess.run(
        [binary, "--zone", zone, "--duration", str(int(until)), "--json"],
        check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    if abs(report.get("settle", settle) - settle) > 1e-9:
        print(f"note: the zone file's settle is {report.get('settle')} s, the lab window starts at {settle} s")
    return report


def fmt(x):
    return "-" if x != x else f"{x:,.0f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("logdir")
    parser.add_argument("--sim", default=".build/release/meridian-sim")
    parser.add_argument("--zone", default="deploy/zones/lab.yaml")
    parser.add_argument("--settle", type=float, default=15)
    parser.add_argument("--until", type=float, default=40)
    args = parser.parse_args()
    measured = lab(args.logdir, args.settle, args.until)
    report = sim(args.sim, args.zone, args.settle, args.until)
    print(f"|TE| from {args.settle:g} s to {args.until:g} s, ns (lab: {args.logdir}; simulator: {args.zone})")
    print()
    print("| tier | | samples | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|---|---|")
    for tier in report["tiers"]:
        t = tier["tier"]
        print(f"| {t} | simulated | {tier.get('samples', '-')} | {fmt(tier['p50'])} | {fmt(tier['p95'])} | "
              f"{fmt(tier['p99'])} | {fmt(tier['max'])} |")
        values = sorted(measured.get(t, []))
        if values:
            print(f"| {t} | measured | {len(values)} | {fmt(percentile(values, 0.5))} | {fmt(percentile(values, 0.95))} | "
                  f"{fmt(percentile(values, 0.99))} | {fmt(values[-1])} |")
            ratios = [percentile(values, p) / tier[k] if tier[k] else float("inf")
                      for p, k in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"))]
            print(f"| {t} | measured / simulated | | " + " | ".join(f"{r:.2f}" for r in ratios) + f" | "
                  f"{values[-1] / tier['max'] if tier['max'] else float('inf'):.2f} |")
    print()
    for clock in TIERS:
        values = sorted(measured.get(clock, []))
        if values:
            print(f"lab {clock}: {len(values)} samples, p50 {fmt(percentile(values, 0.5))}, p95 "
                  f"{fmt(percentile(values, 0.95))}, max {fmt(values[-1])} ns")
    for f in report.get("faults", []):
        print(f"simulated fault {f['fault']} {','.join(f['targets'])} at {f['at']} s: takeover {f['takeover']} s, "
              f"recovery {f['recovery']} s, hosts up to {f['hostPeak']} ns")


if __name__ == "__main__":
    main()

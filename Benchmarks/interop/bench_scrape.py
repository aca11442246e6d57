#!/usr/bin/env python3
"""make bench, scrape part (issue 16): what `/metrics` costs.

A Meridian grandmaster (virtual clock, free running, 16 Sync/s, CPU 1) serves a ptp4l slave (free_running, CPU 0)
on a veth pair in namespaces this script creates and removes. Over SCRAPE_MEASURE seconds (30 by default) each:
  1. unscraped: meridiand's CPU seconds;
  2. scraped once a second, as Prometheus would: meridiand's CPU seconds and the scrape latency (p50, p99, max);
  3. 100 scrapes a second for 10 s: meridiand's CPU per scrape (1,000 scrapes resolve it better than 30) and
     the latency under a heavier scraper.
Latency is measured by scripts/http-load.py inside meridiand's namespace (one keep-alive connection, Python's
http.client: it includes the client's own time). Usage: bench_scrape.py MERIDIAND."""
import os, signal, subprocess, sys, tempfile, time

MEASURE = int(os.environ.get("SCRAPE_MEASURE", "30"))
MERIDIAND = sys.argv[1] if len(sys.argv) > 1 else "meridiand"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOAD = os.path.join(ROOT, "scripts", "http-load.py")
PID = os.getpid() % 100000
TMP = tempfile.mkdtemp(prefix="meridian-bench-scrape-")
A, B = f"mbs{PID}a", f"mbs{PID}b"
PROCS = []


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(rate, seconds):
    out = subprocess.run(["ip", "netns", "exec", B, "python3", LOAD, str(rate), str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 30).stdout.split()
    return {out[i]: float(out[i + 1]) for i in range(0, len(out) - 1, 2)}


def main():
    if os.geteuid() != 0:
        sys.exit("bench_scrape: needs root (network namespaces)")
    try:
        for ns in (A, B):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", "mbsa", "netns", A, "type", "veth", "peer", "name", "mbsb", "netns", B)
        for ns, ifc, host in ((A, "mbsa", 1), (B, "mbsb", 2)):
            sh("ip", "-n", ns, "addr", "add", f"10.95.0.{host}/24", "dev", ifc)
            sh("ip", "-n", ns, "link", "set", ifc, "up")
        with open(os.path.join(TMP, "gm.conf"), "w") as f:
            f.write(f"[global]\nclock_device virtual\nfree_running 1\ntime_stamping software\npriority1 100\n"
                    f"logSyncInterval -4\nlogAnnounceInterval -2\nlogMinDelayReqInterval -4\nuse_syslog 0\n"
                    f"http_address 127.0.0.1:9319\nuds_address {TMP}/m.sock\nuds_ro_address {TMP}/m-ro.sock\n[mbsb]\n")
        with open(os.path.join(TMP, "slave.cfg"), "w") as f:
            f.write(f"[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval -2\nuds_address {TMP}/sl.sock\n")
        unblock = lambda: signal.pthread_sigmask(signal.SIG_SETMASK, [])
        log = open(os.path.join(TMP, "log"), "w")
        PROCS.append(subprocess.Popen(["ip", "netns", "exec", A, "taskset", "-c", "0", "ptp4l", "-S", "-i", "mbsa", "-f",
                                       os.path.join(TMP, "slave.cfg")], stdout=log, stderr=subprocess.STDOUT, preexec_fn=unblock))
        gm = subprocess.Popen(["ip", "netns", "exec", B, "taskset", "-c", "1", MERIDIAND, "-f", os.path.join(TMP, "gm.conf")],
                              stdout=log, stderr=subprocess.STDOUT, preexec_fn=unblock)
        PROCS.append(gm)
        time.sleep(5)
        print(f"== Scraping /metrics (meridiand GM of one ptp4l slave, 16 Sync/s, CPU 1, {MEASURE} s each; {MERIDIAND}) ==")
        c0 = cpu_seconds(gm.pid)
        time.sleep(MEASURE)
        idle = cpu_seconds(gm.pid) - c0
        c0 = cpu_seconds(gm.pid)
        once = load(1, MEASURE)
        scraped = cpu_seconds(gm.pid) - c0
        c0 = cpu_seconds(gm.pid)
        heavy = load(100, 10)
        busy = cpu_seconds(gm.pid) - c0
        print(f"  unscraped                 {idle:6.3f} CPU-s ({100 * idle / MEASURE:5.2f} % of a core)")
        print(f"  scraped 1/s               {scraped:6.3f} CPU-s ({100 * scraped / MEASURE:5.2f} % of a core), "
              f"{scraped - idle:+.3f} CPU-s = {1000 * (scraped - idle) / max(1, once.get('ok', 0)):.2f} ms per scrape")
        print(f"  scrape latency at 1/s     p50 {once.get('p50_ms', 0):.3f} ms  p99 {once.get('p99_ms', 0):.3f} ms  "
              f"max {once.get('worst_ms', 0):.3f} ms  ({int(once.get('ok', 0))} ok, {int(once.get('fail', 0))} failed)")
        per_scrape = 1000 * (busy - idle * 10 / MEASURE) / max(1, heavy.get("ok", 0))
        print(f"  scraped 100/s for 10 s    {busy:6.3f} CPU-s, {per_scrape:.3f} ms of CPU per scrape beyond unscraped")
        print(f"  scrape latency at 100/s   p50 {heavy.get('p50_ms', 0):.3f} ms  p99 {heavy.get('p99_ms', 0):.3f} ms  "
              f"max {heavy.get('worst_ms', 0):.3f} ms  ({int(heavy.get('ok', 0))} ok, {int(heavy.get('fail', 0))} failed)")
    finally:
        for p in PROCS:
            try:
                p.kill()
            except OSError:
                pass
        for ns in (A, B):
            for p in subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split():
                try:
                    os.kill(int(p), signal.SIGKILL)
                except OSError:
                    pass
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", TMP])


if __name__ == "__main__":
    main()

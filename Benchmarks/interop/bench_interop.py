#!/usr/bin/env python3
"""make bench, interoperability part: Meridian next to linuxptp in the same run.

1. One ptp4l slave served in turn by a Meridian grandmaster and a ptp4l grandmaster on the same veth pair
   (alternating every MEASURE/4 s, four times each: MEASURE s per grandmaster; UDPv4/E2E, 16 Sync/s), grandmasters
   pinned to CPU 1, the slave to CPU 0; every Sync's offset from ptp4l's slave_event_monitor, recomputed
   as tsproc does. The same slave and link: each veth pair and slave process has its own bias of a few
   hundred ns with software stamps, which separate pairs would compare instead of the grandmasters.
2. The same end slave and link served by a ptp4l GM directly (MEASURE/2 s), then through a Meridian BC
   (virtual clock) following a ptp4l GM upstream (MEASURE s), then directly again (MEASURE/2 s).
3. CPU seconds and peak RSS of meridiand and of ptp4l as grandmaster of 8 ptp4l slaves on a bridge at
   16 Sync/s over MEASURE seconds (one after the other).
Everything runs in namespaces this script creates and removes; every ptp4l has free_running 1 and
meridiand runs on a virtual clock: the system clock is never touched.
Prints medians and 95th/99th percentiles of |offset| and their ratios, not RMS or max.
"""
import os, signal, socket, struct, subprocess, sys, tempfile, threading, time

MEASURE = int(os.environ.get("MEASURE", "60"))
sys.stdout.reconfigure(line_buffering=True)
MERIDIAND = sys.argv[1] if len(sys.argv) > 1 else "meridiand"
PID = os.getpid() % 100000
TMP = tempfile.mkdtemp(prefix="meridian-bench-")
NAMESPACES, PROCS = [], []


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def netns(name):
    sh("ip", "netns", "add", name)
    sh("ip", "-n", name, "link", "set", "lo", "up")
    NAMESPACES.append(name)


def veth(ns1, if1, ns2, if2, net):
    sh("ip", "link", "add", if1, "netns", ns1, "type", "veth", "peer", "name", if2, "netns", ns2)
    for ns, ifc, host in ((ns1, if1, 1), (ns2, if2, 2)):
        sh("ip", "-n", ns, "addr", "add", f"10.{net}.{host}/24", "dev", ifc)
        sh("ip", "-n", ns, "link", "set", ifc, "up")


def start(ns, cpu, argv, log):
    out = open(os.path.join(TMP, log), "w")
    p = subprocess.Popen(["ip", "netns", "exec", ns, "taskset", "-c", str(cpu)] + argv, stdout=out, stderr=subprocess.STDOUT,
                         preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, []))
    PROCS.append(p)
    return p


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


class Monitor:
    """ptp4l's slave_event_monitor: t1/t2 per Sync, t3/t4 per Delay_Resp; offsets as tsproc computes them."""

    def __init__(self, name):
        self.path = os.path.join(TMP, name)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.offsets, self.delays, self.last, self.stop = [], [], None, False
        threading.Thread(target=self.loop, daemon=True).start()

    @staticmethod
    def ts(b, i):
        return int.from_bytes(b[i:i + 6], "big") * 1_000_000_000 + int.from_bytes(b[i + 6:i + 10], "big")

    def loop(self):
        while not self.stop:
            try:
                data = self.sock.recv(4096)
            except OSError:
                continue
            off = 44  # header + targetPortIdentity
            while off + 4 <= len(data):
                typ, length = struct.unpack(">HH", data[off:off + 4])
                body = data[off + 4 + 10: off + 4 + length]
                if typ == 0x8004:
                    for r in range(0, len(body) - 33, 34):
                        t1 = self.ts(body, r + 2) + (struct.unpack(">q", body[r + 12:r + 20])[0] >> 16)
                        t2 = self.ts(body, r + 24)
                        self.last = (t1, t2)
                        if self.delays:
                            d = sorted(self.delays)[len(self.delays) // 2]
                            self.offsets.append(t2 - t1 - d)
                elif typ == 0x7F00 and self.last:
                    for r in range(0, len(body) - 29, 30):
                        t3 = self.ts(body, r + 2)
                        t4 = self.ts(body, r + 20) - (struct.unpack(">q", body[r + 12:r + 20])[0] >> 16)
                        t1, t2 = self.last
                        self.delays = (self.delays + [((t2 - t1) + (t4 - t3)) / 2])[-10:]
                off += 4 + length


def pct(values):
    v = sorted(abs(x) for x in values)
    if not v:
        return (0, 0, 0, 0)
    rank = lambda p: v[min(len(v) - 1, max(0, int(-(-p * len(v) // 1)) - 1))]
    return (len(v), rank(0.5), rank(0.95), rank(0.99))


def wait_for(cond, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.2)
    return cond()


# Announce at 4/s in cases 1 and 3, so the slave lets go of one master and takes the next in about a second.
# Accuracy runs (1, 2) set logMinDelayReqInterval -4 on every master: the slave then sends 16 Delay_Req/s and
# each offset's path-delay median (last 10) is fresh; at the default 1/s a phase's offsets rest on a handful
# of noisy delay samples. The resource run (3) keeps ptp4l's default, so its figures compare with earlier runs.
DREQ = "logMinDelayReqInterval -4\n"
GM_PTP4L = "[global]\nfree_running 1\npriority1 100\nlogSyncInterval -4\nlogAnnounceInterval -2\n{dreq}uds_address {sock}\n"
SLAVE = "[global]\nfree_running 1\nslaveOnly 1\nlogAnnounceInterval -2\nuds_address {sock}\nslave_event_monitor {sem}\n"
GM_MERIDIAN = ("[global]\nclock_device virtual\nfree_running 1\ntime_stamping software\npriority1 100\nlogSyncInterval -4\n"
               "logAnnounceInterval -2\n{dreq}use_syslog 0\nuds_address {sock}\nuds_ro_address {ro}\n[{iface}]\n")
BC_MERIDIAN = ("[global]\nclock_device virtual\nvirtual_clock_offset 0.05\nvirtual_clock_freq_ppm 20\ntime_stamping software\n"
               "logSyncInterval -4\nlogAnnounceInterval -2\n{dreq}pi_proportional_scale 0.7\npi_integral_scale 0.3\nstep_threshold 0.001\n"
               "summary_interval -4\nverbose 1\nuse_syslog 0\nuds_address {sock}\nuds_ro_address {ro}\n[{up}]\n[{down}]\nmasterOnly 1\n")


def pair(tag, net):
    a, b = f"mb{PID}{tag}a", f"mb{PID}{tag}b"
    netns(a); netns(b)
    veth(a, f"mb{PID}{tag}x", b, f"mb{PID}{tag}y", net)
    return a, f"mb{PID}{tag}x", b, f"mb{PID}{tag}y"


def serve(monitor, seconds, label):
    """Waits for 3 s of offsets from the master now serving the slave, then collects `seconds` of them."""
    if not wait_for(lambda: len(monitor.offsets) >= 48, 40):
        print(f"  {label}: the slave did not follow within 40 s")
        return None
    monitor.offsets.clear()
    wait_for(lambda: len(monitor.offsets) >= seconds * 16, seconds + 10)
    return list(monitor.offsets[: seconds * 16])


def forget(monitor):
    """Another master follows: path delays and samples from scratch."""
    monitor.delays = []
    monitor.last = None
    monitor.offsets.clear()


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()


def report(label, samples):
    stats = {k: pct(v) for k, v in samples.items()}
    for k, (n, p50, p95, p99) in stats.items():
        mean = sum(samples[k]) / max(1, len(samples[k]))
        print(f"  {label} {k:<28} n={n:<5} |offset| p50 {p50:>7.0f} ns  p95 {p95:>7.0f} ns  p99 {p99:>7.0f} ns  mean {mean:>6.0f} ns")
    return stats


def case1():
    a, x, b, y = pair("m", "96.1")
    m = Monitor("sem")
    start(a, 0, ["ptp4l", "-S", "-i", x, "-f", write("sl.cfg", SLAVE.format(sock=f"{TMP}/sl", sem=m.path))], "sl.log")
    meridian = [MERIDIAND, "-f", write("gm-m.conf", GM_MERIDIAN.format(sock=f"{TMP}/gmm", ro=f"{TMP}/gmm-ro", iface=y, dreq=DREQ))]
    ptp4l = ["ptp4l", "-S", "-i", y, "-f", write("gm-p.cfg", GM_PTP4L.format(sock=f"{TMP}/gmp", dreq=DREQ))]
    samples = {"Meridian GM -> ptp4l slave": [], "ptp4l GM -> ptp4l slave": []}
    quarter = max(1, MEASURE // 4)
    phases = [("Meridian GM -> ptp4l slave", meridian, quarter), ("ptp4l GM -> ptp4l slave", ptp4l, quarter)] * 4
    for i, (name, argv, seconds) in enumerate(phases):
        forget(m)
        p = start(b, 1, argv, f"gm{i}.log")
        got = serve(m, seconds, name)
        stop(p)
        if got is None:
            return None
        samples[name] += got
    return report("case 1", samples)


def case3():
    a, b, c = f"mb{PID}ca", f"mb{PID}cb", f"mb{PID}cc"
    for ns in (a, b, c):
        netns(ns)
    veth(a, f"mb{PID}ca0", b, f"mb{PID}cb0", "97.1")
    veth(b, f"mb{PID}cb1", c, f"mb{PID}cc1", "97.2")
    m = Monitor("sem")
    start(c, 0, ["ptp4l", "-S", "-i", f"mb{PID}cc1", "-f", write("csl.cfg", SLAVE.format(sock=f"{TMP}/csl", sem=m.path))], "csl.log")
    start(a, 1, ["ptp4l", "-S", "-i", f"mb{PID}ca0", "-f", write("cgm.cfg", GM_PTP4L.format(sock=f"{TMP}/cgm", dreq=DREQ))], "cgm.log")
    direct = ["ptp4l", "-S", "-i", f"mb{PID}cb1", "-f", write("dgm.cfg", GM_PTP4L.format(sock=f"{TMP}/dgm", dreq=DREQ))]
    bc = [MERIDIAND, "-f", write("bc.conf", BC_MERIDIAN.format(sock=f"{TMP}/bc", ro=f"{TMP}/bc-ro", up=f"mb{PID}cb0", down=f"mb{PID}cb1", dreq=DREQ))]
    samples = {"via Meridian BC": [], "ptp4l GM directly": []}
    half = max(1, MEASURE // 2)
    for i, (name, argv, seconds) in enumerate([("ptp4l GM directly", direct, half), ("via Meridian BC", bc, MEASURE),
                                               ("ptp4l GM directly", direct, half)]):
        forget(m)
        p = start(b, 1, argv, f"b{i}.log")
        if argv is bc:
            # The BC locks to the upstream grandmaster first (its clock starts 50 ms and 20 ppm off).
            log = os.path.join(TMP, f"b{i}.log")
            wait_for(lambda: open(log).read().count("true error") > 200, 60)
            forget(m)
        got = serve(m, seconds, name)
        if argv is bc:
            errors = [int(l.split("true error ")[1].split()[0]) for l in open(os.path.join(TMP, f"b{i}.log")) if "true error " in l]
            n, p50, p95, p99 = pct(errors[-seconds * 16:])
            print(f"  case 3 Meridian BC's own true error (virtual clock - system clock): n={n} p50 {p50} ns  p95 {p95} ns  p99 {p99} ns")
        stop(p)
        if got is None:
            return None
        samples[name] += got
    return report("case 3", samples)


def proc_usage(pid):
    """(cpu seconds, peak RSS kB) of pid and its children named meridiand/ptp4l."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                hwm = int(line.split()[1])
    return cpu, hwm


def anonymous_rss(pid):
    """kB of the process's resident anonymous memory (heap, stacks, private data): what it costs beyond the
    shared code of its libraries, which VmHWM counts too (libswiftCore alone is about 5 MB resident)."""
    total, anonymous = 0, False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                anonymous = len(head) < 6 or head[5] in ("[heap]", "[stack]")
            elif head[0] == "Rss:" and anonymous:
                total += int(head[1])
    return total


def daemon_pid(ns, name):
    out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
    for p in out:
        try:
            with open(f"/proc/{p}/comm") as f:
                if f.read().strip() == name:
                    return int(p)
        except OSError:
            pass
    return None


def resources(which, net):
    sw = f"mb{PID}{which[0]}sw"
    netns(sw)
    sh("ip", "-n", sw, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", sw, "link", "set", "br0", "type", "bridge", "forward_delay", "0", "mcast_snooping", "0")
    sh("ip", "-n", sw, "link", "set", "br0", "up")
    hosts = []
    for i in range(9):
        ns = f"mb{PID}{which[0]}h{i}"
        netns(ns)
        ifc, port = f"mr{PID % 1000}{which[0]}{i}", f"mq{PID % 1000}{which[0]}{i}"
        sh("ip", "link", "add", ifc, "netns", ns, "type", "veth", "peer", "name", port, "netns", sw)
        sh("ip", "-n", sw, "link", "set", port, "master", "br0")
        sh("ip", "-n", sw, "link", "set", port, "up")
        sh("ip", "-n", ns, "addr", "add", f"10.{net}.{i + 1}/24", "dev", ifc)
        sh("ip", "-n", ns, "link", "set", ifc, "up")
        hosts.append((ns, ifc))
    gm_ns, gm_if = hosts[0]
    if which == "meridiand":
        start(gm_ns, 1, [MERIDIAND, "-f", write(f"rgm-{which}.conf", GM_MERIDIAN.format(sock=f"{TMP}/r{which}", ro=f"{TMP}/r{which}-ro", iface=gm_if, dreq=""))], f"r-{which}.log")
    else:
        start(gm_ns, 1, ["ptp4l", "-S", "-i", gm_if, "-f", write("rgm.cfg", GM_PTP4L.format(sock=f"{TMP}/rptp4l", dreq=""))], f"r-{which}.log")
    for i, (ns, ifc) in enumerate(hosts[1:]):
        start(ns, 0, ["ptp4l", "-S", "-i", ifc, "-f", write(f"r{which}sl{i}.cfg", "[global]\nfree_running 1\nslaveOnly 1\nuds_address %s/r%ss%d\n" % (TMP, which, i))], f"r{which}sl{i}.log")
    time.sleep(15)  # BMCA settles; every slave sends Delay_Req
    pid = daemon_pid(gm_ns, which)
    if pid is None:
        print(f"  resources: {which} is not running")
        return None
    cpu0, _ = proc_usage(pid)
    time.sleep(MEASURE)
    cpu1, hwm = proc_usage(pid)
    anon = anonymous_rss(pid)
    print(f"  resources {which:<10} GM of 8 slaves, 16 Sync/s, {MEASURE} s: {cpu1 - cpu0:.2f} CPU-s ({100 * (cpu1 - cpu0) / MEASURE:.2f} % of a core), peak RSS {hwm} kB, anonymous RSS {anon} kB")
    return cpu1 - cpu0, hwm, anon


def cleanup():
    for p in PROCS:
        try:
            p.kill()
        except OSError:
            pass
    for ns in NAMESPACES:
        out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
        for p in out:
            try:
                os.kill(int(p), signal.SIGKILL)
            except OSError:
                pass
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
    subprocess.run(["rm", "-rf", TMP])


def ratio(stats, ours, theirs):
    (_, a50, a95, a99), (_, b50, b95, b99) = stats[ours], stats[theirs]
    f = lambda x, y: x / y if y else float("nan")
    return f"Meridian/linuxptp: p50 {f(a50, b50):.2f}, p95 {f(a95, b95):.2f}, p99 {f(a99, b99):.2f}"


def main():
    if os.geteuid() != 0:
        sys.exit("bench_interop: needs root (network namespaces)")
    print(f"== Interoperability with linuxptp 3.1 (software stamps, veth, {MEASURE} s windows, GMs on CPU 1, slaves on CPU 0) ==")
    try:
        s1 = case1()
        if s1:
            print("  case 1 ratio " + ratio(s1, "Meridian GM -> ptp4l slave", "ptp4l GM -> ptp4l slave"))
        cleanup(); NAMESPACES.clear(); PROCS.clear(); os.makedirs(TMP, exist_ok=True)
        s3 = case3()
        if s3:
            print("  case 3 ratio " + ratio(s3, "via Meridian BC", "ptp4l GM directly"))
        cleanup(); NAMESPACES.clear(); PROCS.clear(); os.makedirs(TMP, exist_ok=True)
        r1 = resources("meridiand", "98")
        cleanup(); NAMESPACES.clear(); PROCS.clear(); os.makedirs(TMP, exist_ok=True)
        r2 = resources("ptp4l", "99")
        if r1 and r2:
            print(f"  resources ratio Meridian/linuxptp: CPU {r1[0] / max(r2[0], 1e-9):.2f}, peak RSS {r1[1] / max(r2[1], 1):.2f}, anonymous RSS {r1[2] / max(r2[2], 1):.2f}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""make bench, interoperability part: Meridian next to linuxptp in the same run.

1. ptp4l slave of a Meridian grandmaster vs ptp4l slave of a ptp4l grandmaster (UDPv4/E2E, 16 Sync/s),
   both pairs at once on their own veth pairs, grandmasters pinned to CPU 1, slaves to CPU 0; every
   Sync's offset from ptp4l's slave_event_monitor, recomputed as tsproc does; MEASURE seconds each.
2. ptp4l GM -> Meridian BC (virtual clock) -> ptp4l slave vs ptp4l GM -> ptp4l slave, at once.
3. CPU seconds and peak RSS of meridiand and of ptp4l as grandmaster of 8 ptp4l slaves on a bridge at
   16 Sync/s over MEASURE seconds (one after the other).
Everything runs in namespaces this script creates and removes; every ptp4l has free_running 1 and
meridiand runs on a virtual clock: the system clock is never touched.
Prints medians and 95th/99th percentiles of |offset| and their ratios, not RMS or max.
"""
import os, signal, socket, struct, subprocess, sys, tempfile, threading, time

MEASURE = int(os.environ.get("MEASURE", "60"))
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


GM_PTP4L = "[global]\nfree_running 1\npriority1 100\nlogSyncInterval -4\nuds_address {sock}\n"
SLAVE = "[global]\nfree_running 1\nslaveOnly 1\nuds_address {sock}\nslave_event_monitor {sem}\n"
GM_MERIDIAN = ("[global]\nclock_device virtual\nfree_running 1\ntime_stamping software\npriority1 100\nlogSyncInterval -4\n"
               "use_syslog 0\nuds_address {sock}\nuds_ro_address {ro}\n[{iface}]\n")
BC_MERIDIAN = ("[global]\nclock_device virtual\nvirtual_clock_offset 0.05\nvirtual_clock_freq_ppm 20\ntime_stamping software\n"
               "logSyncInterval -4\npi_proportional_scale 0.7\npi_integral_scale 0.3\nstep_threshold 0.001\nuse_syslog 0\n"
               "uds_address {sock}\nuds_ro_address {ro}\n[{up}]\n[{down}]\nmasterOnly 1\n")


def pair(tag, net):
    a, b = f"mb{PID}{tag}a", f"mb{PID}{tag}b"
    netns(a); netns(b)
    veth(a, f"mb{PID}{tag}x", b, f"mb{PID}{tag}y", net)
    return a, f"mb{PID}{tag}x", b, f"mb{PID}{tag}y"


def compare(label, setups):
    """setups: {name: monitor}; waits until all follow, measures MEASURE s at once, prints percentiles."""
    if not wait_for(lambda: all(len(m.offsets) > 40 for m in setups.values()), 60):
        print(f"{label}: not every slave followed within 60 s: " + ", ".join(f"{k} {len(m.offsets)}" for k, m in setups.items()))
        return None
    for m in setups.values():
        m.offsets.clear()
    wait_for(lambda: all(len(m.offsets) >= MEASURE * 16 for m in setups.values()), MEASURE + 10)
    stats = {k: pct(m.offsets) for k, m in setups.items()}
    for k, (n, p50, p95, p99) in stats.items():
        print(f"  {label} {k:<28} n={n:<5} |offset| p50 {p50:>7.0f} ns  p95 {p95:>7.0f} ns  p99 {p99:>7.0f} ns")
    return stats


def case1():
    a1, x1, b1, y1 = pair("m", "96.1")
    a2, x2, b2, y2 = pair("p", "96.2")
    m1, m2 = Monitor("sem-m"), Monitor("sem-p")
    start(b1, 1, [MERIDIAND, "-f", write("gm-m.conf", GM_MERIDIAN.format(sock=f"{TMP}/gmm", ro=f"{TMP}/gmm-ro", iface=y1))], "gm-m.log")
    start(b2, 1, ["ptp4l", "-S", "-i", y2, "-f", write("gm-p.cfg", GM_PTP4L.format(sock=f"{TMP}/gmp"))], "gm-p.log")
    start(a1, 0, ["ptp4l", "-S", "-i", x1, "-f", write("sl-m.cfg", SLAVE.format(sock=f"{TMP}/slm", sem=m1.path))], "sl-m.log")
    start(a2, 0, ["ptp4l", "-S", "-i", x2, "-f", write("sl-p.cfg", SLAVE.format(sock=f"{TMP}/slp", sem=m2.path))], "sl-p.log")
    return compare("case 1", {"Meridian GM -> ptp4l slave": m1, "ptp4l GM -> ptp4l slave": m2})


def case3():
    a, b, c = f"mb{PID}ca", f"mb{PID}cb", f"mb{PID}cc"
    for ns in (a, b, c):
        netns(ns)
    veth(a, f"mb{PID}ca0", b, f"mb{PID}cb0", "97.1")
    veth(b, f"mb{PID}cb1", c, f"mb{PID}cc1", "97.2")
    d1, dx, d2, dy = pair("d", "97.3")
    m1, m2 = Monitor("sem-chain"), Monitor("sem-direct")
    start(a, 1, ["ptp4l", "-S", "-i", f"mb{PID}ca0", "-f", write("cgm.cfg", GM_PTP4L.format(sock=f"{TMP}/cgm"))], "cgm.log")
    start(b, 1, [MERIDIAND, "-f", write("bc.conf", BC_MERIDIAN.format(sock=f"{TMP}/bc", ro=f"{TMP}/bc-ro", up=f"mb{PID}cb0", down=f"mb{PID}cb1"))], "bc.log")
    start(c, 0, ["ptp4l", "-S", "-i", f"mb{PID}cc1", "-f", write("csl.cfg", SLAVE.format(sock=f"{TMP}/csl", sem=m1.path))], "csl.log")
    start(d2, 1, ["ptp4l", "-S", "-i", dy, "-f", write("dgm.cfg", GM_PTP4L.format(sock=f"{TMP}/dgm"))], "dgm.log")
    start(d1, 0, ["ptp4l", "-S", "-i", dx, "-f", write("dsl.cfg", SLAVE.format(sock=f"{TMP}/dsl", sem=m2.path))], "dsl.log")
    return compare("case 3", {"via Meridian BC": m1, "ptp4l GM directly": m2})


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
        start(gm_ns, 1, [MERIDIAND, "-f", write(f"rgm-{which}.conf", GM_MERIDIAN.format(sock=f"{TMP}/r{which}", ro=f"{TMP}/r{which}-ro", iface=gm_if))], f"r-{which}.log")
    else:
        start(gm_ns, 1, ["ptp4l", "-S", "-i", gm_if, "-f", write("rgm.cfg", GM_PTP4L.format(sock=f"{TMP}/rptp4l"))], f"r-{which}.log")
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
    print(f"  resources {which:<10} GM of 8 slaves, 16 Sync/s, {MEASURE} s: {cpu1 - cpu0:.2f} CPU-s ({100 * (cpu1 - cpu0) / MEASURE:.2f} % of a core), peak RSS {hwm} kB")
    return cpu1 - cpu0, hwm


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
            print(f"  resources ratio Meridian/linuxptp: CPU {r1[0] / max(r2[0], 1e-9):.2f}, peak RSS {r1[1] / max(r2[1], 1):.2f}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""make bench, unicast part (issue 15): a unicast master serving many negotiated clients, Meridian and ptp4l 3.1
in turn, with the same load generator.

The master runs linuxptp's UNICAST-MASTER.cfg settings (unicast_listen 1, hybrid_e2e 1,
inhibit_multicast_service 1) with software stamps in one namespace, pinned to CPU 1; ptp4l has free_running 1 and
meridiand a virtual clock, so the system clock is never touched. The load generator (this script, pinned to CPU 0)
runs CLIENTS clients (1,000 and 10,000 by default, issue 15's loads) in a second namespace, each from its own IPv4
address on one veth (10.93.0.0/16): every client asks for Announce (log 1, both masters' default: Meridian refuses a faster interval than its
port's own, ptp4l grants any), Sync (log SYNC_LOG, 0 = 1/s by
default) and Delay_Resp (log SYNC_LOG) with
REQUEST_UNICAST_TRANSMISSION (IEEE 1588-2019 16.1.4.1) for DURATION s, renews at half of it, sends its
Delay_Req at the Delay_Resp rate, and reads what comes back. Each client is a (clockIdentity, address) pair as
ptp4l's unicast_service keys them.

Measured over MEASURE s once every client holds its grants (one run per master):
  - the master's CPU time, every thread (utime + stime of /proc/PID/stat), as % of a core, per message it served
    (Announce, Sync, Follow_Up and Delay_Resp the clients received), and as the ratio Meridian / linuxptp;
  - Delay_Req left unanswered in the window (sent minus Delay_Resp received, at least 0);
  - its peak RSS;
  - the service: per client the Sync, Follow_Up and Delay_Resp rates received (median and the lowest client),
    and the grants counted; a client that received less than 90 % of the rate it asked for is named "short".
The load generator holds ports 319 and 320 of every client address (two wildcard sockets), so the kernel never
answers a client port with ICMP; if the
generator falls behind (its own Delay_Req rate below 95 % of the target) the line says so, and the run's ratio
is then a comparison at a lower load than asked.

Then Meridian alone at each count of LADDER (2,000 to 40,000 by default), up to the first count at which a Delay_Req
went unanswered, was answered later than 10 ms (its Delay_Req's send to the Delay_Resp's kernel receive time on the
client's socket, SO_TIMESTAMPNS, so the generator's own lag in reading is not counted), or a client was short: the
largest count that passed is issue 15's "every Delay_Req within 10 ms" figure, with the CPU it took. A line whose
generator fell behind is a lower load than asked, and says so.

ROUNDS=N alternates Meridian and ptp4l N times at each count of CLIENTS and takes the ratio of the medians (this
VM's CPU figures drift by +-15 % between runs minutes apart).

  CLIENTS=100,500 LADDER= MEASURE=30 python3 Benchmarks/interop/bench_unicast.py .build/release/meridiand
"""
import ctypes, heapq, json, os, random, selectors, socket, struct, subprocess, sys, tempfile, time

MERIDIAND = sys.argv[1] if len(sys.argv) > 1 else "meridiand"
CLIENT_COUNTS = [int(n) for n in os.environ.get("CLIENTS", "1000,10000").split(",") if n.strip()]
# Meridian alone at rising client counts: the largest at which every Delay_Req is answered within 10 ms.
LADDER = [int(n) for n in os.environ.get("LADDER", "2000,5000,10000,20000,30000,40000").split(",") if n.strip()]
MEASURE = int(os.environ.get("MEASURE", "30"))
# Meridian and ptp4l alternate this many times at each count of CLIENTS; the ratio is of the medians. This VM's
# CPU figures drift by +-15 % between runs minutes apart, more than a change worth measuring.
ROUNDS = max(1, int(os.environ.get("ROUNDS", "1")))
SYNC_LOG = int(os.environ.get("SYNC_LOG", "0"))
DURATION = int(os.environ.get("DURATION", "60"))
WARMUP = int(os.environ.get("WARMUP", "8"))
TAG = f"mub{os.getpid() % 10000}"
SERVER_NS, CLIENT_NS = f"{TAG}s", f"{TAG}c"
SERVER_ADDRESS = "10.93.0.1"
HOME_NAMESPACE = os.open("/proc/self/ns/net", os.O_RDONLY)  # to come back from the clients' namespace
TMP = tempfile.mkdtemp(prefix="meridian-bench-unicast-")
sys.stdout.reconfigure(line_buffering=True)

SYNC, DELAY_REQ, FOLLOW_UP, DELAY_RESP, ANNOUNCE, SIGNALING = 0x0, 0x1, 0x8, 0x9, 0xB, 0xC
REQUEST_UNICAST, GRANT_UNICAST = 0x0004, 0x0005


def sh(*args, check=True):
    return subprocess.run(args, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def setup(clients):
    sh("ip", "netns", "add", SERVER_NS)
    sh("ip", "netns", "add", CLIENT_NS)
    for ns in (SERVER_NS, CLIENT_NS):
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("ip", "link", "add", "ubs0", "netns", SERVER_NS, "type", "veth", "peer", "name", "ubc0", "netns", CLIENT_NS)
    sh("ip", "-n", SERVER_NS, "addr", "add", f"{SERVER_ADDRESS}/16", "dev", "ubs0")
    sh("ip", "-n", SERVER_NS, "link", "set", "ubs0", "up")
    sh("ip", "-n", CLIENT_NS, "link", "set", "ubc0", "up")
    # One address per client: a batch for `ip -batch` (thousands of `ip addr add` processes take long).
    batch = os.path.join(TMP, "addresses")
    with open(batch, "w") as f:
        for i in range(clients):
            f.write(f"addr add {client_address(i)}/16 dev ubc0 nodad\n")
    sh("ip", "-n", CLIENT_NS, "-batch", batch)
    # The server's neighbour entry of every client, permanent: no ARP storm measures itself, and permanent
    # entries do not count against the neighbour table's gc_thresh3 (1,024 by default, and a setting of the
    # host's initial namespace only), which would otherwise leave all but about a thousand clients unreachable.
    mac = json.loads(subprocess.run(
        ["ip", "-n", CLIENT_NS, "-j", "link", "show", "ubc0"], capture_output=True, text=True, check=True).stdout)[0]["address"]
    with open(batch, "w") as f:
        for i in range(clients):
            f.write(f"neigh replace {client_address(i)} lladdr {mac} dev ubs0 nud permanent\n")
    sh("ip", "-n", SERVER_NS, "-batch", batch)


def teardown():
    for ns in (SERVER_NS, CLIENT_NS):
        out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
        for pid in out:
            try:
                os.kill(int(pid), 9)
            except (OSError, ValueError):
                pass
        sh("ip", "netns", "del", ns, check=False)


def client_address(i):
    return f"10.93.{1 + i // 250}.{2 + i % 250}"


def header(message_type, length, identity, sequence, control, log_interval, flags=0x0400):
    # flagField: unicastFlag (0x04 of octet 0) set on everything a unicast client sends (13.3.2.8).
    return struct.pack(
        ">BBHBBHqI8sHHBb", message_type, 0x02, length, 0, 0, flags, 0, 0, identity, 1, sequence, control,
        log_interval)


def request_signaling(identity, sequence):
    tlvs = b""
    for message_type, log in ((ANNOUNCE, 1), (SYNC, SYNC_LOG), (DELAY_RESP, SYNC_LOG)):
        tlvs += struct.pack(">HHBbI", REQUEST_UNICAST, 6, message_type << 4, log, DURATION)
    length = 34 + 10 + len(tlvs)
    return header(SIGNALING, length, identity, sequence, 0x05, 0x7F) + b"\xff" * 10 + tlvs


def delay_req(identity, sequence):
    return header(DELAY_REQ, 44, identity, sequence, 0x01, 0x7F) + bytes(10)


SO_TIMESTAMPNS = 35  # the kernel's receive time (CLOCK_REALTIME) of each datagram, as ancillary data
LATE = 0.010  # issue 15: every Delay_Req answered within 10 ms
RESPONSE_TIMES = []  # (seconds from Delay_Req sent to Delay_Resp received) within the measurement window
MEASURING = [False]


IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
SO_RCVBUFFORCE = 33


class Endpoint:
    """The clients' two sockets: every client's address on port 319 and on port 320 (bound to the wildcard in
    the clients' namespace), so 10,000 clients take two descriptors, not 20,000. A send names its client's
    address as the source (IP_PKTINFO); a receive learns which client it was for from the destination address
    (IP_PKTINFO). Each client is still its own (clockIdentity, address) pair to the master."""

    def __init__(self):
        self.event = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.general = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for s, port in ((self.event, 319), (self.general, 320)):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            try:
                s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
            except OSError:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
        # Delay_Resp arrives on the general socket: its kernel receive time, so the generator's own lag in
        # reading it is not counted against the master.
        self.general.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)

    @staticmethod
    def source(address):
        return [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("=I4s4s", 0, address, b"\0\0\0\0"))]

    def close(self):
        self.event.close()
        self.general.close()


class Client:
    __slots__ = ("identity", "address", "sequence", "counts", "grants", "requested_at", "sent", "delay_req_sent")

    def __init__(self, i):
        self.identity = struct.pack(">BI3s", 0x02, i, b"\x4d\x55\x42")
        self.address = socket.inet_aton(client_address(i))
        self.delay_req_sent = {}  # sequenceId -> CLOCK_REALTIME just before the send (the last few only)
        self.sequence = 0
        self.counts = {SYNC: 0, FOLLOW_UP: 0, DELAY_RESP: 0, ANNOUNCE: 0}
        self.grants = 0
        self.requested_at = 0.0
        self.sent = 0

    def request(self, endpoint, now):
        self.sequence = (self.sequence + 1) & 0xFFFF
        try:
            endpoint.general.sendmsg(
                [request_signaling(self.identity, self.sequence)], Endpoint.source(self.address), 0,
                (SERVER_ADDRESS, 320))
        except BlockingIOError:
            pass
        self.requested_at = now

    def send_delay_req(self, endpoint):
        self.sequence = (self.sequence + 1) & 0xFFFF
        if len(self.delay_req_sent) > 8:
            self.delay_req_sent.clear()
        self.delay_req_sent[self.sequence] = time.time()
        try:
            endpoint.event.sendmsg(
                [delay_req(self.identity, self.sequence)], Endpoint.source(self.address), 0, (SERVER_ADDRESS, 319))
            self.sent += 1
        except BlockingIOError:
            pass

    def received(self, data, stamp):
        if len(data) < 34:
            return
        kind = data[0] & 0x0F
        if kind in self.counts:
            self.counts[kind] += 1
            if kind == DELAY_RESP and MEASURING[0] and stamp is not None:
                sent = self.delay_req_sent.pop(struct.unpack_from(">H", data, 30)[0], None)
                if sent is not None:
                    RESPONSE_TIMES.append(stamp - sent)
        elif kind == SIGNALING:
            offset = 44
            while offset + 4 <= len(data):
                tlv_type, tlv_length = struct.unpack_from(">HH", data, offset)
                if tlv_type == GRANT_UNICAST and tlv_length >= 8:
                    duration = struct.unpack_from(">I", data, offset + 6)[0]
                    if duration > 0:
                        self.grants += 1
                offset += 4 + tlv_length


def read_endpoint(sock, clients, limit=256):
    """Reads what is queued on one of the shared sockets (at most `limit`) and hands each datagram to the
    client whose address it was sent to."""
    for _ in range(limit):
        try:
            data, ancillary, _, _ = sock.recvmsg(512, 128)
        except BlockingIOError:
            return
        client = stamp = None
        for level, ctype, value in ancillary:
            if level == socket.IPPROTO_IP and ctype == IP_PKTINFO and len(value) >= 12:
                b = value[8:12]  # ipi_addr: the header's destination address
                index = (b[2] - 1) * 250 + (b[3] - 2)
                if b[0] == 10 and b[1] == 93 and 0 <= index < len(clients):
                    client = clients[index]
            elif level == socket.SOL_SOCKET and ctype == SO_TIMESTAMPNS and len(value) >= 16:
                seconds, nanoseconds = struct.unpack_from("=qq", value)
                stamp = seconds + nanoseconds * 1e-9
        if client is not None:
            client.received(data, stamp)


LIBC = ctypes.CDLL(None, use_errno=True)


def enter_namespace(target):
    """setns(2) this thread into a network namespace (a path, or an open descriptor): the clients' sockets are
    created there, and the script comes back to its own afterwards."""
    fd = os.open(target, os.O_RDONLY) if isinstance(target, str) else target
    try:
        if LIBC.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), f"setns {target}")
    finally:
        if isinstance(target, str):
            os.close(fd)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1])
    return 0


def daemon_pid(pid):
    # taskset execs `ip netns exec`, which execs the daemon: the Popen's pid ends as the daemon's.
    return pid


def start_master(which):
    common = (
        "[global]\nunicast_listen 1\nhybrid_e2e 1\ninhibit_multicast_service 1\ntime_stamping software\n"
        f"logSyncInterval {SYNC_LOG}\nlogMinDelayReqInterval {SYNC_LOG}\nlogAnnounceInterval 1\n"
    )
    log = open(os.path.join(TMP, f"{which}.log"), "w")
    if which == "meridiand":
        conf = os.path.join(TMP, "meridiand.conf")
        with open(conf, "w") as f:
            f.write(
                common + "clock_device virtual\nuse_syslog 0\nunicast_max_clients 100000\n"
                f"uds_address {TMP}/m.sock\nuds_ro_address {TMP}/m-ro.sock\n"
                + ("verbose 1\n" if os.environ.get("VERBOSE") else "") + "[ubs0]\n")
        args = [MERIDIAND, "-f", conf]
    else:
        conf = os.path.join(TMP, "ptp4l.cfg")
        with open(conf, "w") as f:
            f.write(common + f"free_running 1\nuds_address {TMP}/p.sock\n")
        args = ["ptp4l", "-f", conf, "-i", "ubs0", "-S"] + (["-m"] if os.environ.get("VERBOSE") else [])
    return subprocess.Popen(
        ["taskset", "-c", "1", "ip", "netns", "exec", SERVER_NS, *args], stdout=log, stderr=subprocess.STDOUT)


def run(which, clients_n):
    process = start_master(which)
    time.sleep(3)
    if process.poll() is not None:
        print(f"  unicast {which:<10} did not start; its log:\n" + open(os.path.join(TMP, f"{which}.log")).read()[-2000:])
        return None
    pid = daemon_pid(process.pid)
    selector = selectors.EpollSelector()
    clients = [Client(i) for i in range(clients_n)]
    enter_namespace(f"/var/run/netns/{CLIENT_NS}")
    try:
        endpoint = Endpoint()
    finally:
        enter_namespace(HOME_NAMESPACE)
    selector.register(endpoint.event, selectors.EVENT_READ, endpoint.event)
    selector.register(endpoint.general, selectors.EVENT_READ, endpoint.general)
    period = 2.0 ** SYNC_LOG
    start = time.monotonic()
    rng = random.Random(1)
    for c in clients:
        c.requested_at = start - DURATION  # request at once, spread below
    # Each client's Delay_Req on its own phase of the period.
    due = [(start + rng.random() * period, i) for i in range(clients_n)]
    heapq.heapify(due)
    measure_from, measure_to = start + WARMUP, start + WARMUP + MEASURE
    cpu0 = snapshot = final = None
    next_request = 0
    deadline = measure_to + 1
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if snapshot is None and now >= measure_from:
            MEASURING[0] = True
            RESPONSE_TIMES.clear()
            cpu0 = cpu_seconds(pid)
            snapshot = [(dict(c.counts), c.sent) for c in clients]
        if snapshot is not None and now >= measure_to and cpu0 is not None:
            cpu1 = cpu_seconds(pid)
            final = [(dict(c.counts), c.sent) for c in clients]
            MEASURING[0] = False
            break
        # Requests (and renewals at half the duration), a few hundred per pass so the start is not one burst.
        for _ in range(min(200, clients_n)):
            c = clients[next_request]
            # Renew at half the duration; until the grants came, ask again every 2 s (a ptp4l client asks every
            # logQueryInterval, 2 s in linuxptp's UNICAST-SLAVE.cfg): a request lost in the start's burst is retried.
            if now - c.requested_at >= (DURATION / 2 if c.grants >= 3 else 2.0):
                c.request(endpoint, now)
            next_request = (next_request + 1) % clients_n
        while due and due[0][0] <= now:
            at, i = heapq.heappop(due)
            clients[i].send_delay_req(endpoint)
            heapq.heappush(due, (at + period if at + period > now else now + period, i))
        for key, _ in selector.select(timeout=0.002):
            read_endpoint(key.data, clients)
    rss = peak_rss(pid)
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    endpoint.close()
    if final is None or cpu0 is None:
        print(f"  unicast {which:<10} {clients_n} clients: the run ended before its measurement")
        return None
    cpu = cpu1 - cpu0
    asked = 1 / period
    rates = {k: [] for k in (SYNC, FOLLOW_UP, DELAY_RESP)}
    announce = [(after[ANNOUNCE] - before[ANNOUNCE]) / MEASURE for (before, _), (after, _) in zip(snapshot, final)]
    sent = []
    for (before, sent0), (after, sent1) in zip(snapshot, final):
        for k in rates:
            rates[k].append((after[k] - before[k]) / MEASURE)
        sent.append((sent1 - sent0) / MEASURE)
    short = sum(1 for i in range(clients_n) if min(rates[k][i] for k in rates) < 0.9 * asked)
    served = sum(
        (after[k] - before[k]) for (before, _), (after, _) in zip(snapshot, final) for k in (SYNC, FOLLOW_UP, DELAY_RESP, ANNOUNCE))
    unanswered = max(0, round(sum(sent) * MEASURE - sum(rates[DELAY_RESP]) * MEASURE))
    per_message = cpu / served * 1e6 if served else float("inf")
    median = lambda values: sorted(values)[len(values) // 2]
    grants = sum(1 for c in clients if c.grants > 0)
    behind = median(sent) < 0.95 * asked
    times = sorted(RESPONSE_TIMES)
    late = sum(1 for t in times if t > LATE)
    quantile = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1e3 if times else float("nan")
    within = unanswered == 0 and late == 0 and short == 0
    print(
        f"  unicast {which:<10} {clients_n:>5} clients, {asked:.0f} Sync+Delay_Resp/s each, {MEASURE} s: "
        f"CPU {cpu:.2f} s ({100 * cpu / MEASURE:.1f} % of a core, {per_message:.1f} µs per served message of {served}), "
        f"peak RSS {rss} kB; Delay_Req unanswered {unanswered}; per client median "
        f"Sync {median(rates[SYNC]):.1f}/s Follow_Up {median(rates[FOLLOW_UP]):.1f}/s "
        f"Delay_Resp {median(rates[DELAY_RESP]):.1f}/s Announce {median(announce):.2f}/s, lowest Sync {min(rates[SYNC]):.1f}/s; "
        f"clients granted {grants}, short {short}; Delay_Resp after {quantile(0.5):.2f} / {quantile(0.99):.2f} / "
        f"{(times[-1] * 1e3 if times else float('nan')):.2f} ms (p50/p99/max of {len(times)}), later than "
        f"{LATE * 1e3:.0f} ms {late}: every Delay_Req answered within {LATE * 1e3:.0f} ms: {'yes' if within else 'no'}"
        + ("; load generator behind: Delay_Req median %.1f/s" % median(sent) if behind else ""))
    return cpu, rss, short, per_message, within


def main():
    if os.geteuid() != 0:
        sys.exit("bench_unicast: needs root (network namespaces)")
    print(
        f"== Unicast master, many negotiated clients (software stamps, veth, masters on CPU 1, clients on CPU 0, "
        f"{MEASURE} s each; {MERIDIAND}) ==")
    os.sched_setaffinity(0, {0})
    try:
        for n in CLIENT_COUNTS:
            teardown()
            setup(n)
            results = {"meridiand": [], "ptp4l": []}
            for _ in range(ROUNDS):
                for which in ("meridiand", "ptp4l"):
                    result = run(which, n)
                    if result:
                        results[which].append(result)
                    time.sleep(1)
            # The run with the median CPU per served message of each (the upper one of an even count).
            m, p = (sorted(results[w], key=lambda r: r[3])[len(results[w]) // 2] if results[w] else None
                    for w in ("meridiand", "ptp4l"))
            if m and p:
                rounds = f" (medians of {ROUNDS} alternating runs each)" if ROUNDS > 1 else ""
                print(
                    f"  unicast ratio Meridian/linuxptp at {n} clients{rounds}: CPU per served message {m[3] / max(p[3], 1e-9):.2f}, "
                    f"CPU {m[0] / max(p[0], 1e-9):.2f}, "
                    f"peak RSS {m[1] / max(p[1], 1):.2f}")
            teardown()
        # The ladder stops at the first count that fails (or that the generator could not load fully).
        largest = None
        for n in LADDER:
            teardown()
            setup(n)
            result = run("meridiand", n)
            teardown()
            if result is None or not result[4]:
                break
            largest = (n, result[0])
        if LADDER:
            print(
                "  unicast largest client count tried (of %s) with every Delay_Req answered within %.0f ms: %s"
                % (",".join(map(str, LADDER)), LATE * 1e3,
                   f"{largest[0]} (Meridian CPU {100 * largest[1] / MEASURE:.1f} % of a core)" if largest else "none"))
    finally:
        teardown()
        if not os.environ.get("KEEP"):
            subprocess.run(["rm", "-rf", TMP])
        else:
            print(f"  logs kept in {TMP}")


if __name__ == "__main__":
    main()

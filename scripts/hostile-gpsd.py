#!/usr/bin/env python3
"""A hostile gpsd for tests (issue #17): speaks gpsd's JSON protocol on 127.0.0.1:PORT with extreme and malformed
reports, binary garbage, a line beyond any buffer, and a line trickled a byte at a time, to every client, until
SECONDS pass.

usage: hostile-gpsd.py PORT SECONDS
       hostile-gpsd.py PORT SECONDS --relay UPSTREAM_PORT --after FILE

With --relay it is first a faithful gpsd: every client's bytes go to 127.0.0.1:UPSTREAM_PORT (a real gpsd) and
back, a connection to each. Once FILE exists it turns hostile on the connections it has and on new ones: gpsd's
own reports stop, and every 0.2 s the client gets the lines above plus well-formed reports with extreme values
(a PPS a million seconds off the clock, a TPV in 2100, a PPS half a second off, a TOFF 30 years back), and now
and then binary garbage. It prints `hostile N` (lines sent while hostile) when SECONDS end.
"""
import os
import select
import socket
import sys
import threading
import time

LINES = [
    '{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}',
    '{"class":"DEVICES","devices":[{"class":"DEVICE","path":"/dev/hostile","driver":"NMEA0183"}]}',
    '{"class":"TPV","mode":3,"time":"2026-01-01T00:00:00.000Z","leapseconds":9223372036854775807}',
    '{"class":"PPS","real_sec":-9223372036854775808,"real_nsec":0,"clock_sec":1,"clock_nsec":0,"precision":-20}',
    '{"class":"TOFF","real_sec":1700000000,"real_nsec":0,"clock_sec":99999999999999999999,"clock_nsec":0}',
    '{"class":"SKY","uSat":-9223372036854775808,"nSat":3}',
    '{"class":"PPS","real_sec":1700000000,"real_nsec":-1,"clock_sec":1700000000,"clock_nsec":1000000000}',
    '{"class":"TPV","mode":99,"time":"99999-99-99T99:99:99Z"}',
    '{"class":',
]


def serve(client, deadline):
    try:
        for line in LINES:
            client.sendall((line + "\r\n").encode())
        client.sendall(bytes((i * 131 + 7) % 256 for i in range(4096)) + b"\n")
        for line in LINES[2:]:
            client.sendall((line + "\r\n").encode())
        for byte in b'{"class":"TPV","mode":3,"leapseconds":18}':
            if time.monotonic() > deadline:
                break
            client.sendall(bytes([byte]))
            time.sleep(0.02)
        client.sendall(b"A" * 200000 + b"\r\n")
        time.sleep(0.2)
    except OSError:
        pass
    finally:
        client.close()


def extreme_lines():
    """Well-formed gpsd reports whose values no receiver could give: offsets a real clock never has."""
    now = int(time.time())
    return [
        '{"class":"PPS","device":"/dev/hostile","real_sec":%d,"real_nsec":0,"clock_sec":%d,"clock_nsec":0,"precision":-20}'
        % (now + 1000000, now),
        '{"class":"TPV","device":"/dev/hostile","mode":3,"time":"2100-01-01T00:00:00.000Z","leapseconds":18}',
        '{"class":"PPS","device":"/dev/hostile","real_sec":%d,"real_nsec":500000000,"clock_sec":%d,"clock_nsec":0,"precision":-20}'
        % (now, now),
        '{"class":"TOFF","device":"/dev/hostile","real_sec":%d,"real_nsec":0,"clock_sec":%d,"clock_nsec":0}'
        % (now - 946080000, now),
        '{"class":"TPV","device":"/dev/hostile","mode":3,"time":"2026-13-45T25:61:61.000Z","leapseconds":-9223372036854775808}',
    ]


class Relay:
    def __init__(self, upstream, trigger, deadline):
        self.upstream, self.trigger, self.deadline = upstream, trigger, deadline
        self.hostile_lines = 0
        self.lock = threading.Lock()

    def hostile(self):
        return os.path.exists(self.trigger)

    def serve(self, client):
        upstream = None
        try:
            if not self.hostile():
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream), timeout=1)
                except OSError:
                    return  # gpsd is down: the client sees the connection close, as it would
            # gpsd writes each report at once (its PPS report right after the edge): no Nagle delay here either.
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client.setblocking(False)
            if upstream:
                upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                upstream.setblocking(False)
            last = 0.0
            rounds = 0
            while time.monotonic() < self.deadline:
                sockets = [client] + ([upstream] if upstream else [])
                readable, _, _ = select.select(sockets, [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        if sock is client or not self.hostile():
                            return
                        upstream.close()
                        upstream = None
                        continue
                    if sock is client:
                        if upstream:
                            upstream.sendall(data)
                    elif not self.hostile():
                        client.setblocking(True)
                        client.sendall(data)
                        client.setblocking(False)
                if self.hostile() and time.monotonic() - last >= 0.2:
                    last = time.monotonic()
                    rounds += 1
                    lines = extreme_lines() + LINES[2:]
                    payload = "".join(line + "\r\n" for line in lines).encode()
                    if rounds % 10 == 0:
                        payload += bytes((i * 131 + 7) % 256 for i in range(512)) + b"\n"
                    client.setblocking(True)
                    client.sendall(payload)
                    client.setblocking(False)
                    with self.lock:
                        self.hostile_lines += len(lines)
        except OSError:
            pass
        finally:
            client.close()
            if upstream:
                upstream.close()


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    relay = None
    if "--relay" in sys.argv:
        upstream = int(sys.argv[sys.argv.index("--relay") + 1])
        trigger = sys.argv[sys.argv.index("--after") + 1]
        relay = Relay(upstream, trigger, time.monotonic() + seconds)
    deadline = time.monotonic() + seconds
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(8)
    server.settimeout(0.2)
    connections = 0
    while time.monotonic() < deadline:
        try:
            client, _ = server.accept()
        except socket.timeout:
            continue
        connections += 1
        if relay:
            threading.Thread(target=relay.serve, args=(client,), daemon=True).start()
        else:
            threading.Thread(target=serve, args=(client, deadline), daemon=True).start()
    print("connections %d" % connections, flush=True)
    if relay:
        print("hostile %d" % relay.hostile_lines, flush=True)


if __name__ == "__main__":
    main()

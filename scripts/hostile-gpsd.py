#!/usr/bin/env python3
"""A hostile gpsd for tests (issue #17): speaks gpsd's JSON protocol on 127.0.0.1:PORT with extreme and malformed
reports, binary garbage, a line beyond any buffer, and a line trickled a byte at a time, to every client, until
SECONDS pass.

usage: hostile-gpsd.py PORT SECONDS
"""
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


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
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
        threading.Thread(target=serve, args=(client, deadline), daemon=True).start()
    print("connections %d" % connections, flush=True)


if __name__ == "__main__":
    main()

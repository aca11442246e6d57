#!/usr/bin/env python3
"""Paced HTTP GETs on one keep-alive connection: `http-load.py RATE SECONDS [PORT] [PATH]`.

Sends RATE requests per second (as far as the server keeps up) for SECONDS to 127.0.0.1:PORT (9319) PATH
(/metrics) and prints one line: `ok N fail N elapsed S worst_ms W p50_ms P p99_ms P`. A response counts as ok
when it is 200 and carries `meridian_clock_info` (a whole exposition). Used by the scrape-load interop test and
`make bench`'s scrape latency."""
import http.client
import sys
import time

rate = float(sys.argv[1])
seconds = float(sys.argv[2])
port = int(sys.argv[3]) if len(sys.argv) > 3 else 9319
path = sys.argv[4] if len(sys.argv) > 4 else "/metrics"


def connect():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=5)


conn = connect()
ok = fail = sent_count = 0
latencies = []
start = time.monotonic()
while True:
    now = time.monotonic()
    if now - start >= seconds:
        break
    target = start + sent_count / rate
    if now < target:
        time.sleep(target - now)
    sent = time.monotonic()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status == 200 and (path != "/metrics" or b"meridian_clock_info" in body):
            ok += 1
        else:
            fail += 1
    except (OSError, http.client.HTTPException):
        fail += 1
        conn.close()
        conn = connect()
    latencies.append(time.monotonic() - sent)
    sent_count += 1
latencies.sort()


def rank(p):
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0


print(f"ok {ok} fail {fail} elapsed {time.monotonic() - start:.2f} worst_ms {rank(1.0):.2f} "
      f"p50_ms {rank(0.5):.3f} p99_ms {rank(0.99):.3f}")

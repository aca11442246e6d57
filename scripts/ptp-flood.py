#!/usr/bin/env python3
"""Floods a PTP port over UDPv4 with malformed and hostile messages, for the namespace flood test (issue #17).

usage: ptp-flood.py TARGET_IPV4 RATE SECONDS SEED
       ptp-flood.py --l2 IFACE RATE SECONDS SEED
Sends RATE datagrams a second for SECONDS to TARGET's ports 319 and 320, round-robin over: random bytes to 319,
random bytes to 320, an Announce of priority1 0 from one of 1,000 random clock identities, a Sync and a Follow_Up
with random sequence ids, a Delay_Resp for another requester, and a wildcard Management GET. Every payload is
non-empty. Prints one line: `sent N` (datagrams the kernel accepted) and `kinds K1 K2 ...` per kind.

With --l2 the same kinds go out of IFACE as IEEE 802.3 frames (ethertype 0x88F7, a raw AF_PACKET socket: run it as
root in the namespace) to PTP's multicast address 01:1B:19:00:00:00, from 02:00:5E:00:17:07: another host on the
segment, not the interface's own address (random bytes twice per round, in place of 319 and 320).

Payloads come from pools made before the clock starts (1,000 per kind, each random; the Announces one per identity), so the rate is the kernel's and
not Python's.
"""
import random
import socket
import struct
import sys
import time


def header(message_type, length, sequence, identity, control, log_interval, domain=0, flags=0):
    # IEEE 1588-2019 13.3: transportSpecific|messageType, versionPTP 2, length, domain, minorSdoId 0, flags,
    # correction, messageTypeSpecific, sourcePortIdentity (8 + 2), sequenceId, controlField, logMessageInterval.
    return struct.pack(">BBHBBHq4s8sHHBb", message_type & 0x0F, 0x02, length, domain, 0, flags, 0, b"\0" * 4,
                       identity, 1, sequence & 0xFFFF, control, log_interval)


def timestamp(rng):
    return struct.pack(">HIi", 0, rng.randrange(0, 2**32), rng.randrange(0, 10**9))[:10]


L2_DESTINATION = bytes.fromhex("011b19000000")
L2_SOURCE = bytes.fromhex("02005e001707")
ETHERTYPE_PTP = 0x88F7
POOL = 1000


def main():
    layer2 = sys.argv[1] == "--l2"
    args = sys.argv[2:] if layer2 else sys.argv[1:]
    target, rate, seconds, seed = args[0], int(args[1]), float(args[2]), int(args[3])
    rng = random.Random(seed)
    identities = [bytes(rng.randrange(256) for _ in range(8)) for _ in range(1000)]
    if layer2:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE_PTP))
        sock.bind((target, 0))
        frame = L2_DESTINATION + L2_SOURCE + struct.pack(">H", ETHERTYPE_PTP)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)

    def random_bytes():
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 120)))

    announced = iter(range(1 << 30))

    def announce():
        ident = identities[next(announced) % len(identities)]  # each of the 1,000 in turn
        body = timestamp(rng) + struct.pack(">hBBBBHB8sHB", 37, 0, 0, 6, 0x21, 0x4E5D, 0, ident, 0, 0x20)
        return header(0xB, 34 + len(body), rng.randrange(65536), ident, 5, 1) + body

    def sync():
        return header(0x0, 44, rng.randrange(65536), rng.choice(identities), 0, -4, flags=0x0200) + timestamp(rng)

    def follow_up():
        return header(0x8, 44, rng.randrange(65536), rng.choice(identities), 2, -4) + timestamp(rng)

    def delay_resp():
        body = timestamp(rng) + rng.choice(identities) + struct.pack(">H", 1)
        return header(0x9, 34 + len(body), rng.randrange(65536), rng.choice(identities), 3, 0) + body

    def management():
        tlv = struct.pack(">HHH", 0x0001, 2, 0x2000)  # MANAGEMENT TLV, GET DEFAULT_DATA_SET
        body = b"\xff" * 10 + struct.pack(">BBBB", 0, 0, 0, 0)
        return header(0xD, 34 + len(body) + len(tlv), rng.randrange(65536), rng.choice(identities), 4, 0x7F) + body + tlv

    kinds = [(319, random_bytes), (320, random_bytes), (320, announce), (319, sync), (320, follow_up),
             (320, delay_resp), (320, management)]
    pools = [[make() for _ in range(POOL)] for _, make in kinds]
    counts = [0] * len(kinds)
    sent = 0
    start = time.monotonic()
    batch = max(1, rate // 100)  # 100 batches a second
    index = 0
    while True:
        now = time.monotonic() - start
        if now >= seconds:
            break
        due = int(now * rate) + batch
        while sent < due:
            kind = index % len(kinds)
            payload = pools[kind][(index // len(kinds)) % POOL]
            try:
                if layer2:
                    sock.send(frame + payload)
                else:
                    sock.sendto(payload, (target, kinds[kind][0]))
                counts[kind] += 1
                sent += 1
            except OSError:
                pass
            index += 1
        time.sleep(0.01)
    print("sent %d kinds %s" % (sent, " ".join(str(c) for c in counts)))


if __name__ == "__main__":
    main()

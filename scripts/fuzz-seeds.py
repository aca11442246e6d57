#!/usr/bin/env python3
"""Seed corpora for the fuzz targets (scripts/fuzz.sh), written under DIR/<target>/:
  wire, engine: the PTP payloads of linuxptp 3.1's captures (UDPv4, UDPv6, IEEE 802.3; every message type ptp4l
      and pmc sent), read from the pcapng files here without any library;
  management: the captures' management messages (with the fuzzer's privilege byte in front);
  config: linuxptp's stock configurations, the captures' ptp4l configurations and Meridian's examples, each
      also paired with a ports.d file (main, NUL, port file: the config target's input format);
  gpsd: gpsd 3.22's JSON reports (TPV, SKY, PPS, TOFF, VERSION, DEVICES, WATCH) as gpsd writes them;
  leapfile: the system's leap-seconds.list.
The generated management and TLV seeds come from the fuzz binary itself (MERIDIAN_FUZZ_SEEDS).
usage: fuzz-seeds.py DIR CAPTURE_DIR..."""
import glob
import os
import struct
import sys


def pcapng_packets(path):
    """Link-layer frames of the enhanced packet blocks of an Ethernet pcapng file."""
    data = open(path, "rb").read()
    offset = 0
    endian = "<"
    while offset + 12 <= len(data):
        block_type, length = struct.unpack_from(endian + "II", data, offset)
        if block_type == 0x0A0D0D0A:
            magic = struct.unpack_from("<I", data, offset + 8)[0]
            endian = "<" if magic == 0x1A2B3C4D else ">"
            length = struct.unpack_from(endian + "I", data, offset + 4)[0]
        if length < 12:
            break
        if block_type == 6:
            captured = struct.unpack_from(endian + "I", data, offset + 20)[0]
            yield data[offset + 28:offset + 28 + captured]
        offset += length


def ptp_payload(frame):
    """The PTP message of an Ethernet frame: ethertype 0x88F7, or UDP port 319/320 over IPv4 or IPv6."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack_from(">H", frame, 12)[0]
    rest = frame[14:]
    if ethertype == 0x8100 and len(frame) >= 18:
        ethertype = struct.unpack_from(">H", frame, 16)[0]
        rest = frame[18:]
    if ethertype == 0x88F7:
        return rest
    if ethertype == 0x0800 and len(rest) >= 20 and rest[9] == 17:
        header = (rest[0] & 0x0F) * 4
        udp = rest[header:]
    elif ethertype == 0x86DD and len(rest) >= 40 and rest[6] == 17:
        udp = rest[40:]
    else:
        return None
    if len(udp) < 8 or struct.unpack_from(">H", udp, 2)[0] not in (319, 320):
        return None
    return udp[8:]


GPSD = [
    '{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}',
    '{"class":"DEVICES","devices":[{"class":"DEVICE","path":"/dev/pts/3","driver":"NMEA0183","activated":"2024-01-01T00:00:00.000Z","flags":1,"native":0,"bps":9600,"parity":"N","stopbits":1,"cycle":1.00}]}',
    '{"class":"WATCH","enable":true,"json":true,"nmea":false,"raw":0,"scaled":false,"timing":true,"split24":false,"pps":true}',
    '{"class":"TPV","device":"/dev/pts/3","mode":3,"time":"2024-01-01T00:00:10.000Z","leapseconds":18,"ept":0.005,"lat":46.5,"lon":6.6,"altHAE":400.0,"epv":5.0,"track":0.0,"speed":0.0,"climb":0.0,"eps":0.5}',
    '{"class":"SKY","device":"/dev/pts/3","nSat":12,"uSat":9,"satellites":[{"PRN":1,"el":40.0,"az":100.0,"ss":42.0,"used":true}]}',
    '{"class":"PPS","device":"/dev/pts/3","real_sec":1704067210,"real_nsec":0,"clock_sec":1704067210,"clock_nsec":150000,"precision":-20,"shm":"NTP2"}',
    '{"class":"TOFF","device":"/dev/pts/3","real_sec":1704067210,"real_nsec":0,"clock_sec":1704067210,"clock_nsec":120000000,"precision":-1,"shm":"NTP0"}',
    '{"class":"TPV","device":"/dev/pts/3","mode":1,"status":0}',
]


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    captures = []
    for directory in sys.argv[2:]:
        captures += sorted(glob.glob(os.path.join(directory, "*.pcap")))
    payloads = []
    for path in captures:
        for frame in pcapng_packets(path):
            payload = ptp_payload(frame)
            if payload and payload not in payloads:
                payloads.append(payload)
    for index, payload in enumerate(payloads):
        write(os.path.join(out, "wire"), f"capture-{index}", payload)
        if payload[0] & 0x0F == 0xD:
            write(os.path.join(out, "management"), f"capture-{index}", bytes([0]) + payload)
    # engine: records [control, length, bytes] of consecutive captured messages, alternating ports.
    for start in range(0, len(payloads), 8):
        record = b""
        for i, payload in enumerate(payloads[start:start + 8]):
            record += bytes([(i & 1) | (i % 5) << 1 | 0x10, min(len(payload), 255)]) + payload[:255]
        write(os.path.join(out, "engine"), f"capture-{start}", record)

    configs = sorted(glob.glob("/usr/share/doc/linuxptp/configs/*.cfg"))
    for directory in sys.argv[2:]:
        configs += sorted(glob.glob(os.path.join(directory, "*.cfg")))
    configs += sorted(glob.glob("etc/*.conf")) + sorted(glob.glob("etc/*/*.conf"))
    port_file = b"masterOnly 1\nlogSyncInterval -3\ndelay_mechanism P2P\nnetwork_transport L2\n"
    for index, path in enumerate(configs):
        text = open(path, "rb").read()
        write(os.path.join(out, "config"), f"{index}-{os.path.basename(path)}", text)
        write(os.path.join(out, "config"), f"{index}-with-port-{os.path.basename(path)}", text + b"\0" + port_file)

    # gpsd: 12 bytes for what libgps decoded (an even fix time: a time is present; mode 3 + 1; status; SKY counts).
    header = struct.pack(">II", 1704067210 * 2 & 0xFFFFFFFF, 0) + bytes([4, 1, 9, 12])
    for index, line in enumerate(GPSD):
        write(os.path.join(out, "gpsd"), f"line-{index}", header + line.encode())
    write(os.path.join(out, "gpsd"), "session", header + "\n".join(GPSD).encode())

    for index, path in enumerate(["/usr/share/zoneinfo/leap-seconds.list"]):
        if os.path.exists(path):
            write(os.path.join(out, "leapfile"), f"system-{index}", open(path, "rb").read())
    write(os.path.join(out, "leapfile"), "small", b"#$ 3676924800\n#@ 4039372800\n2272060800 10 # 1 Jan 1972\n3692217600 37\n")
    counts = {t: len(os.listdir(os.path.join(out, t))) for t in sorted(os.listdir(out))}
    print("fuzz seeds: " + ", ".join(f"{t} {n}" for t, n in counts.items()) + f" (from {len(captures)} captures)")


if __name__ == "__main__":
    main()

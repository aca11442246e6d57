#!/usr/bin/env python3
"""Meridian's NMEA 0183 feed for tests with a real gpsd: a pretend GNSS receiver.

    nmea_feed.py PTY_LINK

Opens a pseudo-terminal, links its slave side at PTY_LINK, and writes one epoch of sentences
($PGRMF, $GPRMC, $GPGGA, $GPGSA, $GPGSV, $GPZDA) for the current UTC second, FEED_DELAY_MS after each second
starts, the way a receiver talks some milliseconds after its PPS edge.

Signals change the receiver's behaviour while it runs:
    SIGUSR1  toggle silence (antenna cable pulled: nothing is sent)
    SIGUSR2  toggle loss of fix (time still sent, RMC 'V', GGA quality 0, GSA mode 1)
    SIGHUP   toggle a time-of-day error of FEED_JUMP_S seconds (a glitching or spoofed receiver)
Environment: FEED_DELAY_MS (100), FEED_LEAP (18, GPS-UTC for $PGRMF), FEED_PGRMF (1), FEED_JUMP_S (5).
"""
import datetime
import os
import pty
import signal
import sys
import time

DELAY = int(os.environ.get("FEED_DELAY_MS", "100")) / 1000.0
LEAP = int(os.environ.get("FEED_LEAP", "18"))
WITH_PGRMF = os.environ.get("FEED_PGRMF", "1") == "1"
JUMP = int(os.environ.get("FEED_JUMP_S", "5"))
GPS_EPOCH = 315964800  # 1980-01-06 in Unix seconds

state = {"silent": False, "nofix": False, "jump": 0}


def sentence(body):
    checksum = 0
    for byte in body.encode("ascii"):
        checksum ^= byte
    return "$%s*%02X\r\n" % (body, checksum)


def epoch_sentences(when):
    hhmmss = when.strftime("%H%M%S") + ".00"
    ddmmyy = when.strftime("%d%m%y")
    zda = sentence("GPZDA,%s,%02d,%02d,%04d,00,00" % (hhmmss, when.day, when.month, when.year))
    if state["nofix"]:
        return [
            sentence("GPRMC,%s,V,,,,,,,%s,,,N" % (hhmmss, ddmmyy)),
            sentence("GPGGA,%s,,,,,0,00,99.9,,,,,," % hhmmss),
            sentence("GPGSA,A,1,,,,,,,,,,,,,99.9,99.9,99.9"),
            zda,
        ]
    lat, lon = "5130.000,N", "00007.500,W"
    out = []
    if WITH_PGRMF:
        gps_seconds = int(when.timestamp()) - GPS_EPOCH + LEAP
        week, tow = divmod(gps_seconds, 7 * 86400)
        out.append(sentence("PGRMF,%d,%d,%s,%s,%d,5130.0000,N,00007.5000,W,A,2,0,0,1,1"
                            % (week, tow, ddmmyy, when.strftime("%H%M%S"), LEAP)))
    out += [
        sentence("GPRMC,%s,A,%s,%s,0.0,0.0,%s,,,A" % (hhmmss, lat, lon, ddmmyy)),
        sentence("GPGGA,%s,%s,%s,1,09,0.8,35.0,M,47.0,M,," % (hhmmss, lat, lon)),
        sentence("GPGSA,A,3,02,05,07,13,15,18,20,24,30,,,,1.6,0.8,1.4"),
    ]
    out += satellites_in_view()
    out.append(zda)
    return out


def satellites_in_view():
    """$GPGSV for the nine satellites GSA uses, so gpsd reports SKY with uSat."""
    sats = [(2, 45, 40, 42), (5, 30, 120, 40), (7, 60, 200, 45), (13, 25, 250, 38), (15, 70, 300, 47),
            (18, 15, 20, 35), (20, 50, 90, 44), (24, 35, 160, 41), (30, 20, 330, 36)]
    groups = [sats[i:i + 4] for i in range(0, len(sats), 4)]
    out = []
    for number, group in enumerate(groups, 1):
        fields = "".join(",%02d,%02d,%03d,%02d" % s for s in group)
        out.append(sentence("GPGSV,%d,%d,%02d%s" % (len(groups), number, len(sats), fields)))
    return out


def toggle(key):
    def handler(_signum, _frame):
        if key == "jump":
            state["jump"] = 0 if state["jump"] else JUMP
        else:
            state[key] = not state[key]
    return handler


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: nmea_feed.py PTY_LINK")
    link = sys.argv[1]
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.ttyname(slave), link)
    # A test runner may start us with signals blocked; the controls must get through.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP, signal.SIGTERM])
    signal.signal(signal.SIGUSR1, toggle("silent"))
    signal.signal(signal.SIGUSR2, toggle("nofix"))
    signal.signal(signal.SIGHUP, toggle("jump"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            now = time.time()
            second = int(now) + 1
            time.sleep(max(0.0, second + DELAY - now))
            if state["silent"]:
                continue
            when = datetime.datetime.fromtimestamp(second + state["jump"], datetime.timezone.utc)
            data = "".join(epoch_sentences(when)).encode("ascii")
            try:
                os.write(master, data)
            except BlockingIOError:
                pass  # nobody reads: drop the epoch, as a serial line would
    finally:
        if os.path.islink(link):
            os.unlink(link)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""unblocked.py PROGRAM ARGS...: run PROGRAM with every signal unblocked and default dispositions.

A test runner's threads block signals, and a child started from one of them inherits that mask: a gpsd
started that way would ignore SIGTERM. This clears the mask before exec.
"""
import os
import signal
import sys

if len(sys.argv) < 2:
    sys.exit("usage: unblocked.py PROGRAM [ARGS...]")
signal.pthread_sigmask(signal.SIG_SETMASK, [])
for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGPIPE):
    signal.signal(number, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])

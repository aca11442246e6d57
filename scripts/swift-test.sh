#!/usr/bin/env bash
# Runs `swift test ARGS...`, keeping its whole output in a log; ends with the slowest tests (where the
# time goes) and, when it fails, a short list of what failed, so that the last lines of a CI log (often
# all one gets to see) name the failing tests and their messages instead of only "failed with 1 issue".
#   scripts/swift-test.sh LOG [swift test arguments...]
# With SWIFT_TEST_BINARY set (the built MeridianPackageTests.xctest), runs it directly with the Swift Testing
# arguments given (--filter, --skip, --no-parallel) instead of `swift test`.
set -uo pipefail
log=$1
shift
mkdir -p "$(dirname "$log")"
if [ -n "${SWIFT_TEST_BINARY:-}" ]; then
    # The built test bundle run directly (scripts/interop-test.sh: two at once; `swift test` holds the build
    # folder's lock while it runs). NO_COLOR: plain ✔/✘ lines, as `swift test` prints them, for the summary below.
    NO_COLOR=1 "$SWIFT_TEST_BINARY" --testing-library swift-testing "$@" 2>&1 | tee "$log"
else
    "${SWIFT:-swift}" test "$@" 2>&1 | tee "$log"
fi
status=${PIPESTATUS[0]}
# Swift Testing ends each test with "✔ Test NAME passed after S seconds." (or ✘ … failed after …). A test
# run in parallel counts the time it shared with others; a parameterised test counts all its cases.
echo
echo "=== slowest tests (of $(grep -a -E '^(✔|✘) Test .* after [0-9.]+ seconds' "$log" | grep -a -c -v 'Test run with') in $log) ==="
grep -a -E '^(✔|✘) Test .* after [0-9.]+ seconds' "$log" | grep -a -v -E '^(✔|✘) Test run with' \
    | sed -E 's/^(✔|✘) Test (.*) (passed|failed) after ([0-9.]+) seconds.*/\4 \1 \2/' | sort -rn | head -n 12 \
    | awk '{ printf "%8.1f s  %s\n", $1, substr($0, index($0, $2)) }'
if [ "$status" -ne 0 ]; then
    echo
    echo "=== what failed (whole output in $log) ==="
    # Swift Testing marks failed tests and recorded issues with ✘, and puts an issue's message on the
    # "↳" line after it, its further lines unmarked after that (a daemon's log, when the test put it there:
    # the last 16 of those are kept, the end of a log being what says why); XCTest writes "error:" lines.
    # Each line is cut to 300 characters.
    awk 'function flush() { for (i = (n > 16 ? n - 16 : 0); i < n; i++) print tail[i]; n = 0 }
         /recorded an issue/ { flush(); print; keep = 1; more = 0; next }
         keep && /^↳/ { print; keep = 0; more = 1; next }
         more && !/^(✘|✔|◇|↳)/ { tail[n++] = "    " $0; next }
         { keep = 0; if (more) flush(); more = 0 }
         /✘|: error: |Fatal error|Crash|signal [0-9]+/ && !/^✘ Test run with/ { print }
         END { flush() }' "$log" | cut -c1-300 | tail -n 60
    # The interop cases print their figures: keep the last few of them next to the failures.
    grep -a -E '^(ptp4l slave (of meridiand|behind a Meridian BC)|meridiand slave of ptp4l|failover)' "$log" | cut -c1-300 | tail -n 8
    grep -a -E '^✘ Test run with' "$log" | tail -n 1
fi
exit "$status"

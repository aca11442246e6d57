#!/usr/bin/env bash
# The interoperability phase of `make test`: Tests/InteropTests in five test processes at once, each
# running its tests two at a time.
#
# Why several processes: the tests are synchronous (they sleep while daemons in namespaces lock, fail over and
# answer), and Swift Testing runs a synchronous test on a thread of the cooperative pool, which is as wide as the
# machine has cores. On this 2-core machine one process therefore runs two tests at a time however many are
# ready, and the phase's wall time was the sum of its tests over two (about 5 minutes) while the daemons and
# peers used a few per cent of a core. More processes multiply that without touching a test: two halved the phase;
# a third came when the transparent-clock, unicast, G.8275.2 and jbod suites made group B the long pole (340 s
# against group A's 260 s on a loaded machine).
#
# Group A holds the suites that load the machine or judge timing closely (SerializedInteropTests: the
# management fuzz, the failovers, 1,000 scrapes a second — never beside each other, as before), and nothing else:
# its wall time is that chain's, one test after another (the GNSS failover 76 s alone, the backup failover 67 s,
# the fuzz 30 s, the scrapes 16 s). Group D holds the gpsd scenario, the reference grandmasters, the emulated-PHC
# grandmaster and its gpsd comparison; they were in A's process, where, two at a time, they held both of its pool
# threads and the chain's next test waited for one: the GNSS failover counted 145–172 s there against 76 s alone,
# and A (259–286 s) was the phase's long pole. Group C the unicast,
# G.8275.2, jbod, delay-mechanism-Auto and slave-event-monitor suites (a few short daemons each), the transparent
# clocks (two 70-s cases, moved from group A, the long pole) and, from the library tests, the gpsd grandmaster's
# relock test (GNSSReferenceTests.GPSDGrandmasterTests: in the parallel phase, beside the release build, gpsd's
# pulses came milliseconds late and its relock outlasted the 10-s holdover budget); group B everything else, so a
# new suite lands there by default. Group E the zone lab (ZoneLabTests, 160 s alone) and the ptp4l interop cases
# 1 (PTP4lInteropTests, three transports): in group B they made it the phase's long pole (245 s against A's 186 s).
# The flood test (FloodDaemonTests: two floods of 10,000 datagrams/s for 30 s) runs alone after the groups: beside
# it, a grandmaster locking to gpsd's emulated PPS stepped on a late pulse and missed its lock budget.
# All run the built test bundle directly (TESTS, the path of MeridianPackageTests.xctest): `swift test` holds the
# build folder's lock for as long as its tests run, so a second `swift test` would wait for the first.
#   TESTS=.build/debug/MeridianPackageTests.xctest scripts/interop-test.sh LOGDIR [Swift Testing arguments...]
# INTEROP_GROUPS=1 runs every interop test in one process (two at a time, as the phase ran before).
set -uo pipefail
: "${TESTS:?TESTS must name the built test bundle (MeridianPackageTests.xctest)}"
logs=$1
shift
group_a='^InteropTests\.SerializedInteropTests'
group_d='^InteropTests\.(GrandmasterGPSDTests|GrandmasterReferenceTests|EmulatedPHCGrandmasterTests|GPSDEmulatedPHCComparisonTests)'
group_c='^(GNSSReferenceTests\.GPSDGrandmasterTests|InteropTests\.(UnicastInteropTests|UnicastPeerDelayInteropTests|UnicastSlaveInteropTests|UnicastSlaveFailoverInteropTests|G8275_2InteropTests|JBODInteropTests|AutoDelayMechanismInteropTests|SlaveEventMonitorInteropTests|TransparentClockInteropTests))'
group_e='^InteropTests\.(ZoneLabTests|PTP4lInteropTests)'
here=$(dirname "$0")
alone='FloodDaemonTests'
if [ "${INTEROP_GROUPS:-2}" = 1 ]; then
    SWIFT_TEST_BINARY=$TESTS "$here/swift-test.sh" "$logs/interop.log" --filter '^InteropTests\.' \
        --filter '^GNSSReferenceTests\.GPSDGrandmasterTests' --skip "$alone" "$@"
    status=$?
    SWIFT_TEST_BINARY=$TESTS "$here/swift-test.sh" "$logs/interop-alone.log" --filter "$alone" "$@" || status=1
    exit "$status"
fi
SWIFT_TEST_BINARY=$TESTS "$here/swift-test.sh" "$logs/interop-a.log" --filter "$group_a" --skip "$alone" "$@" > "$logs/interop-a.out" 2>&1 &
a=$!
SWIFT_TEST_BINARY=$TESTS "$here/swift-test.sh" "$logs/interop-b.log" --filter '^InteropTests\.' --skip "$group_a" --skip "$group_c" --skip "$group_d" --skip "$group_e" "$@" > "$logs/interop-b.out" 2>&1 &
b=$!
SWIFT_TEST_BINARY=$TESTS "$here/swift-test.sh" "$logs/interop-c.log" --filter "$group_c" "$@" > "$logs/interop-c.out" 2>&1 &
c=$!
SWIFT_TEST_BINARY=$TESTS "$here/swift-test.sh" "$logs/interop-d.log" --filter "$group_d" "$@" > "$logs/interop-d.out" 2>&1 &
d=$!
SWIFT_TEST_BINARY=$TESTS "$here/swift-test.sh" "$logs/interop-e.log" --filter "$group_e" "$@" > "$logs/interop-e.out" 2>&1 &
e=$!
wait "$a"
status_a=$?
wait "$b"
status_b=$?
wait "$c"
status_c=$?
wait "$d"
status_d=$?
wait "$e"
status_e=$?
SWIFT_TEST_BINARY=$TESTS "$here/swift-test.sh" "$logs/interop-alone.log" --filter "$alone" "$@" > "$logs/interop-alone.out" 2>&1
status_alone=$?
# Each group's output is in its .out file (whole) and .log; here the figures the cases print and each group's
# summary from swift-test.sh (its slowest tests and, when it failed, what failed), one group after the other.
for group in a b c d e alone; do
    echo "=== interop group $group (whole output: $logs/interop-$group.out) ==="
    grep -a -E '^(ptp4l slave|meridiand (slave|G\.8275)|failover|gpsd grandmaster|flood)' "$logs/interop-$group.out" | cut -c1-300
    sed -n '/^=== slowest tests/,$p' "$logs/interop-$group.out"
done
[ "$status_a" -eq 0 ] && [ "$status_b" -eq 0 ] && [ "$status_c" -eq 0 ] && [ "$status_d" -eq 0 ] && [ "$status_e" -eq 0 ] && [ "$status_alone" -eq 0 ]

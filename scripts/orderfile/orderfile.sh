#!/bin/bash
# The release link's function order (scripts/orderfile/meridiand.order, read by the linker through the Makefile's
# RELEASE_FLAGS): the functions a running meridiand executes, in the order they first run, so that they sit together
# at the front of .text instead of spread over all of it. The kernel maps a file-backed code page with its
# neighbours (fault-around, large page-cache folios), and resident memory counts every mapped page: ordered, the
# code a daemon touches takes a few MB of its peak RSS instead of most of its text (ARCHITECTURE.md,
# "Memory and CPU").
#
# How: funccov (funccov.c, built here with cc) runs the release meridiand under ptrace with a breakpoint on every
# function and records each function's first run. Two roles, each on a virtual clock in namespaces this script
# creates (10.78.x addresses), against linuxptp's ptp4l (free_running): grandmaster of a ptp4l slave, then slave of a
# ptp4l grandmaster; in both, pmc asks a batch of GETs over the Unix socket.
#
# Re-run after changes that move much code (the file names functions by their mangled symbols; a name that no
# longer exists is ignored, and a new function just lands after the ordered ones). Needs root and ptp4l/pmc.
# usage: scripts/orderfile/orderfile.sh [MERIDIAND]   (default: the release build, built first with RELEASE_FLAGS)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/orderfile
seconds=${ORDERFILE_SECONDS:-20}
if [ $# -ge 1 ]; then
	binary=$1
else
	make -s release-meridiand
	binary=$(swift build -c release --show-bin-path)/meridiand
fi
work=$(mktemp -d /tmp/meridian-orderfile.XXXXXX)
tag=mo$$
a=${tag}a b=${tag}b
cleanup() {
	for ns in "$a" "$b"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
cc -O2 -Wall -Wextra -o "$work/funccov" "$here/funccov.c"
nm --defined-only "$binary" | awk '$2 ~ /^[tTwW]$/ {print $1, $3}' >"$work/symbols"
# Names defined more than once (local helpers: merged functions, outlined copies, closures' thunks) are kept, and
# the linker moves every copy forward (each its own small section), except names the Swift runtime's archives
# also define: their Swift code is one section per library, so one such name would pull a whole library forward.
# Not libswiftCore.a's: the release link uses the copy scripts/link/static-libs.sh splits into a section per function.
runtime=$(dirname "$(readlink -f "$(command -v swiftc)")")/../lib/swift_static/linux
ls "$runtime"/*.a | grep -v '/libswiftCore\.a$' | xargs nm --defined-only 2>/dev/null | awk 'NF == 3 {print $3}' |
	LC_ALL=C sort -u >"$work/runtime"
nm --defined-only "$binary" | awk '{print $3}' | LC_ALL=C sort | uniq -d | LC_ALL=C comm -12 - "$work/runtime" >"$work/ambiguous"

ip netns add "$a"
ip netns add "$b"
ip -n "$a" link add "${tag}x" type veth peer name "${tag}y" netns "$b"
ip -n "$a" addr add 10.78.0.1/24 dev "${tag}x"
ip -n "$b" addr add 10.78.0.2/24 dev "${tag}y"
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set "${tag}x" up
ip -n "$b" link set "${tag}y" up

gets="DEFAULT_DATA_SET CURRENT_DATA_SET PARENT_DATA_SET TIME_PROPERTIES_DATA_SET PORT_DATA_SET TIME_STATUS_NP"
gets="$gets GRANDMASTER_SETTINGS_NP PORT_PROPERTIES_NP PORT_STATS_NP CLOCK_DESCRIPTION PRIORITY1 DOMAIN"

# One role: meridiand (extra [global] lines in $2) under funccov in $a, ptp4l (flags in $3) in $b.
role() {
	local name=$1 global=$2 ptp4l_flags=$3
	printf '[global]\nclock_device virtual\nfree_running 1\ntime_stamping software\nlogSyncInterval -4\nlogAnnounceInterval -2\nuse_syslog 0\nuds_address %s\nuds_ro_address %s\n%b[%s]\n' \
		"$work/$name.sock" "$work/$name-ro.sock" "$global" "${tag}x" >"$work/$name.conf"
	printf '[global]\nfree_running 1\nlogSyncInterval -4\nlogAnnounceInterval -2\nuds_address %s\n' "$work/$name-ptp4l.sock" >"$work/$name-ptp4l.cfg"
	# shellcheck disable=SC2086
	ip netns exec "$b" ptp4l -S -i "${tag}y" -f "$work/$name-ptp4l.cfg" $ptp4l_flags >"$work/$name-ptp4l.log" 2>&1 &
	# Armed again after the pmc batch: what runs in the last 30 % of the run is the steady state.
	ip netns exec "$a" "$work/funccov" "$work/$name.hits" "$work/symbols" -r $((seconds * 7 / 10)) "$work/$name.steady" \
		-- "$binary" -f "$work/$name.conf" >"$work/$name.log" 2>&1 &
	local tracer=$!
	sleep $((seconds / 2))
	local batch=()
	for g in $gets; do batch+=("GET $g"); done
	pmc -u -b 0 -s "$work/$name.sock" "${batch[@]}" >"$work/$name-pmc.out" 2>&1 || true
	sleep $((seconds - seconds / 2))
	pkill -INT -f "^$binary -f $work/$name.conf" || true
	local waited=0
	while kill -0 "$tracer" 2>/dev/null && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
	if kill -0 "$tracer" 2>/dev/null; then
		echo "orderfile: meridiand as $name did not end within 10 s of SIGINT" >&2
		exit 1
	fi
	wait "$tracer" || { echo "orderfile: meridiand as $name did not end cleanly:" >&2; tail -5 "$work/$name.log" >&2; exit 1; }
	for p in $(ip netns pids "$b"); do kill "$p" 2>/dev/null || true; done
	echo "orderfile: $name: $(tail -1 "$work/$name.log"); $(wc -l <"$work/$name.steady") in the steady state; pmc answers: $(grep -c RESPONSE "$work/$name-pmc.out" || true)"
}
role grandmaster 'priority1 100\n' "-s"
role slave 'slaveOnly 1\n' ""
# The steady state's functions first (each wake-up's path: the fewer pages it spans, the fewer TLB misses a wake-up
# takes), then the rest; each in first-run order, the grandmaster's run first; without the ambiguous names above.
cat "$work/grandmaster.steady" "$work/slave.steady" "$work/grandmaster.hits" "$work/slave.hits" | awk '!seen[$0]++' >"$work/hits"
grep -vxF -f "$work/ambiguous" "$work/hits" >"$work/order"
# A binary without its symbol table (stripped) arms nothing: keep the old order rather than write an empty one.
if [ "$(wc -l <"$work/order")" -lt 1000 ]; then
	echo "orderfile: only $(wc -l <"$work/order") functions ran under funccov (a stripped binary?); $here/meridiand.order left as it was" >&2
	exit 1
fi
cp "$work/order" "$here/meridiand.order"
echo "orderfile: $(wc -l <"$here/meridiand.order") functions in $here/meridiand.order"
# The ambiguous names that ran: a linker script moves their copies in the program's own objects (the package's
# build folders, `*release?*.build?*.o` (no `/*`, which would open a comment), each function its own section) and in
# the standard library's Swift code (split into a section per function), and leaves the other runtime archives' alone.
grep -xF -f "$work/ambiguous" "$work/hits" >"$work/shared" || true
{
	echo "/* Generated by scripts/orderfile/orderfile.sh: the functions a running meridiand executes whose names the Swift"
	echo " * runtime's archives also define (merged functions, outlined copies, existential and block helpers), which"
	echo " * meridiand.order cannot name without pulling a runtime library forward. Their copies in the program's own"
	echo " * objects and in the standard library's (split by scripts/link/split-text.py) go together before .text (Makefile,"
	echo " * RELEASE_FLAGS; ARCHITECTURE.md, \"Memory and CPU\"). */"
	echo "SECTIONS { .text.shared : {"
	echo "*release?*.build?*.o("
	sed 's/^/\t.text./' "$work/shared"
	echo ")"
	echo "*libswiftCore.a:Swift.o("
	sed 's/^/\t.text./' "$work/shared"
	echo ") } } INSERT BEFORE .text;"
} >"$here/shared.ld"
echo "orderfile: $(wc -l <"$work/shared") shared names in $here/shared.ld"

#!/bin/sh
# Coverage-guided fuzzing with libFuzzer (issue #17): builds meridian-fuzz with -sanitize=fuzzer,address (release
# unless FUZZ_CONFIG says debug, in .build/fuzz/build), writes the seed corpora (scripts/fuzz-seeds.py: linuxptp 3.1's captures, its stock
# configurations, gpsd's reports, the leap-seconds list; plus the generated management and TLV seeds), then runs
# each target for SECONDS on its corpus (.build/fuzz/corpus/TARGET, kept between runs) and prints the
# executions per target. A crash leaves its input in .build/fuzz/crashes/ and fails the run (exit 1); replay it
# with `swift run meridian-fuzz TARGET FILE` and make it a named regression test.
# FUZZ_RUNS=N also ends each target after N executions (libFuzzer's -runs), whichever comes first: the aim
# of 10 million per target is `FUZZ_RUNS=10000000 scripts/fuzz.sh 10800 TARGET`.
# FUZZ_CONFIG=debug builds without optimisation (in .build/fuzz/build/debug): half the build time of release on
# this machine (32 s against 59 s), at a third to a quarter of release's executions per second. `make test`
# uses it: its few seconds per target replay the seeds and the kept corpus, where build time is what counts;
# `make fuzz` keeps release, where executions are.
# usage: scripts/fuzz.sh SECONDS [TARGET...]   (targets: wire management config gpsd leapfile engine)
set -eu
SWIFT=${SWIFT:-swift}
config=${FUZZ_CONFIG:-release}
case $config in release | debug) ;; *) echo "fuzz: FUZZ_CONFIG is release or debug, not '$config'" >&2; exit 2 ;; esac
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=${*:-wire management config gpsd leapfile engine}
root=.build/fuzz
mkdir -p "$root/crashes" "$root/logs"
# (ld.gold warns about every ASan helper symbol it cannot export: noise, kept out of the output.)
if ! $SWIFT build -c "$config" --build-path "$root/build" --product meridian-fuzz \
	-Xswiftc -sanitize=fuzzer,address -Xswiftc -DMERIDIAN_LIBFUZZER >"$root/logs/build.log" 2>&1; then
	grep -v "Cannot export local symbol" "$root/logs/build.log" | tail -40 >&2
	echo "fuzz: building meridian-fuzz failed (whole log: $root/logs/build.log)" >&2
	exit 1
fi
binary=$root/build/$config/meridian-fuzz
[ -x "$binary" ] || { echo "fuzz: $binary was not built" >&2; exit 1; }
rm -rf "$root/seeds"
# linuxptp's captures: ../shared beside the clone (as in CI), else the work folder's copy; a missing one adds none.
shared=${MERIDIAN_SHARED:-../shared}
[ -d "$shared" ] || shared=/work/shared
python3 scripts/fuzz-seeds.py "$root/seeds" Tests/PTPWireTests/Fixtures "$shared/reference/linuxptp-3.1"
ASAN_OPTIONS=detect_leaks=0 MERIDIAN_FUZZ_SEEDS="$root/seeds" "$binary" >/dev/null 2>&1 || { echo "fuzz: writing the generated seeds failed" >&2; exit 1; }
failed=""
for target in $targets; do
	mkdir -p "$root/corpus/$target"
	log=$root/logs/$target.log
	status=0
	# -rss_limit_mb and -timeout turn a blow-up or a hang into a reported crash; -max_len covers a jumbo frame.
	MERIDIAN_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 "$binary" -max_total_time="$seconds" -print_final_stats=1 \
		${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
		-timeout=10 -rss_limit_mb=2048 -max_len=9000 -artifact_prefix="$root/crashes/$target-" \
		"$root/corpus/$target" "$root/seeds/$target" >"$log" 2>&1 || status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	corpus=$(ls "$root/corpus/$target" | wc -l)
	if [ "$status" -ne 0 ]; then
		failed="$failed $target"
		echo "fuzz $target: CRASH after ${runs:-?} executions (exit $status); input in $root/crashes/, log $log"
		grep -m 3 -E "^(==[0-9]+==ERROR|Fatal error|.*error: )" "$log" || true
	else
		echo "fuzz $target: ${runs:-?} executions in at most ${seconds} s (${rate:-?}/s), no crash; corpus $corpus inputs"
	fi
done
[ -z "$failed" ] || { echo "fuzz: crashes in$failed" >&2; exit 1; }

#!/usr/bin/env bash
# Fuzzes zkaccel's fuzz targets one after another: every Fuzz… function of
# the packages given (default: all), or those whose names match
# ZKACCEL_FUZZ_MATCH (a regexp), for ZKACCEL_FUZZ_TIME each (a duration
# such as 2m, or a count of executions such as 5000x; default 1m).
# ZKACCEL_FUZZ_MINIMIZE bounds the minimizing of each new input (go test's
# -fuzzminimizetime, default 60s): Go minimizes every input that finds new
# coverage, not only failing ones, and does not count those runs as
# executions. For slow targets such as the provers' FuzzProve (a proof a
# run), set it low (10x) or most of the time goes there.
#
#   scripts/fuzz.sh                      # every target, a minute each
#   ZKACCEL_FUZZ_MATCH='FuzzMSM|FuzzField' ZKACCEL_FUZZ_TIME=5m scripts/fuzz.sh ./gpu
#   OCL_ICD_VENDORS=/nonexistent ZKACCEL_TEST_PTX=1 ZKACCEL_FUZZ_MATCH=FuzzField scripts/fuzz.sh ./gpu
#
# The gpu package's targets run on every GPU-runtime device present (POCL in
# CI; the emulated GPU under scripts/cuda-emu.sh; ptx:0, the CUDA form on
# the PTX interpreter, with ZKACCEL_TEST_PTX=1), the front ends' on the CPU
# and the loopback test device. Go writes an input that fails to the
# package's testdata/fuzz/<target>/: commit it with the fix, and it runs as
# a seed in every `go test` from then on.
#
# With a duration, Go 1.26's fuzzing coordinator can end a clean run with
# "context deadline exceeded" (go.dev/issue/75804, fixed in Go 1.27). This
# script reports such a run as "stopped by Go's deadline race" when no new
# failing input was written; a count (5000x) has no deadline to race.
#
# Go's coordinator discards its workers' output: a worker that dies (a
# panic in a goroutine, a fatal error, or an execution over Go's 10 s limit,
# which panics "deadlocked!") shows only "fuzzing process hung or
# terminated unexpectedly". The script sets ZKACCEL_CRASH_DIR
# (internal/devtest), where each test process writes what the runtime
# printed as it crashed, and prints it under the failure.
#
# Go counts executions, not what they did. Targets that call
# devtest.Tally (the provers' FuzzProve) write each run's outcome under
# ZKACCEL_FUZZ_TALLY_DIR, which the script sets; it prints the sums after
# the count ("runs: 812 proved on each device, ..."). Those sums include the
# seed corpus's runs and Go's minimizing, which the execution count leaves
# out, so they may add up to more than it. A short run that ends before Go
# prints its first count shows "? execs".
#
# Exit status: 0 when no target found a failing input, 1 otherwise.
set -u
cd "$(dirname "$0")/.."
time_per=${ZKACCEL_FUZZ_TIME:-1m}
minimize=${ZKACCEL_FUZZ_MINIMIZE:-60s}
match=${ZKACCEL_FUZZ_MATCH:-.}
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=(./...)
status=0
log=$(mktemp)
crash=$(mktemp -d)
tally=$(mktemp -d)
trap 'rm -rf "$log" "$crash" "$tally"' EXIT
export ZKACCEL_CRASH_DIR="$crash" ZKACCEL_FUZZ_TALLY_DIR="$tally"
# runs prints the tallied outcomes of the target that just ran, if any.
runs() {
	cat "$tally"/* 2>/dev/null | sort | uniq -c | sort -rn | awk '{n=$1; $1=""; s=s (s?",":"") " " n $0} END {if (s) print "; runs:" s}'
}
for pkg in $(go list "${pkgs[@]}"); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' | grep -E -- "$match"); do
		before=$(ls "$dir/testdata/fuzz/$target" 2>/dev/null | wc -l)
		rm -f "$crash"/* "$tally"/*
		start=$(date +%s)
		go test -run '^$' -fuzz "^$target\$" -fuzztime "$time_per" -fuzzminimizetime "$minimize" "$pkg" >"$log" 2>&1
		rc=$?
		after=$(ls "$dir/testdata/fuzz/$target" 2>/dev/null | wc -l)
		execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
		took=$(($(date +%s) - start))
		if [ "$rc" -eq 0 ]; then
			echo "ok    $pkg $target: ${execs:-?} execs in ${took}s$(runs)"
		elif [ "$after" -eq "$before" ] && grep -q 'context deadline exceeded' "$log"; then
			echo "ok    $pkg $target: ${execs:-?} execs in ${took}s (stopped by Go's deadline race, no failing input)$(runs)"
		else
			status=1
			echo "FAIL  $pkg $target after ${took}s$(runs):"
			grep -v '^fuzz: elapsed' "$log" | head -40 | sed 's/^/      /'
			for f in "$crash"/*; do
				[ -s "$f" ] || continue
				echo "      what a crashed test process printed ($(basename "$f")):"
				head -40 "$f" | sed 's/^/        /'
			done
		fi
	done
done
exit $status

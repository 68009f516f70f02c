#!/bin/sh
# smoke.sh - `make fuzz-smoke`: run each libFuzzer harness a short, fixed
# number of times (FUZZ_SMOKE_RUNS; the Lua-running harnesses a sixth of
# it) on its checked-in corpus, with a fixed seed.  New inputs go to a
# scratch directory, never into the corpus.  Prints one line per harness
# and a total; exits 1 if any harness crashed (its log is shown).
#   smoke.sh SRC_FUZZ_DIR BUILD_FUZZ_DIR HARNESS...
set -u
src=$1 build=$2
shift 2
runs=${FUZZ_SMOKE_RUNS:-3000}
work=$build/smoke
rm -rf "$work"
mkdir -p "$work"
export UBSAN_OPTIONS=print_stacktrace=1
failed=0 total=0 n=0
for h in "$@"; do
	n=$((n + 1))
	corpus=$src/corpus/$h
	set -- -seed=1 -print_final_stats=1 -rss_limit_mb=2048 \
		-artifact_prefix="$work/$h-"
	r=$runs
	case $h in
	# The sandbox owns SIGALRM, which libFuzzer's -timeout would use
	# too; the Lua harnesses have a watchdog of their own.
	policy|policygen|policytest)
		r=$((runs / 6)); set -- "$@" -timeout=0 ;;
	*)	set -- "$@" -timeout=20 ;;
	esac
	[ -f "$src/fuzz_$h.dict" ] && set -- "$@" -dict="$src/fuzz_$h.dict"
	seeds=$(find "$corpus" -type f | wc -l)
	r=$((r + seeds))
	mkdir -p "$work/$h"
	start=$(date +%s)
	if "$build/fuzz_$h" "$@" -runs="$r" "$work/$h" "$corpus" \
		>"$work/$h.log" 2>&1; then
		done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
			"$work/$h.log" | tail -n 1)
		total=$((total + ${done_runs:-0}))
		printf 'fuzz_%s: %s runs (%s seeds), no crash (%ss)\n' "$h" \
			"${done_runs:-?}" "$seeds" "$(($(date +%s) - start))"
	else
		failed=$((failed + 1))
		printf 'fuzz_%s: FAILED; the end of %s:\n' "$h" "$work/$h.log"
		tail -n 60 "$work/$h.log"
		ls "$work/$h"-* 2>/dev/null | sed 's/^/  crash input: /'
	fi
done
printf 'fuzz-smoke: %d harnesses, %d runs, %d failed\n' "$n" "$total" "$failed"
[ "$failed" -eq 0 ]

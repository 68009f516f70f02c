#!/bin/sh
# place-bench.sh - how fast `apgate place` evaluates a fleet, against the
# goals of issue 14: 200 guests x 50 hosts (10,000 pairs, 4-16 APQNs per
# guest) in <= 2 s wall and <= 64 MiB peak RSS on one core, with findings
# for every pair.  Prints pairs/s, wall and CPU time and peak RSS, and
# compares with one `apgate check` process per pair on a 1% sample.
# Run by hand (not part of make check):
#   sh tests/bench/place-bench.sh [BUILD_DIR]
# Exits 1 when a goal is missed.  Inputs come from tests/bench/gen-fleet
# (deterministic seed; GEN_FLEET names another generator taking the same
# --seed --guests --hosts --out options).  GUESTS, HOSTS, SEED and JOBS
# override the sizes.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC}
APGATE=${APGATE:-$BUILD/src/apgate}
GEN=${GEN_FLEET:-$SRC/tests/bench/gen-fleet}
GUESTS=${GUESTS:-200}
HOSTS=${HOSTS:-50}
SEED=${SEED:-14}
JOBS=${JOBS:-1}
[ -x "$APGATE" ] || { echo "place-bench: build apgate first ($APGATE)" >&2; exit 2; }
[ -x "$GEN" ] || { echo "place-bench: $GEN missing" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "place-bench: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/place-bench.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
cd "$SRC" || exit 2

"$GEN" --seed "$SEED" --guests "$GUESTS" --hosts "$HOSTS" --out "$TMP/fleet" > /dev/null || {
	echo "place-bench: gen-fleet failed" >&2; exit 2; }
P="--no-config --policy-dir policies --now 2026-11-22T12:00:00Z"

# One core: taskset pins the run (workers too, with JOBS > 1).
# shellcheck disable=SC2086
taskset -c 0 /usr/bin/time -f "%e %U %S %M" -o "$TMP/time" "$APGATE" place $P --jobs "$JOBS" \
	--guests "$TMP/fleet/guests" --hosts "$TMP/fleet/hosts" --format json \
	-o "$TMP/place.json" 2> "$TMP/stderr"
st=$?
if [ $st -gt 1 ]; then
	echo "place-bench: apgate place failed (exit $st): $(head -3 "$TMP/stderr")" >&2; exit 2
fi
# time(1) writes "Command exited with non-zero status 1" first on exit 1
set -- $(tail -1 "$TMP/time")
wall=$1 user=$2 sys=$3 rss_kib=$4
homeless=$(grep -c "no host can take guest" "$TMP/stderr")
pairs=$(jq '.summary.pairs' "$TMP/place.json")
nofind=$(jq '[.pairs[] | select((.findings | length) == 0 and .verdict != "accept")] | length' \
	"$TMP/place.json")
rss_mib=$(awk -v k="$rss_kib" 'BEGIN { printf "%.1f", k / 1024 }')
rate=$(awk -v p="$pairs" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? p / w : 0) }')
echo "place: $GUESTS guests x $HOSTS hosts = $pairs pairs, --jobs $JOBS on one core:" \
     "$wall s wall ($user s user, $sys s system), $rate pairs/s, peak RSS $rss_mib MiB"
jq -c '.summary | del(.guests_without_host)' "$TMP/place.json"
echo "($homeless guests without a host)"

# One check process per pair, on every 100th pair: what place saves.
# check needs a target file; the guest's own descriptor is one of the
# same size, so the process cost is the same.
jq -r '.pairs | to_entries[] | select(.key % 100 == 0) | .value.guest' \
	"$TMP/place.json" > "$TMP/sample"
n=$(grep -c "" "$TMP/sample")
start=$(date +%s.%N)
while read -r g; do
	# shellcheck disable=SC2086
	taskset -c 0 "$APGATE" check $P --source "$TMP/fleet/guests/$g.yaml" \
		--target "$TMP/fleet/guests/$g.yaml" --format json > /dev/null 2>&1
done < "$TMP/sample"
end=$(date +%s.%N)
awk -v n="$n" -v a="$start" -v b="$end" -v p="$pairs" -v w="$wall" 'BEGIN {
	per = (b - a) / (n > 0 ? n : 1)
	printf "check: %d processes (1%% sample), %.1f ms each: %.0f pairs/s; " \
	       "%d pairs that way: %.0f s, place: %s s (%.0fx)\n",
	       n, per * 1000, (per > 0 ? 1 / per : 0), p, per * p, w,
	       (w > 0 ? per * p / w : 0) }'

fail=0
if awk -v w="$wall" 'BEGIN { exit !(w > 2.0) }'; then
	echo "GOAL MISSED: $wall s > 2 s"; fail=1; fi
if [ "$rss_kib" -gt 65536 ]; then echo "GOAL MISSED: peak RSS $rss_mib MiB > 64 MiB"; fail=1; fi
if [ "$nofind" -ne 0 ]; then echo "GOAL MISSED: $nofind non-accept pairs without findings"; fail=1; fi
[ $fail -eq 0 ] && echo "goals met: <= 2 s, <= 64 MiB, findings for every pair"
exit $fail

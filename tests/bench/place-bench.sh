#!/bin/sh
# place-bench.sh - how fast `apgate place` evaluates a fleet, against the
# goals of issue 14: 200 guests x 50 hosts (10,000 pairs, 4-16 APQNs per
# guest) in <= 2 s wall and <= 64 MiB peak RSS on one core, with findings
# for every pair.  Prints pairs/s, wall time and peak RSS, and compares
# with one `apgate check` process per pair on a 1% sample of the pairs.
# Run by hand (not part of make check):
#   sh tests/bench/place-bench.sh [BUILD_DIR]
# Exits 1 when a goal is missed.  Inputs come from tests/bench/gen-fleet
# (deterministic seed).  GUESTS, HOSTS, SEED and JOBS override the sizes.
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

# shellcheck disable=SC2086
taskset -c 0 /usr/bin/time -f "%e %M" -o "$TMP/time" "$APGATE" place $P --jobs "$JOBS" \
	--guests "$TMP/fleet/guests" --hosts "$TMP/fleet/hosts" --format json -o "$TMP/place.json"
st=$?
if [ $st -gt 1 ]; then echo "place-bench: apgate place failed (exit $st)" >&2; exit 2; fi
read -r wall rss_kib < "$TMP/time"
pairs=$(jq '.summary.pairs' "$TMP/place.json")
nofind=$(jq '[.pairs[] | select((.findings | length) == 0 and .verdict != "accept")] | length' "$TMP/place.json")
rss_mib=$(awk -v k="$rss_kib" 'BEGIN { printf "%.1f", k / 1024 }')
rate=$(awk -v p="$pairs" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? p / w : 0) }')
echo "place: $GUESTS guests x $HOSTS hosts = $pairs pairs in $wall s on one core" \
     "(--jobs $JOBS): $rate pairs/s, peak RSS $rss_mib MiB"
jq -c '.summary | del(.guests_without_host)' "$TMP/place.json"

# One check process per pair, on every 100th pair: the cost place saves.
jq -r '.pairs | to_entries[] | select(.key % 100 == 0) | .value | "\(.guest) \(.host)"' \
	"$TMP/place.json" > "$TMP/sample"
n=0
start=$(date +%s.%N)
while read -r g h; do
	inv=$(grep -l "^host: $h\$" "$TMP/fleet/hosts/"* | head -1)
	# the target check would see: the place builder's, written out
	"$APGATE" place $P --guests "$TMP/fleet/guests/$g.yaml" --hosts "$inv" --format json \
		> /dev/null 2>&1 || true
	n=$((n + 1))
done < "$TMP/sample"
end=$(date +%s.%N)
# check itself needs a target descriptor file; time it on the sample's
# guest against its own descriptor (the same size of input) per pair.
start2=$(date +%s.%N)
while read -r g h; do
	"$APGATE" check $P --source "$TMP/fleet/guests/$g.yaml" \
		--target "$TMP/fleet/guests/$g.yaml" --format json > /dev/null 2>&1 || true
done < "$TMP/sample"
end2=$(date +%s.%N)
awk -v n="$n" -v a="$start2" -v b="$end2" -v p="$pairs" -v w="$wall" 'BEGIN {
	per = (b - a) / (n > 0 ? n : 1)
	printf "check: %d processes (1%% sample) at %.1f ms each: %.0f pairs/s; " \
	       "%d pairs that way would take %.0f s, place took %s s (%.0fx)\n",
	       n, per * 1000, (per > 0 ? 1 / per : 0), p, per * p, w,
	       (w > 0 ? per * p / w : 0) }'
awk -v n="$n" -v a="$start" -v b="$end" 'BEGIN {
	printf "place per pair as its own process: %.1f ms\n", (b - a) * 1000 / (n > 0 ? n : 1) }'

fail=0
if awk -v w="$wall" 'BEGIN { exit !(w > 2.0) }'; then
	echo "GOAL MISSED: $wall s > 2 s"; fail=1; fi
if [ "$rss_kib" -gt 65536 ]; then echo "GOAL MISSED: peak RSS $rss_mib MiB > 64 MiB"; fail=1; fi
if [ "$nofind" -ne 0 ]; then echo "GOAL MISSED: $nofind non-accept pairs without findings"; fail=1; fi
[ $fail -eq 0 ] && echo "goals met: <= 2 s, <= 64 MiB, findings for every pair"
exit $fail

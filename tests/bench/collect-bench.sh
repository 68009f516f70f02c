#!/bin/sh
# collect-bench.sh - benchmark (not a test): how long `apgate collect`
# takes on a small host (tests/sysfs/cca-host.umockdev, 2 cards) and on the
# large host (tests/sysfs/gen-large-host.sh, 16 adapters x 85 domains),
# for a 4-APQN guest on each and for the large host's 1344-APQN guest.
# Each host is loaded into umockdev once; each case runs RUNS times and
# the median wall time is printed, side by side.  Collection reads only
# the mdev's devices, so the 4-APQN guest costs the same on both hosts
# and only the guest's own size moves the number.
#
# usage: tests/bench/collect-bench.sh [RUNS]   (from the source root;
#        APGATE defaults to src/apgate)
set -eu
RUNS=${1:-15}
APGATE=${APGATE:-$PWD/src/apgate}
command -v umockdev-run >/dev/null || { echo "needs umockdev-run" >&2; exit 1; }
[ -x "$APGATE" ] || { echo "no apgate binary at $APGATE" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/apgate-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
sh tests/sysfs/gen-large-host.sh > "$TMP/large.umockdev"

# Inside the testbed: time RUNS collections of one mdev, print the median
# in milliseconds (date +%s%N: GNU date).
cat > "$TMP/time.sh" <<'INNER'
runs=$1
shift
i=0
while [ "$i" -lt "$runs" ]; do
	t0=$(date +%s%N)
	"$@" > /dev/null 2>&1
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 ))
	i=$((i + 1))
done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f\n", v[int((NR + 1) / 2)] / 1000 }'
INNER

# Per host: the baseline (starting apgate under this testbed, no sysfs
# reads), the 4-APQN guest, and on the large host the 1344-APQN guest.
small=$(umockdev-run -d tests/sysfs/cca-host.umockdev -- /bin/sh -c '
	sh "$1" "$2" "$3" --version
	sh "$1" "$2" "$3" collect -q --mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93' \
	sh "$TMP/time.sh" "$RUNS" "$APGATE")
large=$(umockdev-run -d "$TMP/large.umockdev" -- /bin/sh -c '
	sh "$1" "$2" "$3" --version
	sh "$1" "$2" "$3" collect -q --mdev 7a1c0e52-3b4d-4e6f-8a9b-0c1d2e3f4a5b
	sh "$1" "$2" "$3" collect -q --mdev 7b2d1f63-4c5e-4f70-9bac-1d2e3f4a5b6c' \
	sh "$TMP/time.sh" "$RUNS" "$APGATE")
line() { echo "$1" | sed -n "$2p"; }

printf 'median of %s runs, milliseconds; baseline = `apgate --version` under\n' "$RUNS"
printf 'the same umockdev testbed (process start and the preload library)\n\n'
printf '%-30s %9s %14s %12s\n' "host" "baseline" "4-APQN guest" "1344 APQNs"
printf '%-30s %9s %14s %12s\n' "small: 2 cards, 8 queues" \
	"$(line "$small" 1)" "$(line "$small" 2)" "-"
printf '%-30s %9s %14s %12s\n' "large: 16 cards, 1360 queues" \
	"$(line "$large" 1)" "$(line "$large" 2)" "$(line "$large" 3)"

#!/bin/sh
# gen-fleet.sh - the synthetic fleet generator of the placement benchmark
# (tests/bench/gen-fleet): every file it writes passes `apgate validate`,
# the same seed writes byte-identical files and another seed others, and
# placing the fleet gives takers (accept or warn) and the three kinds of
# reject it is built for (apqn.free, card.generation, mkvp.match).
. "$(dirname "$0")/lib.sh"
require_tool jq
GEN=tests/bench/gen-fleet

"$GEN" --seed 14 --guests 30 --hosts 8 --out "$TMP/a" > "$TMP/out" 2>&1
expect_status "gen-fleet runs" 0 $?
expect_contains "gen-fleet says what it wrote" "$TMP/out" "30 guests, 8 hosts in $TMP/a"
n=$(find "$TMP/a/guests" "$TMP/a/hosts" -name '*.yaml' | wc -l)
[ "$n" -eq 38 ] && pass "38 files" || fail "38 files" "found $n"
"$APGATE" validate -q "$TMP"/a/guests/*.yaml "$TMP"/a/hosts/*.yaml > "$TMP/v" 2>&1
expect_status "every generated file passes apgate validate" 0 $?
expect_empty "validate: no complaint" "$TMP/v"
"$GEN" --seed 14 --guests 30 --hosts 8 --out "$TMP/b" > /dev/null 2>&1
diff -r "$TMP/a" "$TMP/b" > "$TMP/d" 2>&1
expect_status "same seed: byte-identical" 0 $?
"$GEN" --seed 15 --guests 30 --hosts 8 --out "$TMP/c" > /dev/null 2>&1
if diff -r -q "$TMP/a" "$TMP/c" > /dev/null 2>&1; then fail "another seed: another fleet"
else pass "another seed: another fleet"; fi
# guests of 4 to 16 APQNs
for f in "$TMP"/a/guests/*.yaml; do
	"$APGATE" show -f json "$f" | jq '(.mdev.adapters | length) * (.mdev.domains | length)'
done | sort -n | sed -n '1p;$p' | tr '\n' ' ' > "$TMP/sizes"
read -r lo hi < "$TMP/sizes"
[ "$lo" -ge 4 ] && [ "$hi" -le 16 ] && pass "4-16 APQNs per guest ($lo..$hi)" ||
	fail "4-16 APQNs per guest" "$lo..$hi"

"$APGATE" place --no-config --policy-dir policies --now 2026-11-22T12:00:00Z \
	--guests "$TMP/a/guests" --hosts "$TMP/a/hosts" --format json > "$TMP/p.json" 2> "$TMP/p.err"
st=$?
[ $st -le 1 ] && pass "place evaluates the fleet (exit $st)" || fail "place evaluates the fleet" "exit $st: $(head -3 "$TMP/p.err")"
takers=$(jq '.summary.accept + .summary.warn' "$TMP/p.json")
rejects=$(jq '.summary.reject' "$TMP/p.json")
[ "${takers:-0}" -gt 0 ] && [ "${rejects:-0}" -gt 0 ] && pass "a mix: $takers takers, $rejects rejects" ||
	fail "a mix of takers and rejects" "takers $takers rejects $rejects"
jq -r '[.pairs[].findings[]? | select(.severity == "reject") | .rule] | unique | join(" ")' "$TMP/p.json" > "$TMP/rules"
for r in apqn.free card.generation mkvp.match; do
	expect_contains "rejects by $r" "$TMP/rules" "$r"
done
"$GEN" --seed 1 --guests 0 --hosts 1 --out "$TMP/z" > "$TMP/z.out" 2>&1
expect_status "too small a fleet is a usage error" 2 $?
expect_contains "too small: says so" "$TMP/z.out" "need at least 1 guest and 2 hosts"
finish

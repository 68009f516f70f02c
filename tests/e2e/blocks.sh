#!/bin/sh
# blocks.sh - migration blocks through the CLI: block, blocks, unblock,
# export carrying them, the check rule refusing with the reason, expiry,
# bad input, and concurrent writers never losing a block.
. "$(dirname "$0")/lib.sh"
require_tool jq

S="--no-config --state-dir $TMP/state"
U=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93

"$APGATE" blocks $S > "$TMP/out"; expect_status "blocks on a fresh host" 0 $?
expect_contains "no blocks said" "$TMP/out" "no migration blocks in force"
"$APGATE" block $S --mdev $U --reason "AES master key change" --until +4h --by secops > "$TMP/out"
expect_status "block" 0 $?
expect_contains "block confirmed" "$TMP/out" "blocked $U until "
"$APGATE" blocks $S > "$TMP/out"
expect_contains "blocks lists who and why" "$TMP/out" "secops        AES master key change"
"$APGATE" blocks $S --format json > "$TMP/b.json"
if jq -e --arg u $U '.[0].mdev == $u and .[0].state == "active" and .[0].by == "secops"' \
	"$TMP/b.json" > /dev/null; then pass "blocks --format json"; else fail "blocks --format json"; fi

# export carries the block; check refuses with the reason.
"$APGATE" export $S --from examples/cca-match/source.yaml > "$TMP/elem.xml"
expect_contains "export includes the block" "$TMP/elem.xml" 'reason: "AES master key change"'
sed -n '/^apgate-descriptor/,/^<\/descriptor>/p' "$TMP/elem.xml" | sed '$d' > "$TMP/src.yaml"
"$APGATE" check --no-config --policy-dir policies --source "$TMP/src.yaml" \
	--target examples/cca-match/target.yaml > "$TMP/out"
expect_status "blocked source is rejected" 1 $?
expect_contains "reason quoted" "$TMP/out" "by secops until"
"$APGATE" export $S --no-blocks --from examples/cca-match/source.yaml > "$TMP/elem2.xml"
if grep -q "blocks:" "$TMP/elem2.xml" && ! grep -q "AES master key" "$TMP/elem2.xml"; then
	pass "export --no-blocks"; else fail "export --no-blocks" "$(grep -n reason "$TMP/elem2.xml")"; fi

# Expired and pending blocks are not in force.
"$APGATE" block $S --mdev $U --reason "past" --until 2020-01-01T00:00:00Z > "$TMP/out" 2>&1
expect_status "a past --until is refused" 2 $?
expect_contains "a past --until: said" "$TMP/out" "--until 2020-01-01T00:00:00Z: expected a future RFC 3339 time"
"$APGATE" block $S --mdev $U --reason "short" --until +1s > /dev/null
sleep 2
"$APGATE" blocks $S --all > "$TMP/out"
expect_contains "blocks --all shows expired" "$TMP/out" "expired"
"$APGATE" blocks $S > "$TMP/out"
if grep -q short "$TMP/out"; then fail "expired block hidden"; else pass "expired block hidden"; fi

# Bad input.
"$APGATE" block $S --mdev nope --reason x > "$TMP/out" 2>&1
expect_status "bad uuid" 2 $?
expect_contains "bad uuid: said" "$TMP/out" "apgate block: --mdev nope: not a UUID"
"$APGATE" block $S --mdev $U > "$TMP/out" 2>&1
expect_status "reason required" 2 $?
expect_contains "reason required: said" "$TMP/out" "--mdev UUID and a non-empty --reason TEXT are required"
"$APGATE" block $S --mdev $U --reason x --until tomorrow > "$TMP/out" 2>&1
expect_status "bad --until" 2 $?
expect_contains "bad --until explained" "$TMP/out" "+N with unit s, m, h or d"
printf '{"apgate-blocks": 1, "blocks": [{"mdev": 5}]}' > "$TMP/state/blocks.json.bad"
mkdir -p "$TMP/badstate" && cp "$TMP/state/blocks.json.bad" "$TMP/badstate/blocks.json"
"$APGATE" blocks --no-config --state-dir "$TMP/badstate" > "$TMP/out" 2>&1
expect_status "corrupt store is an error" 2 $?
expect_contains "corrupt store located" "$TMP/out" "blocks.json: blocks[0]"

# Concurrent writers: every block survives the read-modify-write.
i=0
while [ $i -lt 20 ]; do
	"$APGATE" block --no-config --state-dir "$TMP/par" --mdev $U --reason "r$i" > /dev/null &
	i=$((i + 1))
done
wait
n=$("$APGATE" blocks --no-config --state-dir "$TMP/par" --format json | jq length)
if [ "$n" = 20 ]; then pass "20 concurrent blocks kept"; else fail "20 concurrent blocks kept" "got $n"; fi

"$APGATE" unblock $S --mdev $U > "$TMP/out"; expect_status "unblock" 0 $?
expect_contains "unblock counts" "$TMP/out" "blocks lifted"
"$APGATE" unblock $S --mdev $U > "$TMP/out" 2>&1; expect_status "unblock again: none" 1 $?
expect_contains "unblock again: said" "$TMP/out" "apgate: no migration block for mdev $U"

finish

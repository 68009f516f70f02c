#!/bin/sh
# inventory-files.sh - host inventories through `apgate validate` and
# `apgate show`: a good one is valid, shows readably and survives YAML and
# JSON round trips; a bad one is refused naming the file, the place and
# what was expected; descriptors keep their own messages.
. "$(dirname "$0")/lib.sh"

G=tests/data/inventories/good/lpar-b.yaml
"$APGATE" validate "$G" > "$TMP/out" 2>&1
expect_status "validate inventory" 0 $?
expect_contains "validate inventory: ok" "$TMP/out" "$G: ok"
"$APGATE" validate "$G" examples/cca-match/source.yaml > "$TMP/out" 2>&1
expect_status "validate inventory and descriptor together" 0 $?

"$APGATE" show "$G" > "$TMP/show.txt"; expect_status "show inventory" 0 $?
expect_contains "show: host" "$TMP/show.txt" "host            lpar-b.example.com"
expect_contains "show: labels" "$TMP/show.txt" "labels          tenant=acme corp"
expect_contains "show: queue driver" "$TMP/show.txt" "06.00ab  vfio_ap    unassigned"
expect_contains "show: assigned_to" "$TMP/show.txt" "assigned to mdev 62177883-f1bb-47f0-914d-32a22e3a8804"
expect_contains "show: mdev" "$TMP/show.txt" "62177883-f1bb-47f0-914d-32a22e3a8804 (vfio_ap-passthrough, active)"
expect_contains "show: block" "$TMP/show.txt" "62177883-f1bb-47f0-914d-32a22e3a8804: master key change window (by ops"
"$APGATE" show -f json "$G" > "$TMP/a.json"; expect_status "show -f json" 0 $?
"$APGATE" show -f yaml "$G" > "$TMP/a.yaml"; expect_status "show -f yaml" 0 $?
for f in "$TMP/a.json" "$TMP/a.yaml"; do
	"$APGATE" show -f json "$f" > "$TMP/b.json"
	if cmp -s "$TMP/a.json" "$TMP/b.json"; then pass "round trip $(basename "$f")"
	else fail "round trip $(basename "$f")" "$(diff "$TMP/a.json" "$TMP/b.json" | head -5)"; fi
done
jq -e '.mdevs | map(.uuid) | . == sort' "$TMP/a.json" > /dev/null &&
	pass "json: mdevs sorted" || fail "json: mdevs sorted"

# refused file by file: path, line, column, field path, what was expected
bad() { # NAME TEXT WANT
	printf '%s' "$2" > "$TMP/$1.yaml"
	"$APGATE" validate "$TMP/$1.yaml" "$G" > "$TMP/out" 2> "$TMP/err"
	expect_status "refuse $1" 1 $?
	expect_contains "refuse $1: message" "$TMP/err" "apgate: $TMP/$1.yaml:$3"
	expect_contains "refuse $1: the good one still ok" "$TMP/out" "$G: ok"
}
H='apgate-inventory: 1
host: h
'
bad version 'apgate-inventory: 3
' '1:19: unsupported inventory version 3, this apgate reads 1'
bad state "${H}mdevs:
  - uuid: 62177883-f1bb-47f0-914d-32a22e3a8804
    state: planned
" '5:12: mdevs[0].state: expected one of active, defined, found the string "planned"'
bad orphan-queue "${H}queues:
  - apqn: \"05.0004\"
" '4:11: queues[0]: queue 05.0004 has no card 05 in cards (every queue belongs to a card)'
bad mkvp "${H}cards: [{adapter: 5}]
queues:
  - apqn: \"05.0004\"
    mkvps: {origin: sysfs, aes: {cur: {state: valid, mkvp: \"0x12\"}}}
" '6:60: queues[0].mkvps.aes.cur.mkvp: expected "0x" + 16 hex digits, found the string "0x12"'
bad block "${H}blocks:
  - mdev: nope
    reason: x
" '4:11: blocks[0].mdev: expected a UUID like "62177883-f1bb-47f0-914d-32a22e3a8804", found the string "nope"'
"$APGATE" show "$TMP/state.yaml" > "$TMP/out" 2> "$TMP/err"
expect_status "show refuses a bad inventory" 1 $?
expect_contains "show refuses: message" "$TMP/err" "state.yaml:5:12: mdevs[0].state"

# descriptors keep their own messages through the shared loader
printf 'apgate-descriptor: 1\nhost: x\n' > "$TMP/desc.yaml"
"$APGATE" validate "$TMP/desc.yaml" > "$TMP/out" 2> "$TMP/err"
expect_contains "descriptor message unchanged" "$TMP/err" \
	'desc.yaml:1:1: missing required key "mdev" in the descriptor'
: > "$TMP/empty.yaml"
"$APGATE" validate "$TMP/empty.yaml" > "$TMP/out" 2> "$TMP/err"
expect_contains "empty file message unchanged" "$TMP/err" \
	"empty.yaml: the file is empty; expected an AP descriptor (a mapping with apgate-descriptor: 1)"
finish

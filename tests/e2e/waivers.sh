#!/bin/sh
# waivers.sh - `apgate waive`, `unwaive`, `waivers` and what a waiver does
# to a decision: matching by rule, mdev, APQN and target host; expiry at
# the exact second (with an "expired" note after it); the 90-day bound;
# never for migration.blocked or errors; the store and waivers.d refused
# when group-writable; parallel `waive` calls all recorded; waivers in
# --explain, the JSON verdict and the audit record.
. "$(dirname "$0")/lib.sh"
require_tool jq
PY=/usr/bin/python3

D=examples/cca-mkvp-mismatch
UUID=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
NOW=2026-11-22T12:00:00Z
UNTIL=2026-11-29T12:00:00Z
STATE=$TMP/state
WD=$TMP/waivers.d
printf 'state_dir: %s\nwaivers_dir: %s\naudit: {log: %s/audit.jsonl}\n' "$STATE" "$WD" "$TMP" > "$TMP/c.yaml"

waive() { "$APGATE" waive --config "$TMP/c.yaml" --now $NOW "$@"; }
check() { # [ARGS...]: verdict JSON in $TMP/v.json, status in $TMP/rc
	"$APGATE" check --config "$TMP/c.yaml" --policy-dir policies \
		--source $D/source.yaml --target $D/target.yaml --format json "$@" \
		> "$TMP/v.json" 2> "$TMP/err"
	echo $? > "$TMP/rc"
}
# the verdict, then each mkvp.match warn or reject by APQN: severity/waiver
summary() { jq -r '[.verdict, ([.findings[] | select(.rule == "mkvp.match" and .severity != "note")] | sort_by(.apqn) | map(.severity + "/" + (.waived.id // "-")) | join(","))] | join(" ")' "$TMP/v.json"; }
want() { # NAME STATUS SUMMARY
	expect_status "$1: exit status" "$2" "$(cat "$TMP/rc")"
	got=$(summary)
	if [ "$got" = "$3" ]; then pass "$1: findings"; else fail "$1: findings" "got: $got" "want: $3"; fi
}
clear_store() { rm -f "$STATE/waivers.json"; }

# --- a waiver for the rule and mdev turns both rejects into warns ---
waive --mdev $UUID --rule mkvp.match --until $UNTIL --by alice \
	--reason "AES key rollout, CHG-1234" > "$TMP/out"
expect_status "waive" 0 $?
ID=$(sed -n 's/^waiver \(w[0-9a-f]\{8\}\): .*/\1/p' "$TMP/out")
expect_contains "waive says what it recorded" "$TMP/out" \
	"waiver $ID: mkvp.match for mdev $UUID until $UNTIL: AES key rollout, CHG-1234"
check --now $NOW
want "waived" 0 "warn warn/$ID,warn/$ID"
got=$(jq -r '[.findings[0].original_severity, .findings[0].waived.by, .findings[0].waived.reason, .findings[0].waived.until, (.waivers | length), .waivers[0].findings, .waivers[0].origin] | map(tostring) | join("|")' "$TMP/v.json")
if [ "$got" = "reject|alice|AES key rollout, CHG-1234|$UNTIL|1|2|$STATE/waivers.json" ]; then pass "waived: JSON finding and waivers"
else fail "waived: JSON finding and waivers" "got: $got"; fi
rec=$(tail -n 1 "$TMP/audit.jsonl" | jq -r '[.verdict, .waivers[0].id, .findings[0].waived.id] | join(" ")')
if [ "$rec" = "warn $ID $ID" ]; then pass "waived: the audit record has the waiver"
else fail "waived: the audit record has the waiver" "got: $rec"; fi
"$APGATE" check --config "$TMP/c.yaml" --no-audit --policy-dir policies --now $NOW \
	--source $D/source.yaml --target $D/target.yaml --explain > "$TMP/text"
expect_contains "text: the finding names the waiver" "$TMP/text" \
	"WARN mkvp.match 05.0047: current AES master key differs on target (reject waived: $ID by alice until $UNTIL: AES key rollout, CHG-1234)"
expect_contains "--explain lists the waivers in force" "$TMP/text" \
	"  $ID mkvp.match mdev $UUID until $UNTIL by alice (2 finding(s) waived; $STATE/waivers.json): AES key rollout, CHG-1234"

# --- expiry at the exact second ---
check --now $UNTIL
want "at until" 0 "warn warn/$ID,warn/$ID"
check --now 2026-11-29T12:00:01Z
want "one second after until" 1 "reject reject/-,reject/-"
got=$(jq -r '.findings[] | select(.rule == "waiver") | .severity + " " + .message' "$TMP/v.json")
if [ "$got" = "note waiver $ID expired on $UNTIL" ]; then pass "an expired waiver is a note"
else fail "an expired waiver is a note" "got: $got"; fi
if jq -e 'has("waivers")' "$TMP/v.json" > /dev/null; then fail "an expired waiver is not in force"
else pass "an expired waiver is not in force"; fi
"$APGATE" waivers --config "$TMP/c.yaml" --now 2026-11-29T12:00:01Z > "$TMP/out"
expect_contains "waivers: none in force after until" "$TMP/out" "no waivers in force"
"$APGATE" waivers --config "$TMP/c.yaml" --now 2026-11-29T12:00:01Z --all > "$TMP/out"
expect_contains "waivers --all: the expired one" "$TMP/out" "$ID  expired"

# --- matching: APQN, host, mdev, rule ---
clear_store
waive --mdev $UUID --rule mkvp.match --apqn 05.0047 --until $UNTIL --reason r > /dev/null
A=$(jq -r '.waivers[0].id' "$STATE/waivers.json")
check --now $NOW
want "APQN: only that APQN" 1 "reject warn/$A,reject/-"
clear_store
waive --mdev $UUID --rule mkvp.match --host lpar-b.example.com --until $UNTIL --reason r > /dev/null
H=$(jq -r '.waivers[0].id' "$STATE/waivers.json")
check --now $NOW
want "host: the target host" 0 "warn warn/$H,warn/$H"
clear_store
waive --mdev $UUID --rule mkvp.match --host lpar-a.example.com --until $UNTIL --reason r > /dev/null
check --now $NOW
want "host: the source host is not the target" 1 "reject reject/-,reject/-"
clear_store
waive --mdev 11111111-2222-4333-8444-555555555555 --rule mkvp.match --until $UNTIL --reason r > /dev/null
check --now $NOW
want "mdev: another guest's waiver" 1 "reject reject/-,reject/-"
clear_store
waive --mdev $UUID --rule card.mode --until $UNTIL --reason r > /dev/null
check --now $NOW
want "rule: another rule's waiver" 1 "reject reject/-,reject/-"

# --- never for errors or migration.blocked; no open-ended, 90 days ---
clear_store
mkdir -p "$TMP/site"
printf 'rule{ id = "site.boom", check = function() error("boom") end }\n' > "$TMP/site/90-boom.lua"
waive --mdev $UUID --rule site.boom --until $UNTIL --reason r > /dev/null
check --now $NOW --policy-dir "$TMP/site"
expect_status "an error is never waived" 2 "$(cat "$TMP/rc")"
waive --mdev $UUID --rule migration.blocked --until $UNTIL --reason r > /dev/null 2> "$TMP/err"
expect_status "migration.blocked is never waived" 2 $?
expect_contains "migration.blocked: says why" "$TMP/err" "a migration block is never waived; lift it with apgate unblock"
waive --mdev $UUID --rule mkvp.match --reason r > /dev/null 2> "$TMP/err"
expect_status "no open-ended waiver" 2 $?
expect_contains "no open-ended waiver: says so" "$TMP/err" "(no open-ended waivers)"
waive --mdev $UUID --rule mkvp.match --until +91d --reason r > /dev/null 2> "$TMP/err"
expect_status "more than 90 days is refused" 2 $?
expect_contains "90 days: says why" "$TMP/err" "more than 90 days ahead"
waive --mdev $UUID --rule mkvp.match --until 2027-02-20T12:00:00Z --reason r > /dev/null
expect_status "exactly 90 days is allowed" 0 $?
waive --mdev $UUID --rule mkvp.match --until 2027-02-20T12:00:01Z --reason r > /dev/null 2>&1
expect_status "90 days and a second is refused" 2 $?
waive --mdev $UUID --rule mkvp.match --until +200d --force --reason r > /dev/null
expect_status "--force allows more" 0 $?
waive --mdev $UUID --rule mkvp.match --until 2026-11-22T11:59:59Z --reason r > /dev/null 2>&1
expect_status "an end in the past is refused" 2 $?

# Waiver text reaches terminals and logs: control characters are refused.
waive --mdev $UUID --rule mkvp.match --until $UNTIL --reason "$(printf 'ok\033[2Jx')" > /dev/null 2> "$TMP/err"
expect_status "a reason with control characters is refused" 2 $?
expect_contains "control characters: says what is expected" "$TMP/err" \
	"the new waiver: waivers[0]: reason: expected a non-empty string of at most 1024 bytes without control characters"

# --- unwaive ---
clear_store
waive --mdev $UUID --rule mkvp.match --until $UNTIL --reason r > /dev/null
U=$(jq -r '.waivers[0].id' "$STATE/waivers.json")
"$APGATE" unwaive --config "$TMP/c.yaml" "$U" > "$TMP/out"
expect_status "unwaive" 0 $?
expect_contains "unwaive says so" "$TMP/out" "waiver $U withdrawn"
"$APGATE" unwaive --config "$TMP/c.yaml" "$U" > /dev/null 2> "$TMP/err"
expect_status "unwaive of an unknown id" 1 $?
expect_contains "unwaive: unknown id said" "$TMP/err" "no waiver $U in $STATE/waivers.json"

# --- parallel waive calls: every one recorded ---
clear_store
N=16
i=0
while [ $i -lt $N ]; do
	waive --mdev $UUID --rule mkvp.match --until $UNTIL --reason "parallel $i" > /dev/null &
	i=$((i + 1))
done
wait
got=$(jq -r '[(.waivers | length), ([.waivers[].id] | unique | length), ([.waivers[].reason] | unique | length)] | map(tostring) | join(" ")' "$STATE/waivers.json")
if [ "$got" = "$N $N $N" ]; then pass "$N parallel waive calls all recorded, distinct ids"
else fail "$N parallel waive calls all recorded" "got: $got"; fi

# --- waivers.d: distributed waivers, with their origin ---
clear_store
mkdir -p "$WD"
cat > "$WD/10-fleet.yaml" <<'YAML'
apgate-waivers: 1
waivers:
  - id: chg-1234
    mdev: 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
    rule: mkvp.match
    apqn: "06.0047"
    until: 2026-11-29T12:00:00Z
    reason: key ceremony on lpar-b
    by: secteam
YAML
check --now $NOW
want "waivers.d" 1 "reject reject/-,warn/chg-1234"
"$APGATE" waivers --config "$TMP/c.yaml" --now $NOW > "$TMP/out"
expect_contains "waivers shows the origin" "$TMP/out" "$WD/10-fleet.yaml"
"$APGATE" waivers --config "$TMP/c.yaml" --now $NOW --format json > "$TMP/out"
got=$(jq -r '.[0] | [.id, .origin, .state] | join(" ")' "$TMP/out")
if [ "$got" = "chg-1234 $WD/10-fleet.yaml active" ]; then pass "waivers --format json: id, origin, state"
else fail "waivers --format json" "got: $got"; fi
"$APGATE" unwaive --config "$TMP/c.yaml" chg-1234 > /dev/null 2> "$TMP/err"
expect_status "unwaive of a distributed waiver" 2 $?
expect_contains "unwaive: where to remove it" "$TMP/err" "waiver chg-1234 comes from $WD/10-fleet.yaml: remove it there"
cp "$WD/10-fleet.yaml" "$WD/20-dup.yaml"
check --now $NOW
expect_status "a duplicate id is an error" 2 "$(cat "$TMP/rc")"
expect_contains "duplicate id: both files named" "$TMP/v.json" "$WD/20-dup.yaml: waiver id \\\"chg-1234\\\" is also given in $WD/10-fleet.yaml"
rm "$WD/20-dup.yaml"
sed 's/"06.0047"/06.0047/' "$WD/10-fleet.yaml" > "$WD/30-bad.yaml"
check --now $NOW
expect_contains "an unquoted APQN is explained" "$TMP/v.json" "30-bad.yaml: waivers[0]: apqn: expected a quoted APQN"
rm "$WD/30-bad.yaml"
sed 's/rule: mkvp.match/rule: migration.blocked/' "$WD/10-fleet.yaml" > "$WD/30-bad.yaml"
check --now $NOW
expect_status "a distributed waiver of migration.blocked is an error" 2 "$(cat "$TMP/rc")"
rm "$WD/30-bad.yaml"

# --- trust: a group-writable store or file is refused, fail closed ---
if [ "$(id -u)" -eq 0 ]; then
	waive --mdev $UUID --rule mkvp.match --until $UNTIL --reason r > /dev/null
	chmod g+w "$STATE/waivers.json"
	check --now $NOW
	expect_status "group-writable store: error" 2 "$(cat "$TMP/rc")"
	expect_contains "group-writable store: refused, with the fix" "$TMP/v.json" \
		"$STATE/waivers.json: refusing waiver file: it is writable by its group"
	waive --mdev $UUID --rule mkvp.match --until $UNTIL --reason r > /dev/null 2> "$TMP/err"
	expect_status "group-writable store: waive refuses too" 2 $?
	chmod g-w "$STATE/waivers.json"
	chmod g+w "$WD/10-fleet.yaml"
	check --now $NOW
	expect_status "group-writable waivers.d file: error" 2 "$(cat "$TMP/rc")"
	expect_contains "group-writable waivers.d file: refused" "$TMP/v.json" "10-fleet.yaml: refusing waiver file"
	chmod g-w "$WD/10-fleet.yaml"
	chmod g+w "$STATE"
	check --now $NOW
	expect_status "group-writable state directory: error" 2 "$(cat "$TMP/rc")"
	chmod g-w "$STATE"
	check --now $NOW --insecure-policies
	expect_status "trusted again" 0 "$(cat "$TMP/rc")"
else
	fail "the trust cases need root (they run as root in CI)"
fi

# --- schemas ---
if "$PY" -c 'import jsonschema' 2>/dev/null; then
	check --now $NOW
	"$PY" tests/tools/validate-json.py schemas/verdict-v1.schema.json "$TMP/v.json" > "$TMP/s.txt" 2>&1
	expect_status "a waived verdict matches the schema" 0 $?
	"$PY" tests/tools/validate-json.py schemas/waiver-v1.schema.json "$STATE/waivers.json" > "$TMP/s.txt" 2>&1
	expect_status "the store matches waiver-v1" 0 $?
	tail -n 1 "$TMP/audit.jsonl" > "$TMP/rec.json"
	"$PY" tests/tools/validate-json.py schemas/audit-record-v1.schema.json "$TMP/rec.json" > "$TMP/s.txt" 2>&1
	expect_status "a waived record matches the schema" 0 $?
else
	fail "python3-jsonschema is needed to validate against the schemas"
fi

# An unprivileged user who cannot read the state directory decides without
# the waivers in it (the stricter verdict), not with an error.
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null; then
	PRIV=$TMP/private
	mkdir -p "$PRIV/state" && chmod 0755 "$TMP" && chmod 0700 "$PRIV/state"
	printf '{"apgate-waivers": 1, "waivers": []}\n' > "$PRIV/state/waivers.json"
	printf 'state_dir: %s\nwaivers_dir: %s\n' "$PRIV/state" "$PRIV/none" > "$PRIV/c.yaml"
	chmod 0755 "$PRIV" && chmod 0644 "$PRIV/c.yaml"
	setpriv --reuid nobody --regid nogroup --clear-groups \
		"$APGATE" check --config "$PRIV/c.yaml" --no-audit --policy-dir policies \
		-s examples/cca-mkvp-mismatch/source.yaml -t examples/cca-mkvp-mismatch/target.yaml \
		> "$TMP/out" 2>&1
	expect_status "unreadable waiver store as non-root: the verdict, not an error" 1 $?
	expect_contains "unreadable waiver store as non-root: reject" "$TMP/out" "verdict: reject"
else
	fail "unreadable waiver store as non-root: needs root and setpriv"
fi

finish

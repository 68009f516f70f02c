#!/bin/sh
# audit-failure.sh - a decision whose record cannot be written fails
# closed: disk full (a small tmpfs) and a read-only log make `check` exit 2
# with an error verdict whose message names the log and the system's
# reason; audit: on_write_failure: accept lets the site choose otherwise.
# Needs mount(8) (root); skipped where mounting is not permitted.
. "$(dirname "$0")/lib.sh"

MNT="$TMP/mnt"
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=64k,mode=0755 apgate-test "$MNT" 2>/dev/null; then
	skip "cannot mount a tmpfs (needs root)"
fi
trap 'umount "$MNT" 2>/dev/null; rm -rf "$TMP"' EXIT

P="--policy-dir policies --no-config"
S=examples/cca-match/source.yaml
T=examples/cca-match/target.yaml

# --- disk full ---
"$APGATE" check $P --audit-log "$MNT/log/decisions.jsonl" -s $S -t $T > /dev/null
expect_status "a first record fits" 0 $?
dd if=/dev/zero of="$MNT/fill" bs=1k count=1024 2>/dev/null
size=$(stat -c %s "$MNT/log/decisions.jsonl")
"$APGATE" check $P --audit-log "$MNT/log/decisions.jsonl" -s $S -t $T \
	> "$TMP/out" 2> "$TMP/err"
expect_status "disk full: check fails closed (exit 2)" 2 $?
expect_contains "disk full: verdict error" "$TMP/out" "verdict: error"
expect_contains "disk full: finding names the log" "$TMP/out" \
	"ERROR audit: cannot write the decision record to $MNT/log/decisions.jsonl: No space left on device"
expect_contains "disk full: message on stderr" "$TMP/err" \
	"apgate: cannot write the decision record to $MNT/log/decisions.jsonl: No space left on device"
if [ "$(stat -c %s "$MNT/log/decisions.jsonl")" -eq "$size" ]; then
	pass "disk full: no partial record left"
else fail "disk full: no partial record left"; fi
"$APGATE" audit verify "$MNT/log/decisions.jsonl" > /dev/null
expect_status "disk full: log still verifies" 0 $?
"$APGATE" check $P --audit-log "$MNT/log/decisions.jsonl" -s $S -t $T \
	--format json > "$TMP/json" 2>/dev/null
if jq -e '.verdict == "error" and (.findings[0].rule == "audit")' "$TMP/json" > /dev/null
then pass "disk full: JSON verdict error, rule audit"
else fail "disk full: JSON verdict error, rule audit" "$(head -c 300 "$TMP/json")"; fi

# the site's choice: accept when the record cannot be written
printf 'audit:\n  log: %s\n  on_write_failure: accept\n' "$MNT/log/decisions.jsonl" \
	> "$TMP/apgate.yaml"
"$APGATE" check --policy-dir policies --insecure-policies --config "$TMP/apgate.yaml" \
	-s $S -t $T > "$TMP/out" 2> "$TMP/err"
expect_status "on_write_failure: accept decides anyway" 0 $?
expect_contains "on_write_failure: accept still warns" "$TMP/err" \
	"warning: cannot write the decision record"
rm -f "$MNT/fill"

# --- read-only log ---
mount -o remount,ro "$MNT"
"$APGATE" check $P --audit-log "$MNT/log/decisions.jsonl" -s $S -t $T \
	> "$TMP/out" 2> "$TMP/err"
expect_status "read-only: check fails closed (exit 2)" 2 $?
expect_contains "read-only: verdict error" "$TMP/out" "verdict: error"
expect_contains "read-only: message names the log" "$TMP/err" \
	"cannot open the decision log $MNT/log/decisions.jsonl: Read-only file system"
"$APGATE" check $P --audit-log "$MNT/new/decisions.jsonl" -s $S -t $T \
	> /dev/null 2> "$TMP/err"
expect_status "read-only: a log that cannot be created" 2 $?
expect_contains "read-only: names the directory" "$TMP/err" \
	"cannot create the directory $MNT/new"
"$APGATE" audit verify "$MNT/log/decisions.jsonl" > /dev/null
expect_status "read-only: verify still reads it" 0 $?
umount "$MNT"

# --- permissions (only meaningful without root's override) ---
if [ "$(id -u)" -ne 0 ]; then
	"$APGATE" check $P --audit-log "$TMP/p.jsonl" -s $S -t $T > /dev/null
	chmod 0444 "$TMP/p.jsonl"
	"$APGATE" check $P --audit-log "$TMP/p.jsonl" -s $S -t $T > /dev/null 2> "$TMP/err"
	expect_status "unwritable log: check fails closed" 2 $?
	expect_contains "unwritable log: Permission denied" "$TMP/err" "Permission denied"
fi

finish

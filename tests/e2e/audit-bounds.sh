#!/bin/sh
# audit-bounds.sh - one input cannot brick the decision log (issue 10):
# records are cut to their bounds (with a marker and the full record's
# digest), every line the writer could write reads back (append, rotate,
# verify, show at the 64 MiB boundary), a longer line is judged the same
# way by every reader, and a record with bytes that are not UTF-8 stays a
# record.
. "$(dirname "$0")/lib.sh"
require_tool python3

S=examples/cca-match/source.yaml
T=examples/cca-match/target.yaml
P="--no-config --insecure-policies --policy-dir policies"
ADD=tests/tools/audit-append.py
MAX_LINE=67108864	# AG_AUDIT_MAX_LINE
chmod 755 "$TMP"
decide() { # LOG [OPTION]...
	log=$1; shift
	"$APGATE" check $P --audit-log "$log" -s $S -t $T "$@" > "$TMP/out" 2> "$TMP/err"
}

# --- a policy writes findings far over the bounds ---
L="$TMP/big.jsonl"
decide "$L" --policy-dir tests/data/audit/big-note
expect_status "big findings: the decision is made" 0 $?
expect_contains "the verdict itself is whole" "$TMP/out" "NOTE big.note: xxxxxxxxxx"
size=$(wc -c < "$L")
if [ "$size" -lt 65536 ]; then pass "the record is cut to its bounds ($size bytes)"
else fail "the record is cut to its bounds" "$size bytes"; fi
expect_contains "strings end in the cut marker" "$L" 'xxx...[91829 bytes cut]"'
expect_contains "the record says what was cut" "$L" '"truncated":{"findings":0,"findings_dropped":0,"full_bytes":'
full=$("$APGATE" check $P --no-audit -s $S -t $T --policy-dir tests/data/audit/big-note \
	--format json 2>/dev/null | python3 -c 'import json,sys; print(sum(f["rule"] == "big.note" for f in json.load(sys.stdin)["findings"]))')
[ "$full" = 2 ] && pass "the JSON verdict keeps both findings" || fail "the JSON verdict keeps both findings" "$full"
"$APGATE" audit verify "$L" > "$TMP/out" 2>&1
expect_status "a cut record verifies" 0 $?
decide "$L"
expect_status "the next decision appends" 0 $?
"$APGATE" audit show "$L" > "$TMP/out" 2> "$TMP/err"
expect_contains "show shows the cut record" "$TMP/out" "NOTE big.note: xxxxxxxxxx"
expect_empty "show skips nothing" "$TMP/err"

# --- a record of an earlier version, over today's 4 MiB bound ---
L="$TMP/legacy.jsonl"
decide "$L"
python3 $ADD "$L" pad 5000000
decide "$L"
expect_status "append after a 5 MB record" 0 $?
expect_empty "no recovery warning" "$TMP/err"
"$APGATE" audit verify "$L" > "$TMP/out" 2>&1
expect_status "5 MB record: verify intact" 0 $?
expect_contains "5 MB record counted" "$TMP/out" "intact: 3 record(s)"

# --- exactly the readers' limit: still a record everywhere ---
python3 $ADD "$L" pad $MAX_LINE
decide "$L"
expect_status "append after a record of exactly 64 MiB" 0 $?
expect_empty "no recovery warning at the limit" "$TMP/err"
"$APGATE" audit verify "$L" > "$TMP/out" 2>&1
expect_status "64 MiB record: verify intact" 0 $?
expect_contains "64 MiB record counted" "$TMP/out" "intact: 5 record(s)"
"$APGATE" audit show "$L" > "$TMP/out" 2> "$TMP/err"
expect_empty "show takes the 64 MiB record" "$TMP/err"
[ "$(grep -c accept "$TMP/out")" -eq 5 ] && pass "show lists all 5 records" ||
	fail "show lists all 5 records" "$(cat "$TMP/out")"
python3 $ADD "$L" pad $MAX_LINE
"$APGATE" audit rotate "$L" > "$TMP/out" 2>&1
expect_status "rotate after a record of exactly 64 MiB" 0 $?
"$APGATE" audit verify "$L".2* "$L" > "$TMP/out" 2>&1
expect_status "rotated chain verifies" 0 $?
rm -f "$L".2*

# --- one byte more: not a record, and every reader agrees ---
L="$TMP/over.jsonl"
decide "$L"
python3 $ADD "$L" raw $((MAX_LINE + 1))
decide "$L"
expect_status "append after an over-long line: error" 2 $?
expect_contains "append names the over-long line" "$TMP/err" \
	"cannot append to the decision log $L: a line at its end (more than 64 MiB) is not a decision record; run 'apgate audit verify $L'"
"$APGATE" audit verify "$L" > "$TMP/out" 2>&1
expect_status "verify: an over-long line breaks the log" 1 $?
expect_contains "verify names the over-long line" "$TMP/out" \
	"over.jsonl:2: BROKEN: not a decision record (a line of $((MAX_LINE + 1)) bytes, longer than any decision record (64 MiB))"
"$APGATE" audit show "$L" > "$TMP/out" 2> "$TMP/err"
expect_contains "show skips it, saying why" "$TMP/err" "over.jsonl:2: skipped: a line of $((MAX_LINE + 1)) bytes"

# --- a record with bytes that are not UTF-8 is still a record ---
L="$TMP/odd.jsonl"
decide "$L"
python3 $ADD "$L" odd
decide "$L"
expect_status "append after a record with odd bytes" 0 $?
expect_empty "odd bytes are not taken for an interrupted write" "$TMP/err"
if grep -q '"torn"' "$L"; then fail "no torn member for a whole record"
else pass "no torn member for a whole record"; fi
"$APGATE" audit verify "$L" > "$TMP/out" 2>&1
expect_status "odd bytes: verify intact" 0 $?
expect_contains "odd bytes: all records verify" "$TMP/out" "intact: 3 record(s)"
expect_contains "odd bytes: noted" "$TMP/out" "line 2: holds bytes that are not valid UTF-8 in 1 record(s)"
"$APGATE" audit show "$L" > "$TMP/out" 2> "$TMP/err"
expect_empty "show drops nothing" "$TMP/err"
[ "$(grep -c accept "$TMP/out")" -eq 3 ] && pass "show lists the odd record" ||
	fail "show lists the odd record" "$(cat "$TMP/out")"
"$APGATE" audit show --format json "$L" > "$TMP/out" 2> "$TMP/err"
[ "$(wc -l < "$TMP/out")" -eq 3 ] && pass "show --format json keeps the odd record" ||
	fail "show --format json keeps the odd record"

finish

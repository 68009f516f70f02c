#!/bin/sh
# audit.sh - the decision log end to end: records written by real `check`
# runs, verify (intact, each kind of tampering at its line, torn lines and
# their recovery), show with its filters, rotation, concurrent checks, the
# record schema, and reports (golden Markdown, deterministic HTML).
. "$(dirname "$0")/lib.sh"

P="--policy-dir policies --no-config"
LOG="$TMP/log/decisions.jsonl"
SAMPLE=tests/data/audit/sample.jsonl

# --- records from real decisions ---
n=0
for ex in examples/*/; do
	[ -f "$ex/source.yaml" ] && [ -f "$ex/target.yaml" ] || continue
	n=$((n + 1))
	"$APGATE" check $P --audit-log "$LOG" --source "$ex/source.yaml" \
		--target "$ex/target.yaml" > /dev/null 2>&1
done
"$APGATE" check $P --audit-log "$LOG" --source /nonexistent \
	--target examples/cca-match/target.yaml > /dev/null 2>&1
n=$((n + 1))
lines=$(wc -l < "$LOG")
if [ "$lines" -eq "$n" ]; then pass "one record per decision ($n)"
else fail "one record per decision" "$lines lines for $n decisions"; fi
"$APGATE" audit verify "$LOG" > "$TMP/out" 2>&1
expect_status "fresh log verifies" 0 $?
expect_contains "verify says intact" "$TMP/out" "intact: $n record(s) (seq 1-$n)"
expect_contains "records carry the caller" "$LOG" '"caller":"check"'
head -n 1 "$LOG" > "$TMP/first"
expect_contains "the first record chains from genesis" "$TMP/first" \
	'"prev":"0000000000000000000000000000000000000000000000000000000000000000",'
expect_contains "the first record has seq 1" "$TMP/first" '"seq":1,'
if grep -q '<domain' "$LOG"; then fail "no domain XML in records"; else pass "no domain XML in records"; fi
perm=$(stat -c %a "$LOG")
if [ "$perm" = 640 ]; then pass "log created 0640"; else fail "log created 0640" "mode $perm"; fi

# --no-audit beats the configured log: nothing is written where the same
# run without it writes a record.
mkdir -p "$TMP/noaudit"
printf 'site_policy_dir: null\naudit: {log: %s/noaudit/log.jsonl}\n' "$TMP" > "$TMP/noaudit/apgate.yaml"
"$APGATE" check --insecure-policies --config "$TMP/noaudit/apgate.yaml" --policy-dir policies \
	--no-audit --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > /dev/null
expect_status "check --no-audit with a configured log" 0 $?
if [ -e "$TMP/noaudit/log.jsonl" ]; then fail "--no-audit writes nothing" "$(cat "$TMP/noaudit/log.jsonl")"
else pass "--no-audit writes nothing"; fi
"$APGATE" check --insecure-policies --config "$TMP/noaudit/apgate.yaml" --policy-dir policies \
	--source examples/cca-match/source.yaml --target examples/cca-match/target.yaml > /dev/null
if [ "$(wc -l < "$TMP/noaudit/log.jsonl" 2>/dev/null)" = 1 ]; then pass "the same run without --no-audit writes a record"
else fail "the same run without --no-audit writes a record"; fi
# --no-config: no configured log either; the built-in one stays as it was
# (the log that would be written, named by --help).
default_log=$("$APGATE" check --help | sed -n 's/.*configured log (\(.*\)).*/\1/p')
before=$(cat "$default_log" 2>/dev/null | wc -l)
"$APGATE" check $P --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > /dev/null 2> "$TMP/err"
expect_status "check --no-config" 0 $?
after=$(cat "$default_log" 2>/dev/null | wc -l)
if [ -n "$default_log" ] && [ "$before" = "$after" ]; then pass "--no-config writes nothing to $default_log"
else fail "--no-config writes nothing" "log '$default_log': $before then $after lines"; fi

# --- records match schemas/audit-record-v1.schema.json ---
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	mkdir -p "$TMP/recs"
	split -l 1 -a 3 "$LOG" "$TMP/recs/r"
	split -l 1 -a 3 "$SAMPLE" "$TMP/recs/s"
	if /usr/bin/python3 tests/tools/validate-json.py \
		schemas/audit-record-v1.schema.json "$TMP"/recs/* > "$TMP/v" 2>&1
	then pass "records match their schema"
	else fail "records match their schema" "$(head -3 "$TMP/v")"; fi
else
	fail "records against the schema" "python3-jsonschema is missing (.ci/install-deps)"
fi

# --- show ---
"$APGATE" audit show --verdict reject --format json "$LOG" > "$TMP/rej"
want=$(grep -c '"verdict":"reject"' "$LOG")
got=$(wc -l < "$TMP/rej")
if [ "$got" -eq "$want" ] && [ "$got" -gt 0 ]; then pass "show --verdict reject"
else fail "show --verdict reject" "$got records, want $want"; fi
if grep -qxFf "$TMP/rej" "$LOG" && [ "$(grep -cxFf "$TMP/rej" "$LOG")" -eq "$got" ]
then pass "show --format json prints the lines unchanged"
else fail "show --format json prints the lines unchanged"; fi
"$APGATE" audit show --verdict warn,error "$LOG" > "$TMP/we"
expect_contains "show text: warn" "$TMP/we" "  warn    check  "
expect_contains "show text: error finding" "$TMP/we" "    ERROR input: /nonexistent"
"$APGATE" audit show --mdev 0B6F3E52-91D4-4C8A-A7E3-5D2F1C9B8E04 --format json \
	"$LOG" > "$TMP/mdev"
if [ -s "$TMP/mdev" ] && ! grep -qv '0b6f3e52-91d4-4c8a-a7e3-5d2f1c9b8e04' "$TMP/mdev"
then pass "show --mdev (any case)"; else fail "show --mdev"; fi
"$APGATE" audit show --host lpar-d.example.com "$SAMPLE" > "$TMP/host"
if [ -s "$TMP/host" ] && ! grep -v '^    ' "$TMP/host" | grep -qv 'lpar-d'
then pass "show --host"; else fail "show --host"; fi
"$APGATE" audit show --since 2026-11-01T00:00:00Z --until 2026-11-02T00:00:00Z \
	--format json "$SAMPLE" > "$TMP/day"
want=$(grep -c '"timestamp":"2026-11-01T' "$SAMPLE")
if [ "$(wc -l < "$TMP/day")" -eq "$want" ]; then pass "show --since --until"
else fail "show --since --until" "$(wc -l < "$TMP/day") records, want $want"; fi
id=$(sed -n 5p "$SAMPLE" | jq -r .decision_id)
"$APGATE" audit show --id "$id" --format json "$SAMPLE" > "$TMP/id"
if [ "$(wc -l < "$TMP/id")" -eq 1 ]; then pass "show --id"; else fail "show --id"; fi
"$APGATE" audit show --since yesterday "$SAMPLE" > /dev/null 2> "$TMP/err"
expect_status "show rejects a bad time" 2 $?
expect_contains "show bad time: said" "$TMP/err" "--since yesterday: expected an RFC 3339 time"
"$APGATE" audit show --verdict maybe "$SAMPLE" > /dev/null 2> "$TMP/err"
expect_status "show rejects a bad verdict" 2 $?
expect_contains "show bad verdict: said" "$TMP/err" "--verdict takes accept, warn, reject or error (comma-separated), not 'maybe'"
"$APGATE" audit show "$TMP/none.jsonl" > /dev/null 2> "$TMP/err"
expect_status "show of a missing log" 2 $?
expect_contains "show missing log: named" "$TMP/err" "cannot open $TMP/none.jsonl: No such file or directory"

# --- tampering, found at the right line ---
tamper() {	# NAME WANT_STATUS WANT_TEXT SED/SCRIPT...
	name=$1 want=$2 text=$3
	shift 3
	cp "$SAMPLE" "$TMP/t.jsonl"
	"$@" "$TMP/t.jsonl"
	"$APGATE" audit verify "$TMP/t.jsonl" > "$TMP/out" 2>&1
	st=$?
	if [ "$st" -eq "$want" ] && grep -qF -- "$text" "$TMP/out"; then pass "$name"
	else fail "$name" "exit $st (want $want): $(head -c 400 "$TMP/out")"; fi
}
tamper "edited field found at its line" 1 "t.jsonl:7: BROKEN: record altered" \
	sed -i '7s/"verdict":"[a-z]*"/"verdict":"accept"/; 7s/"duration_us":[0-9]*/"duration_us":1/'
tamper "deleted record found at its line" 1 "t.jsonl:20: BROKEN: 1 record(s) deleted" \
	sed -i 20d
tamper "reordered records found at their line" 1 "t.jsonl:40: BROKEN: records out of order" \
	sed -i '40{h;d};41{G}'
tamper "truncation mid-line is a torn final line" 3 \
	"t.jsonl:50: incomplete final line" \
	sh -c 'head -n 49 "$1" > "$1.x"; sed -n 50p "$1" | head -c 300 >> "$1.x"; mv "$1.x" "$1"' -
tamper "a garbled line is not a record" 1 "t.jsonl:12: BROKEN: not a decision record" \
	sed -i '12s/^{/[/'
tamper "removed first records break the start" 1 "t.jsonl:1: BROKEN: the first record" \
	sed -i 1,3d
# (the inserted record above is a copy of an earlier line)
sed -n 3p "$SAMPLE" > "$TMP/ins"
tamper "inserted copy found at its line" 1 "t.jsonl:31: BROKEN: record out of place" \
	sed -i '30r '"$TMP/ins"

# --- a torn line, then the next decision chains over it ---
cp "$LOG" "$TMP/torn.jsonl"
printf '{"apgate-audit":1,"caller":"ch' >> "$TMP/torn.jsonl"
"$APGATE" audit verify "$TMP/torn.jsonl" > "$TMP/out" 2>&1
expect_status "torn tail: exit 3" 3 $?
expect_contains "torn tail: named with its line" "$TMP/out" "torn.jsonl:$((n + 1)): incomplete final line"
"$APGATE" check $P --audit-log "$TMP/torn.jsonl" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > /dev/null 2> "$TMP/err"
expect_status "append after a torn line" 0 $?
expect_contains "the writer says it recovered" "$TMP/err" "not a whole record"
"$APGATE" audit verify "$TMP/torn.jsonl" > "$TMP/out" 2>&1
expect_status "recovered log verifies" 0 $?
expect_contains "recovery is noted" "$TMP/out" "note: line $((n + 1)): 31 bytes left by an interrupted write"

# --- rotation ---
cp "$LOG" "$TMP/rot.jsonl"
"$APGATE" audit rotate "$TMP/rot.jsonl" > "$TMP/out" 2>&1
expect_status "rotate" 0 $?
rotated=$(ls "$TMP"/rot.jsonl.2*)
if [ -f "$rotated" ] && [ "$(wc -l < "$TMP/rot.jsonl")" -eq 1 ]; then pass "rotate keeps the old file"
else fail "rotate keeps the old file"; fi
expect_contains "rotate names the new seq" "$TMP/out" "continues at seq $((n + 1))"
"$APGATE" check $P --audit-log "$TMP/rot.jsonl" --source examples/cca-match/source.yaml \
	--target examples/cca-match/target.yaml > /dev/null
"$APGATE" audit verify "$rotated" "$TMP/rot.jsonl" > "$TMP/out" 2>&1
expect_status "rotated + live verify as one chain" 0 $?
expect_contains "the chain continues" "$TMP/out" "rot.jsonl: intact: 2 record(s) (seq $((n + 1))-$((n + 2)))"
"$APGATE" audit verify "$TMP/rot.jsonl" "$rotated" > "$TMP/out" 2>&1
expect_status "files in the wrong order" 1 $?
expect_contains "wrong order: said" "$TMP/out" "$rotated:1: BROKEN: does not continue $TMP/rot.jsonl"
"$APGATE" audit verify "$TMP/rot.jsonl" "$TMP/none" > "$TMP/out" 2>&1
expect_status "verify of a missing file" 2 $?
expect_contains "verify missing file: named" "$TMP/out" "$TMP/none: error: cannot open $TMP/none: No such file or directory"
"$APGATE" audit verify examples/apgate.yaml > "$TMP/out" 2>&1
expect_status "verify of a file that is not a log" 2 $?
expect_contains "not a decision log" "$TMP/out" "apgate.yaml:1: error: not a decision log"

# --- rotating again within the same second (issue 10: "File exists") ---
mkdir "$TMP/rot2"
cp "$LOG" "$TMP/rot2/d.jsonl"
now=$(date -u +%s)
# Squat the plain names of the next seconds, so the second-based name is
# always taken, whatever the clock does during the test.
for s in 0 1 2 3 4 5; do
	: > "$TMP/rot2/d.jsonl.$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ)"
done
"$APGATE" audit rotate "$TMP/rot2/d.jsonl" > "$TMP/out" 2>&1
expect_status "rotate when the second's name is taken" 0 $?
expect_contains "the rotated file gets -01" "$TMP/out" "Z-01;"
"$APGATE" audit rotate "$TMP/rot2/d.jsonl" > "$TMP/out.2" 2>&1
expect_status "second rotate at once" 0 $?
"$APGATE" audit rotate "$TMP/rot2/d.jsonl" > "$TMP/out.3" 2>&1
expect_status "third rotate at once" 0 $?
expect_contains "rotate at once names the old file" "$TMP/out.3" "the records so far are in $TMP/rot2/d.jsonl."
# Name order is rotation order: the glob gives one chain.
"$APGATE" audit verify "$TMP"/rot2/d.jsonl.*Z-?? "$TMP/rot2/d.jsonl" > "$TMP/out" 2>&1
expect_status "quick rotations verify as one chain in name order" 0 $?
expect_contains "all rotated files in the chain" "$TMP/out" "d.jsonl: intact: 1 record(s) (seq $((n + 3))-$((n + 3)))"

# --- concurrent checks: 8 writers, one chain ---
i=0
while [ $i -lt 8 ]; do
	( j=0; while [ $j -lt 15 ]; do
		"$APGATE" check $P --audit-log "$TMP/conc.jsonl" \
			--source examples/cca-match/source.yaml \
			--target examples/cca-match/target.yaml > /dev/null || echo fail
		j=$((j + 1)); done ) > "$TMP/conc.$i" 2>&1 &
	i=$((i + 1))
done
wait
"$APGATE" audit verify "$TMP/conc.jsonl" > "$TMP/out" 2>&1
expect_status "8 concurrent writers: log intact" 0 $?
expect_contains "8 concurrent writers: 120 records" "$TMP/out" "intact: 120 record(s) (seq 1-120)"

# --- the configured log, and store_descriptors ---
mkdir -p "$TMP/etc"
printf 'audit:\n  log: %s\n  store_descriptors: true\n' "$TMP/cfg.jsonl" > "$TMP/etc/apgate.yaml"
"$APGATE" check --policy-dir policies --insecure-policies --config "$TMP/etc/apgate.yaml" \
	--source examples/cca-match/source.yaml --target examples/cca-match/target.yaml \
	> /dev/null 2> "$TMP/err"
expect_status "check with a configured log" 0 $?
if jq -e '.descriptors.source.host and .descriptors.target.host' "$TMP/cfg.jsonl" > /dev/null
then pass "store_descriptors keeps whole descriptors"
else fail "store_descriptors keeps whole descriptors"; fi
if jq -e '.descriptors' "$LOG" 2>/dev/null | grep -q true; then
	fail "descriptors are off by default"; else pass "descriptors are off by default"; fi

# --- reports ---
"$APGATE" report --format md "$SAMPLE" > "$TMP/sample.md"
if cmp -s "$TMP/sample.md" tests/data/audit/sample.md; then pass "Markdown report (golden)"
else fail "Markdown report (golden)" "$(diff tests/data/audit/sample.md "$TMP/sample.md" | head -10)"; fi
"$APGATE" report --format html -o "$TMP/a.html" "$SAMPLE"
expect_status "HTML report" 0 $?
"$APGATE" report --format html "$SAMPLE" > "$TMP/b.html"
if cmp -s "$TMP/a.html" "$TMP/b.html"; then pass "HTML report is deterministic"
else fail "HTML report is deterministic"; fi
for want in '<svg' 'id="chain-status"' 'Hash chain: intact' 'id="rules-table"' \
	'id="pairs-table"' 'id="mdevs-table"' 'Policy versions in force' \
	'@media print'; do
	expect_contains "HTML has $want" "$TMP/a.html" "$want"
done
if grep -qiE '<script|<link|src="http|href="http|url\(' "$TMP/a.html"; then
	fail "HTML has no scripts or external resources"
else pass "HTML has no scripts or external resources"; fi
"$APGATE" report --format md --since 2026-11-10T00:00:00Z --until 2026-11-11T00:00:00Z \
	"$SAMPLE" > "$TMP/day.md"
want=$(grep -c '"timestamp":"2026-11-10T' "$SAMPLE")
expect_contains "report --since --until" "$TMP/day.md" ", $want decision(s)."
cp "$SAMPLE" "$TMP/bad.jsonl"
sed -i 7d "$TMP/bad.jsonl"
"$APGATE" report --format md "$TMP/bad.jsonl" > "$TMP/bad.md" 2> "$TMP/err"
expect_status "report of a broken log still renders" 0 $?
expect_contains "report shows the break" "$TMP/bad.md" "**Hash chain: BROKEN**"
expect_contains "report warns about the break" "$TMP/err" "hash chain is broken"
"$APGATE" report "$SAMPLE" > /dev/null 2> "$TMP/err"
expect_status "report needs --format" 2 $?
expect_contains "report needs --format: said" "$TMP/err" "apgate report: --format html or --format md is required"

# --- help ---
for c in "audit verify" "audit show" "audit rotate" "audit" "report"; do
	$APGATE $c --help > "$TMP/help" 2>&1
	expect_status "$c --help" 0 $?
done

finish

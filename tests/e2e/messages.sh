#!/bin/sh
# messages.sh - what a user reads when something is off: a wrong file given
# to report or audit show, a truncated log, options that do not combine,
# empty input to the hook or as a descriptor, input errors in a report,
# and show's YAML numbering.
. "$(dirname "$0")/lib.sh"

P="--no-config --policy-dir policies"
S=examples/cca-match/source.yaml
T=examples/cca-match/target.yaml
LOG="$TMP/log.jsonl"

# one_line NAME FILE: exactly one line
one_line() {
	if [ "$(wc -l < "$2")" -eq 1 ]; then pass "$1"; else fail "$1" "$(head -5 "$2")"; fi
}

# --- report and audit show given a file that is not a decision log ---
for cmd in "audit show" "report --format md" "report --format html"; do
	"$APGATE" $cmd examples/apgate.yaml > "$TMP/out" 2> "$TMP/err"
	expect_status "$cmd on a YAML file: exit 2" 2 $?
	expect_contains "$cmd on a YAML file: not a decision log" "$TMP/err" \
		"apgate: examples/apgate.yaml:1: not a decision log ("
	one_line "$cmd on a YAML file: one line, not one per line" "$TMP/err"
	expect_empty "$cmd on a YAML file: nothing on stdout" "$TMP/out"
done
"$APGATE" audit verify examples/apgate.yaml > "$TMP/out" 2>&1
expect_contains "audit verify says the same" "$TMP/out" "examples/apgate.yaml:1: error: not a decision log ("
# An empty file is an empty log, and a real log still reads.
: > "$TMP/empty.jsonl"
"$APGATE" audit show "$TMP/empty.jsonl" > "$TMP/out" 2>&1
expect_status "audit show of an empty log: exit 0" 0 $?
"$APGATE" check $P --audit-log "$LOG" --source /nonexistent.yaml --target $T > /dev/null 2>&1
"$APGATE" check $P --audit-log "$LOG" --source $S --target $T > /dev/null 2>&1
"$APGATE" audit show "$LOG" > "$TMP/out" 2> "$TMP/err"
expect_status "audit show of a log: exit 0" 0 $?
expect_contains "audit show of a log lists the decision" "$TMP/out" "accept  check"

# --- report: input errors have no policy version ---
"$APGATE" report --format md "$LOG" > "$TMP/report.md" 2> "$TMP/err"
expect_status "report of the log: exit 0" 0 $?
empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
if grep -q "$empty" "$TMP/report.md"; then
	fail "report lists no policy set of an input error" "$(grep "$empty" "$TMP/report.md" | head -2)"
else pass "report lists no policy set of an input error"; fi
n=$(grep -c '^### Policy set ' "$TMP/report.md")
if [ "$n" -eq 1 ]; then pass "report lists the one policy set in force"
else fail "report lists the one policy set in force" "found $n"; fi
"$APGATE" report --format html "$LOG" 2>/dev/null |
	sed -n '/<section id="policies">/,/<\/section>/p' > "$TMP/policies.html"
expect_contains "HTML report has its policy section" "$TMP/policies.html" "Policy versions in force"
if grep -q "$empty" "$TMP/policies.html"; then fail "HTML report lists no policy set of an input error"
else pass "HTML report lists no policy set of an input error"; fi

# --- a truncated log: the wording says it once ---
head -c 200 "$LOG" > "$TMP/cut.jsonl"
"$APGATE" audit verify "$TMP/cut.jsonl" > "$TMP/out" 2>&1
expect_status "truncated log: exit 3" 3 $?
expect_contains "truncated log: line and size" "$TMP/out" \
	"cut.jsonl:1: incomplete final line (200 bytes), left by an interrupted write or a truncation"
if grep -q "incomplete final line: incomplete final line" "$TMP/out"; then
	fail "truncated log: not said twice" "$(cat "$TMP/out")"
else pass "truncated log: not said twice"; fi

# --- export: --virsh and --from do not combine ---
"$APGATE" export --no-config --virsh --from $S > "$TMP/out" 2>&1
expect_status "export --virsh --from: usage error" 2 $?
expect_contains "export --virsh --from: says they do not combine" "$TMP/out" \
	"apgate export: --virsh and --from FILE do not combine"
"$APGATE" export --no-config --virsh --from $S --domain g \
	--mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 > "$TMP/out" 2>&1
expect_contains "export --virsh --from --mdev: same message" "$TMP/out" \
	"--virsh and --from FILE do not combine"

# --- empty input ---
"$APGATE" hook $P g migrate begin - < /dev/null > "$TMP/out" 2> "$TMP/err"
expect_status "hook with empty stdin refuses" 1 $?
expect_contains "hook with empty stdin says it is empty" "$TMP/err" \
	"domain XML on stdin is empty (libvirt passes the guest's XML there)"
one_line "hook with empty stdin: one stderr line" "$TMP/err"
expect_empty "hook with empty stdin: nothing on stdout" "$TMP/out"
: > "$TMP/empty.yaml"
"$APGATE" check $P --source "$TMP/empty.yaml" --target $T > "$TMP/out" 2> "$TMP/err"
expect_status "empty descriptor: error" 2 $?
expect_contains "empty descriptor: the file is empty" "$TMP/err" \
	"empty.yaml: the file is empty; expected an AP descriptor"
printf '\n' | "$APGATE" validate - > "$TMP/out" 2>&1
expect_contains "empty stdin descriptor: standard input is empty" "$TMP/out" \
	"<stdin>: standard input is empty"

# --- show --format yaml numbers adapters and domains in hex ---
"$APGATE" show --format yaml $S > "$TMP/show.yaml"
expect_contains "show yaml: adapters in hex" "$TMP/show.yaml" "adapters: [0x05, 0x06]"
expect_contains "show yaml: domains in hex" "$TMP/show.yaml" "domains: [0x04, 0x47]"
expect_contains "show yaml: card adapter in hex" "$TMP/show.yaml" "- adapter: 0x05"
"$APGATE" check $P --source "$TMP/show.yaml" --target $T > "$TMP/out" 2>&1
expect_contains "show yaml reads back the same" "$TMP/out" "verdict: accept"

finish

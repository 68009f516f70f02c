#!/bin/sh
# cli.sh - the command line: help, usage errors, exit statuses, JSON output
# and its determinism, stdin input, configuration errors.
. "$(dirname "$0")/lib.sh"
require_tool jq

P="--no-config --policy-dir policies --now 2026-11-22T12:00:00Z"
ex() { echo "--source examples/$1/source.yaml --target examples/$1/target.yaml"; }

# --- help and usage ---
"$APGATE" --help > "$TMP/out" 2>&1; expect_status "--help exits 0" 0 $?
expect_contains "--help lists check" "$TMP/out" "  check      decide whether a guest may migrate"
expect_contains "--help lists help" "$TMP/out" "  help       show this help, or a command's: apgate help COMMAND"
"$APGATE" help check > "$TMP/out" 2>&1; expect_status "help check" 0 $?
expect_contains "help check shows exit statuses" "$TMP/out" "3 warn with --fail-on-warn"
"$APGATE" check --help > "$TMP/out2" 2>&1
if cmp -s "$TMP/out" "$TMP/out2"; then pass "help check = check --help"; else fail "help check = check --help"; fi
"$APGATE" version > "$TMP/out"; expect_status "version" 0 $?
expect_contains "version names Lua" "$TMP/out" "Lua 5.4"
"$APGATE" > "$TMP/out" 2>&1; expect_status "no command is a usage error" 2 $?
expect_contains "no command: usage shown" "$TMP/out" "Usage: apgate COMMAND [OPTION]..."
"$APGATE" frobnicate > "$TMP/out" 2>&1; expect_status "unknown command" 2 $?
expect_contains "unknown command named" "$TMP/out" "no such command 'frobnicate'"
"$APGATE" check $P --source examples/cca-match/source.yaml > "$TMP/out" 2>&1
expect_status "check without --target" 2 $?
expect_contains "check without --target says so" "$TMP/out" "both --source and --target are required"
"$APGATE" check $P $(ex cca-match) --format xml > "$TMP/out" 2>&1
expect_status "bad --format" 2 $?
expect_contains "bad --format named" "$TMP/out" "--format must be text or json, not 'xml'"
"$APGATE" check $P $(ex cca-match) --bogus > "$TMP/out" 2>&1
expect_status "unknown option" 2 $?
expect_contains "unknown option named" "$TMP/out" "apgate check: unknown option --bogus; see 'apgate check --help'"
# A mistyped option: one line, with the nearest long option.
"$APGATE" check $P $(ex cca-match) --polcy-dir policies > "$TMP/out" 2>&1
expect_status "mistyped option" 2 $?
expect_contains "mistyped option: nearest option suggested" "$TMP/out" \
	"apgate check: unknown option --polcy-dir; did you mean --policy-dir?"
if [ "$(wc -l < "$TMP/out")" -eq 1 ]; then pass "mistyped option: one line"
else fail "mistyped option: one line" "$(cat "$TMP/out")"; fi
"$APGATE" audit show --verdcit reject > "$TMP/out" 2>&1
expect_contains "mistyped option of a subcommand" "$TMP/out" \
	"apgate audit show: unknown option --verdcit; did you mean --verdict?"
"$APGATE" check $P --p x > "$TMP/out" 2>&1
expect_contains "ambiguous abbreviation lists the candidates" "$TMP/out" \
	"option --p is ambiguous: --policy-dir --param"
"$APGATE" check $P $(ex cca-match) --now > "$TMP/out" 2>&1
expect_contains "missing option value named" "$TMP/out" "option --now needs a value"
"$APGATE" check $P $(ex cca-match) --explain=yes > "$TMP/out" 2>&1
expect_contains "value given to a flag named" "$TMP/out" "option --explain takes no value"

# --- verdicts and exit statuses ---
"$APGATE" check $P $(ex cca-match) > "$TMP/out"; expect_status "accept exits 0" 0 $?
expect_contains "accept printed" "$TMP/out" "verdict: accept"
"$APGATE" check $P $(ex key-change-pending) > "$TMP/out"; expect_status "warn exits 0" 0 $?
"$APGATE" check $P $(ex key-change-pending) --fail-on-warn > "$TMP/out"
expect_status "warn with --fail-on-warn exits 3" 3 $?
"$APGATE" check $P $(ex missing-apqn) > "$TMP/out"; expect_status "reject exits 1" 1 $?
expect_contains "reject line format" "$TMP/out" "REJECT apqn.match "
"$APGATE" check $P $(ex missing-apqn) --fail-on-warn > /dev/null
expect_status "reject with --fail-on-warn still exits 1" 1 $?

# --- errors fail closed ---
"$APGATE" check $P --source /nonexistent.yaml --target examples/cca-match/target.yaml \
	> "$TMP/out" 2> "$TMP/err"
expect_status "missing source file is an error" 2 $?
expect_contains "missing file: verdict error" "$TMP/out" "verdict: error"
expect_contains "missing file named on stderr" "$TMP/err" "/nonexistent.yaml: cannot open"
"$APGATE" check $P $(ex cca-match) --format json --policy-dir /nonexistent-dir \
	> "$TMP/out.json" 2>/dev/null
expect_status "missing policy dir is an error" 2 $?
expect_contains "missing policy dir named" "$TMP/out.json" "/nonexistent-dir"
mkdir -p "$TMP/empty"
"$APGATE" check --no-config --policy-dir "$TMP/empty" $(ex cca-match) > "$TMP/out" 2> "$TMP/err"
expect_status "no rules at all is an error, never accept" 2 $?
expect_contains "no rules explained" "$TMP/err" "refusing to decide without rules"
printf 'params: {x: 1}\nlimits: {memory: 5}\n' > "$TMP/bad.yaml"
"$APGATE" check --no-audit --config "$TMP/bad.yaml" --policy-dir policies $(ex cca-match) > "$TMP/out" 2> "$TMP/err"
expect_status "bad config is an error" 2 $?
expect_contains "bad config key located" "$TMP/err" "bad.yaml:2:10: unknown key \"memory\" in limits"
"$APGATE" check --no-audit --config /nonexistent.yaml --policy-dir policies $(ex cca-match) > "$TMP/out" 2> "$TMP/err"
expect_status "named config must exist" 2 $?
expect_contains "missing config named" "$TMP/err" "apgate: /nonexistent.yaml: cannot open: No such file or directory"
expect_contains "missing config in the verdict" "$TMP/out" "ERROR config: /nonexistent.yaml: cannot open"
"$APGATE" check $P $(ex cca-match) --now yesterday > "$TMP/out" 2> "$TMP/err"
expect_status "bad --now" 2 $?
expect_contains "bad --now explained" "$TMP/err" "expected an RFC 3339 time"
"$APGATE" check $P $(ex cca-match) --param novalue > "$TMP/out" 2> "$TMP/err"
expect_status "bad --param" 2 $?
expect_contains "bad --param explained" "$TMP/err" "expected NAME=VALUE"
# Typed only when YAML reads the whole value as one scalar; else the text.
"$APGATE" policies --no-config --policy-dir policies --format json \
	--param a=--- --param b='x # y' --param c='[1]' --param d=12 \
	--param e="'12'" --param f= --param g=yes --param h=... > "$TMP/par.json"
expect_status "--param values accepted" 0 $?
if [ "$(jq -c .params "$TMP/par.json")" = \
     '{"a":"---","b":"x # y","c":"[1]","d":12,"e":"12","f":null,"g":"yes","h":"..."}' ]; then
	pass "--param values typed or taken as text"
else
	fail "--param values typed or taken as text" "$(jq -c .params "$TMP/par.json")"
fi

# --- JSON ---
"$APGATE" check $P $(ex missing-apqn) --format json > "$TMP/a.json"
expect_status "json reject exits 1" 1 $?
if jq -e '.verdict == "reject" and (.findings | length) > 0 and
	(.findings[0] | has("rule") and has("severity") and has("message")) and
	(.rules | length) == 14 and (.policies | length) == 6 and
	(.source.sha256 | length) == 64 and (.decision_id | length) == 36 and
	.now == "2026-11-22T12:00:00Z" and (.duration_us | type) == "number"' \
	"$TMP/a.json" > /dev/null; then pass "json shape"; else fail "json shape"; fi
"$APGATE" check $P $(ex missing-apqn) --format json > "$TMP/b.json"
jq -S 'del(.decision_id, .timestamp, .duration_us)' "$TMP/a.json" > "$TMP/a.n"
jq -S 'del(.decision_id, .timestamp, .duration_us)' "$TMP/b.json" > "$TMP/b.n"
if cmp -s "$TMP/a.n" "$TMP/b.n"; then pass "json deterministic"; else fail "json deterministic" "$(diff "$TMP/a.n" "$TMP/b.n" | head -5)"; fi
if [ "$(jq -r .decision_id "$TMP/a.json")" != "$(jq -r .decision_id "$TMP/b.json")" ]; then
	pass "decision ids differ"; else fail "decision ids differ"; fi
# Keys come out sorted, so the raw output is deterministic too.
grep -v -e '"decision_id"' -e '"timestamp"' -e '"duration_us"' "$TMP/a.json" > "$TMP/a.r"
grep -v -e '"decision_id"' -e '"timestamp"' -e '"duration_us"' "$TMP/b.json" > "$TMP/b.r"
if cmp -s "$TMP/a.r" "$TMP/b.r"; then pass "json byte-identical"; else fail "json byte-identical"; fi
"$APGATE" check $P --source /nonexistent.yaml --target examples/cca-match/target.yaml \
	--format json > "$TMP/e.json" 2>/dev/null
if jq -e '.verdict == "error" and .findings[0].rule == "input"' "$TMP/e.json" >/dev/null; then
	pass "json error verdict"; else fail "json error verdict"; fi

# --- stdin, explain ---
"$APGATE" check $P --source - --target examples/cca-match/target.yaml \
	< examples/cca-match/source.yaml > "$TMP/out"
expect_status "source from stdin" 0 $?
"$APGATE" check $P --source - --target - < /dev/null > "$TMP/out" 2>&1
expect_status "both from stdin refused" 2 $?
expect_contains "both from stdin: said" "$TMP/out" "only one of --source and --target can be read from stdin"
"$APGATE" check $P $(ex generation-downgrade) --explain > "$TMP/out"
expect_contains "explain lists rules" "$TMP/out" "card.generation"
expect_contains "explain shows evidence" "$TMP/out" "evidence: {"
expect_contains "explain lists policies" "$TMP/out" "policies/30-card.lua"

# --- site policies: params, replace, disable ---
mkdir -p "$TMP/site"
cat > "$TMP/site/50-site.lua" <<'LUA'
disable("mdev.uuid", "all hosts of this site use per-host UUIDs")
rule{ id = "site.zone", description = "zone from params",
      check = function(src, tgt, ctx) if ctx.params.zone == "a" then warn("zone a") end end }
LUA
"$APGATE" check $P --policy-dir "$TMP/site" --param zone=a $(ex cca-match) --explain > "$TMP/out"
expect_status "site policy warn" 0 $?
expect_contains "site rule ran" "$TMP/out" "WARN site.zone: zone a"
expect_contains "disable shown with reason" "$TMP/out" "per-host UUIDs"
expect_contains "params shown" "$TMP/out" 'params: {"zone":"a"}'

# --- --time-limit: the backstop for library calls stuck in C ---
mkdir -p "$TMP/stuck"
printf 'rule{ id = "h.rep", check = function() string.rep("", 1 << 62) end }\n' \
	> "$TMP/stuck/99-stuck.lua"
"$APGATE" check $P --policy-dir "$TMP/stuck" --time-limit 300 $(ex cca-match) \
	> "$TMP/out" 2> "$TMP/err"
expect_status "--time-limit stops a stuck library call" 2 $?
expect_contains "--time-limit named" "$TMP/err" "exceeded its time limit of 300 ms inside a library call"
for bad in 0 -5 600001 12x ""; do
	"$APGATE" check $P --time-limit "$bad" $(ex cca-match) > "$TMP/out" 2>&1
	expect_status "--time-limit '$bad' refused" 2 $?
	expect_contains "--time-limit '$bad' explained" "$TMP/out" "expected milliseconds, 1 .. 600000"
done

# --- findings per rule and per evaluation are bounded (apgate.yaml) ---
mkdir -p "$TMP/many"
cat > "$TMP/many/90-many.lua" <<'LUA'
rule{ id = "many.a", check = function() note("a1") note("a2") end }
rule{ id = "many.b", check = function() note("b1") note("b2") end }
LUA
printf 'limits: {findings: 3}\n' > "$TMP/f3.yaml"
"$APGATE" check --config "$TMP/f3.yaml" --no-audit --policy-dir "$TMP/many" \
	$(ex cca-match) > "$TMP/out" 2>&1
expect_status "limits.findings exceeded: error" 2 $?
expect_contains "limits.findings: rule and setting named" "$TMP/out" \
	"ERROR many.b: $TMP/many/90-many.lua:2: note(): more than 3 findings in this evaluation (limits.findings in apgate.yaml)"
printf 'limits: {findings_per_rule: 1}\n' > "$TMP/f1.yaml"
"$APGATE" check --config "$TMP/f1.yaml" --no-audit --policy-dir "$TMP/many" \
	$(ex cca-match) > "$TMP/out" 2>&1
expect_status "limits.findings_per_rule exceeded: error" 2 $?
expect_contains "limits.findings_per_rule: rule and setting named" "$TMP/out" \
	"ERROR many.a: $TMP/many/90-many.lua:1: note(): more than 1 findings from one rule (limits.findings_per_rule in apgate.yaml)"
printf 'limits: {output_mb: 1}\n' > "$TMP/o1.yaml"
printf 'rule{ id = "big.one", check = function() note(string.rep("x", 1 << 20)) end }\n' \
	> "$TMP/many/91-big.lua"
"$APGATE" check --config "$TMP/o1.yaml" --no-audit --policy-dir "$TMP/many" \
	$(ex cca-match) > "$TMP/out" 2>&1
expect_status "limits.output_mb exceeded: error" 2 $?
expect_contains "limits.output_mb: rule and setting named" "$TMP/out" \
	"ERROR big.one: $TMP/many/91-big.lua:1: note: the text policies hand to apgate would exceed the output limit of 1048576 bytes (limits.output_mb in apgate.yaml)"

# --- descriptors too large for the memory limit: the bound is named ---
awk 'BEGIN {
	print "apgate-descriptor: 1\nhost: big\nmdev:"
	print "  uuid: 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93\n  type: vfio_ap-passthrough"
	s = "0"; for (i = 1; i < 32; i++) s = s ", " i
	print "  adapters: [" s "]\n  domains: [" s "]\n  control_domains: []\nqueues:"
	for (a = 0; a < 32; a++) for (d = 0; d < 32; d++)
		printf "  - {apqn: \"%02x.%04x\", config: true, driver: vfio_ap}\n", a, d
}' > "$TMP/big.yaml"
printf 'limits: {memory_mb: 1}\n' > "$TMP/small.yaml"
"$APGATE" check --config "$TMP/small.yaml" --no-audit --policy-dir policies \
	--source "$TMP/big.yaml" --target "$TMP/big.yaml" > "$TMP/out" 2>&1
expect_status "views over the memory limit: error" 2 $?
expect_contains "views over the memory limit: bound named" "$TMP/out" \
	"(1024 and 1024 queues) exceed the memory limit of 1048576 bytes (limits.memory_mb in apgate.yaml)"

# --- a full disk or closed stdout is an error with a message ---
if [ -w /dev/full ]; then
	"$APGATE" check $P $(ex cca-match) --audit-log "$TMP/full.jsonl" > /dev/null
	for c in "validate examples/cca-match/source.yaml" \
		"show examples/cca-match/source.yaml" \
		"show --format json examples/cca-match/source.yaml" \
		"check $P $(ex cca-match)" \
		"check $P $(ex cca-match) --format json" \
		"policies --no-config --policy-dir policies" "lint policies" \
		"export --no-config --from examples/cca-match/source.yaml --no-blocks" \
		"audit verify $TMP/full.jsonl" "audit show $TMP/full.jsonl" \
		"--help" "check --help" "version"; do
		# shellcheck disable=SC2086 # word splitting wanted
		"$APGATE" $c > /dev/full 2> "$TMP/full.err"
		expect_status "$c >/dev/full: error" 2 $?
		expect_contains "$c >/dev/full: says so" "$TMP/full.err" \
			"to standard output: "
	done
else
	fail "/dev/full is missing: cannot test write errors"
fi

finish

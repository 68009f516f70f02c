#!/bin/sh
# enforcement.sh - safe rollout: every combination of the global
# enforcement (enforce, dryrun; apgate.yaml and --enforcement) with a
# rule's own enforcement (none, enforce, warn, dryrun) on an accept, a
# warn, a reject and an error.  A dry run records the real verdict and
# exits as if its rejects were warns; warn turns a rule's rejects into
# warns that keep original_severity; an error is never softened.  The
# hook honours a dry run with one stderr line and an empty stdout.
. "$(dirname "$0")/lib.sh"
require_tool jq

NOW=2026-11-22T12:00:00Z
mkdir -p "$TMP/site"
cat > "$TMP/site/90-boom.lua" <<'LUA'
rule{ id = "site.boom", check = function() error("boom") end }
LUA

# verdict kind -> example pair, the rule that decides it, and the expected
# enforced outcome per effective mode of that rule
pair() {
	case $1 in
	accept) echo examples/cca-match ;;
	warn) echo examples/key-change-pending ;;
	reject|error) echo examples/cca-mkvp-mismatch ;;
	esac
}

# run KIND GLOBAL(config|flag|none) GMODE RMODE: check with that setup
run() {
	kind=$1 how=$2 gmode=$3 rmode=$4 dir=$(pair "$1")
	rule=mkvp.match site=
	[ "$kind" = error ] && { rule=site.boom; site="--policy-dir $TMP/site"; }
	: > "$TMP/cfg.yaml"
	[ "$how" = config ] && echo "enforcement: $gmode" >> "$TMP/cfg.yaml"
	[ "$rmode" != none ] && printf 'rules:\n  %s: {enforcement: %s}\n' "$rule" "$rmode" >> "$TMP/cfg.yaml"
	flag=
	[ "$how" = flag ] && flag="--enforcement $gmode"
	# shellcheck disable=SC2086 # $site and $flag are option lists
	"$APGATE" check --config "$TMP/cfg.yaml" --audit-log "$TMP/audit.jsonl" \
		--policy-dir policies $site --now $NOW $flag \
		--source "$dir/source.yaml" --target "$dir/target.yaml" \
		--format json > "$TMP/v.json" 2> "$TMP/err"
	echo $? > "$TMP/rc"
	# shellcheck disable=SC2086
	"$APGATE" check --config "$TMP/cfg.yaml" --no-audit \
		--policy-dir policies $site --now $NOW $flag \
		--source "$dir/source.yaml" --target "$dir/target.yaml" \
		> "$TMP/v.txt" 2> /dev/null
	echo $? > "$TMP/rc.txt"
}

for kind in accept warn reject error; do
for how in config flag; do
for gmode in enforce dryrun; do
for rmode in none enforce warn dryrun; do
	name="$kind, global $gmode ($how), rule $rmode"
	run $kind $how $gmode $rmode
	eff=$rmode
	[ $rmode = none ] && eff=$gmode
	# what must come out
	verdict=$kind status=0 enforced=null orig=null line="verdict: $kind"
	case $kind in
	warn) ;;
	error) status=2 ;;
	reject)
		case $eff in
		enforce) status=1 ;;
		warn) verdict=warn orig=reject line="verdict: warn" ;;
		dryrun) enforced=false line="verdict: reject (dry run: not enforced)" ;;
		esac ;;
	esac
	got=$(jq -r '[.verdict, (.enforced | tostring), ([.findings[] | select(.rule == "mkvp.match") | .original_severity][0] | tostring)] | join(" ")' "$TMP/v.json")
	expect_status "$name: exit status" $status "$(cat "$TMP/rc")"
	expect_status "$name: text exit status" $status "$(cat "$TMP/rc.txt")"
	if [ "$got" = "$verdict $enforced $orig" ]; then pass "$name: JSON"
	else fail "$name: JSON" "got: $got" "want: $verdict $enforced $orig"; fi
	if [ "$(head -n 1 "$TMP/v.txt")" = "$line" ]; then pass "$name: text"
	else fail "$name: text" "got: $(head -n 1 "$TMP/v.txt")" "want: $line"; fi
	# the audit record is the verdict: same verdict, same enforced
	rec=$(tail -n 1 "$TMP/audit.jsonl" | jq -r '[.verdict, (.enforced | tostring)] | join(" ")')
	if [ "$rec" = "$verdict $enforced" ]; then pass "$name: audit record"
	else fail "$name: audit record" "got: $rec" "want: $verdict $enforced"; fi
done; done; done; done

# --fail-on-warn: a dry run's reject exits like a warn, 3
D=examples/cca-mkvp-mismatch
"$APGATE" check --no-config --no-audit --policy-dir policies --enforcement dryrun \
	--fail-on-warn --source $D/source.yaml --target $D/target.yaml > "$TMP/out"
expect_status "dry run with --fail-on-warn exits 3" 3 $?
expect_contains "dry-run finding marked" "$TMP/out" \
	"REJECT mkvp.match 05.0047: current AES master key differs on target (dry run: not enforced)"
printf 'rules:\n  mkvp.match: {enforcement: warn}\n' > "$TMP/warn.yaml"
"$APGATE" check --config "$TMP/warn.yaml" --no-audit --policy-dir policies \
	--source $D/source.yaml --target $D/target.yaml > "$TMP/out"
expect_contains "warn-mode finding says what the rule said" "$TMP/out" \
	"WARN mkvp.match 05.0047: current AES master key differs on target (reject; rule enforcement: warn)"
# A rule's own setting beats the global one: dry run all but mkvp.match.
printf 'enforcement: dryrun\nrules:\n  mkvp.match: {enforcement: enforce}\n' > "$TMP/mixed.yaml"
"$APGATE" check --config "$TMP/mixed.yaml" --no-audit --policy-dir policies \
	--source $D/source.yaml --target $D/target.yaml > "$TMP/out"
expect_status "rule enforce beats global dryrun" 1 $?

# Bad settings are errors that say where and what was expected.
printf 'enforcement: warn\n' > "$TMP/bad.yaml"
"$APGATE" check --config "$TMP/bad.yaml" --no-audit --policy-dir policies \
	--source $D/source.yaml --target $D/target.yaml > "$TMP/out" 2> "$TMP/err"
expect_status "global warn is refused" 2 $?
expect_contains "global warn: where and what" "$TMP/err" "bad.yaml:1:14: expected enforce or dryrun"
printf 'rules:\n  mkvp.match: {enforcement: off}\n' > "$TMP/bad.yaml"
"$APGATE" check --config "$TMP/bad.yaml" --no-audit --policy-dir policies \
	--source $D/source.yaml --target $D/target.yaml > "$TMP/out" 2> "$TMP/err"
expect_contains "bad rule mode: where and what" "$TMP/err" "bad.yaml:2:29: expected enforce, warn or dryrun"
printf 'rules:\n  mkvp.match: {mode: warn}\n' > "$TMP/bad.yaml"
"$APGATE" check --config "$TMP/bad.yaml" --no-audit --policy-dir policies \
	--source $D/source.yaml --target $D/target.yaml > "$TMP/out" 2> "$TMP/err"
expect_contains "unknown rule setting" "$TMP/err" 'bad.yaml:2:16: unknown key "mode" in rules (expected enforcement)'
printf 'rules:\n  mkvp.mtach: {enforcement: warn}\n' > "$TMP/typo.yaml"
"$APGATE" check --config "$TMP/typo.yaml" --no-audit --policy-dir policies \
	--source $D/source.yaml --target $D/target.yaml > "$TMP/out"
expect_status "a mistyped rule id leaves the rule enforced" 1 $?
expect_contains "a mistyped rule id is a note" "$TMP/out" \
	'NOTE config: '"$TMP"'/typo.yaml:2:3: enforcement warn is set for rule "mkvp.mtach", which no policy file registers'
"$APGATE" check --no-config --no-audit --policy-dir policies --enforcement warn \
	--source $D/source.yaml --target $D/target.yaml > "$TMP/out" 2> "$TMP/err"
expect_status "--enforcement warn is a usage error" 2 $?
expect_contains "--enforcement: what is expected" "$TMP/err" "--enforcement must be enforce or dryrun, not 'warn'"

# Dry-run verdicts match the published schema.
PY=/usr/bin/python3
if "$PY" -c 'import jsonschema' 2>/dev/null; then
	"$APGATE" check --no-config --no-audit --policy-dir policies --enforcement dryrun \
		--now $NOW --format json --source $D/source.yaml --target $D/target.yaml > "$TMP/dry.json"
	"$APGATE" check --config "$TMP/warn.yaml" --no-audit --policy-dir policies \
		--now $NOW --format json --source $D/source.yaml --target $D/target.yaml > "$TMP/warned.json"
	if "$PY" tests/tools/validate-json.py schemas/verdict-v1.schema.json \
		"$TMP/dry.json" "$TMP/warned.json" > "$TMP/s.txt" 2>&1
	then pass "dry-run and warn-mode verdicts match the schema"
	else fail "dry-run and warn-mode verdicts match the schema" "$(head -5 "$TMP/s.txt")"; fi
	mkdir -p "$TMP/recs"
	split -l 1 -a 3 "$TMP/audit.jsonl" "$TMP/recs/r"
	"$PY" tests/tools/validate-json.py schemas/audit-record-v1.schema.json \
		"$TMP"/recs/r* > "$TMP/s.txt" 2>&1
	st=$?
	expect_status "audit records of every mode match the schema" 0 $st
	[ $st -eq 0 ] || head -5 "$TMP/s.txt"
else
	fail "python3-jsonschema is needed to validate against the schemas"
fi

# --- the hook: libvirt passes no options, so apgate.yaml says dryrun ---
if command -v umockdev-run > /dev/null 2>&1; then
	UUID=5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
	HOST=tests/sysfs/cca-host.umockdev
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	export ASAN_OPTIONS
	umockdev-run -d $HOST -- "$APGATE" collect --mdev $UUID --host lpar-a.example.com \
		--keys tests/data/hook/target-keys.yaml > "$TMP/same.yaml" 2> /dev/null
	sed 's/0x8f3a6c21d07be419/0x0123456789abcdef/' "$TMP/same.yaml" > "$TMP/otherkey.yaml"
	"$APGATE" export --no-config --no-blocks --from "$TMP/otherkey.yaml" > "$TMP/elem"
	awk -v f="$TMP/elem" '/<devices>/ { print "  <metadata>"; while ((getline l < f) > 0) print l; print "  </metadata>" } 1' \
		tests/data/hook/guest-s390x.xml > "$TMP/reject.xml"
	sed "s/$UUID/11111111-2222-4333-8444-555555555555/" "$TMP/reject.xml" > "$TMP/missing.xml"
	printf 'keys_file: %s/tests/data/hook/target-keys.yaml\nsite_policy_dir: null\nenforcement: dryrun\naudit: {log: %s/hook.jsonl}\nstate_dir: %s/state\n' \
		"$SRCDIR" "$TMP" "$TMP" > "$TMP/hook.yaml"
	umockdev-run -d $HOST -- /bin/sh -c '
		for c in reject missing; do
			"$0" hook --config "$1/hook.yaml" --policy-dir policies \
				zguest1 migrate begin - < "$1/$c.xml" > "$1/$c.out" 2> "$1/$c.err"
			echo $? > "$1/$c.rc"
		done' "$APGATE" "$TMP"
	expect_status "hook dry run: a reject lets the migration proceed" 0 "$(cat "$TMP/reject.rc")"
	expect_empty "hook dry run: stdout empty" "$TMP/reject.out"
	if [ "$(wc -l < "$TMP/reject.err")" -eq 1 ]; then pass "hook dry run: one stderr line"
	else fail "hook dry run: one stderr line" "$(cat "$TMP/reject.err")"; fi
	expect_contains "hook dry run: says what would have been refused" "$TMP/reject.err" \
		"apgate: dry run, not enforced: would refuse: reject: mkvp.match: 05.0004 current AES master key differs on target (1 more)"
	rec=$(head -n 1 "$TMP/hook.jsonl" | jq -r '[.caller, .verdict, (.enforced | tostring)] | join(" ")')
	if [ "$rec" = "hook reject false" ]; then pass "hook dry run: the record keeps the real verdict"
	else fail "hook dry run: the record keeps the real verdict" "got: $rec"; fi
	expect_status "hook dry run: an error still refuses" 1 "$(cat "$TMP/missing.rc")"
	expect_contains "hook dry run: the error is said as an error" "$TMP/missing.err" \
		"apgate: error: target: mdev 11111111-2222-4333-8444-555555555555"
	expect_empty "hook dry run error: stdout empty" "$TMP/missing.out"
else
	fail "umockdev-run is needed for the hook cases (apt-get install umockdev)"
fi

finish

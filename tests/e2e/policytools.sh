#!/bin/sh
# policytools.sh - apgate test, lint and policies, end to end: the default
# rules' own test suite (policies/tests) and the example site policies
# (examples/policies) must pass; failing cases must fail visibly in every
# report format; lint finds each kind of mistake; policies shows the set a
# verdict would name.
. "$(dirname "$0")/lib.sh"

D=tests/data/policytools
P="--no-config --policy-dir policies"

# --- apgate test: the suites that ship ---
"$APGATE" test $P --coverage policies/tests/ > "$TMP/default.txt" 2>&1
expect_status "default rules' test suite passes" 0 $?
if tail -n 1 "$TMP/default.txt" | grep -Eq '^[1-9][0-9]* passed, 0 failed$'
then pass "the run ends with 'N passed, 0 failed'"
else fail "the run ends with 'N passed, 0 failed'" "$(tail -n 3 "$TMP/default.txt")"; fi
# Every default rule reports in some case, every call site is reached.
if grep -Eq '^coverage: ([0-9]+) of \1 rules reported a finding; ([0-9]+) of \2 reject/warn/note calls reached$' \
	"$TMP/default.txt"
then pass "the default suite covers every rule and call site"
else fail "the default suite covers every rule and call site" "$(grep -A5 '^coverage' "$TMP/default.txt")"; fi

"$APGATE" test examples/policies > "$TMP/examples.txt" 2>&1
expect_status "example site policies' tests pass" 0 $?
n=$(ls -d examples/policies/*/ | wc -l)
if [ "$n" -ge 4 ]; then pass "at least four example policies ($n)"
else fail "at least four example policies" "found $n"; fi
for d in examples/policies/*/; do
	if ls "$d"*.lua >/dev/null 2>&1 && ls "$d"tests/*.yaml >/dev/null 2>&1
	then pass "$d has a policy and tests"
	else fail "$d has a policy and tests"; fi
	expect_contains "$d tests ran" "$TMP/examples.txt" "PASS ${d}tests/"
done

# The shipped test files match the published schema of the format
# (python3-yaml and python3-jsonschema, from .ci/install-deps).
if ! /usr/bin/python3 -c 'import yaml, jsonschema' > "$TMP/py.txt" 2>&1; then
	fail "test files match schemas/policy-test-v1.schema.json" \
		"cannot run: $(tail -n 1 "$TMP/py.txt") (apt-get install python3-yaml python3-jsonschema)"
elif /usr/bin/python3 - schemas/policy-test-v1.schema.json policies/tests/*.yaml \
		examples/policies/*/tests/*.yaml "$D/failing.yaml" > "$TMP/schema.txt" 2>&1 <<'EOF'
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = [f"{p}: {e.message[:200]}" for p in sys.argv[2:] for e in v.iter_errors(yaml.safe_load(open(p)))]
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
then pass "test files match schemas/policy-test-v1.schema.json"
else fail "test files match schemas/policy-test-v1.schema.json" "$(head -3 "$TMP/schema.txt")"; fi

# --- failing cases ---
"$APGATE" test "$D/failing.yaml" > "$TMP/fail.txt" 2>&1
expect_status "a failing case exits 1" 1 $?
expect_contains "passing case listed" "$TMP/fail.txt" "PASS $D/failing.yaml: passes"
expect_contains "failing case listed" "$TMP/fail.txt" "FAIL $D/failing.yaml: wrong verdict and missing finding"
expect_contains "verdict difference shown" "$TMP/fail.txt" "verdict: expected accept, got reject"
expect_contains "missing finding shown" "$TMP/fail.txt" "missing: warn mdev.uuid"
expect_contains "actual findings shown" "$TMP/fail.txt" "REJECT card.generation 06.0004: target card CEX7 is older than source card CEX8"
expect_contains "unexpected finding shown" "$TMP/fail.txt" "unexpected: REJECT card.generation 06.0047"
expect_contains "bad patch names file, line and column" "$TMP/fail.txt" "$D/failing.yaml:22:20: path: the selector matches no item"
if [ "$(tail -n 1 "$TMP/fail.txt")" = "1 passed, 2 failed" ]; then pass "summary counts"
else fail "summary counts" "$(tail -n 1 "$TMP/fail.txt")"; fi

"$APGATE" test --format json "$D/failing.yaml" > "$TMP/fail.json"
expect_status "json report: exit 1" 1 $?
if command -v jq >/dev/null 2>&1; then
	if [ "$(jq -r '"\(.passed) \(.failed) \(.cases[1].result) \(.cases[1].verdict)"' "$TMP/fail.json")" = "1 2 fail reject" ]
	then pass "json report content"; else fail "json report content" "$(head -c 400 "$TMP/fail.json")"; fi
fi
"$APGATE" test --format junit "$D/failing.yaml" > "$TMP/fail.xml"
expect_status "junit report: exit 1" 1 $?
if /usr/bin/python3 - "$TMP/fail.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert r.tag == "testsuites" and r.get("tests") == "3" and r.get("failures") == "2", r.attrib
cases = r.findall("testsuite/testcase")
assert [c.find("failure") is not None for c in cases] == [False, True, True]
EOF
then pass "junit report is well-formed with 3 cases, 2 failures"
else fail "junit report is well-formed with 3 cases, 2 failures"; fi
# Markup, quotes, tabs and UTF-8 in names survive the escaping: the parsed
# report gives back exactly what the test file says.
sed -e "s|\.\./\.\./\.\./policies|$SRCDIR/policies|g" \
    -e 's/name: passes/name: "p\\u00e4sses \& <x> \\"q\\"\\tt ]]>"/' \
    "$D/failing.yaml" > "$TMP/markup.yaml"
"$APGATE" test --format junit "$TMP/markup.yaml" > "$TMP/markup.xml"
expect_status "junit report with markup in names: exit 1" 1 $?
if /usr/bin/python3 - "$TMP/markup.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
c = r.findall("testsuite/testcase")
assert c[0].get("name") == "p\u00e4sses & <x> \"q\"\tt ]]>", c[0].get("name")
assert "got reject" in c[1].find("failure").text
EOF
then pass "junit report escapes markup, keeps tabs and UTF-8"
else fail "junit report escapes markup, keeps tabs and UTF-8"; fi

mkdir -p "$TMP/empty"
"$APGATE" test $P "$TMP/empty" > "$TMP/none.txt" 2>&1
expect_status "no case ran: exit 1" 1 $?
expect_contains "no case ran: summary" "$TMP/none.txt" "0 passed, 0 failed"
"$APGATE" test $P --format xml policies/tests > "$TMP/err.txt" 2>&1
expect_status "bad --format: usage error" 2 $?
expect_contains "bad --format: said" "$TMP/err.txt" "apgate test: --format must be text, junit or json, not 'xml'"
"$APGATE" test $P > "$TMP/err.txt" 2>&1
expect_status "no tests given: usage error" 2 $?
expect_contains "no tests given: said" "$TMP/err.txt" "apgate test: no test files or directories given"
printf 'apgate-policy-test: 1\ncases:\n  - name: x\n    verdict: maybe\n' > "$TMP/bad.yaml"
"$APGATE" test $P "$TMP/bad.yaml" > "$TMP/bad.txt" 2>&1
expect_status "malformed test file fails" 1 $?
expect_contains "malformed test file: position" "$TMP/bad.txt" "bad.yaml:4:14: expected accept, warn, reject or error"

# --- apgate lint ---
"$APGATE" lint policies > "$TMP/lint-default.txt"
expect_status "lint: default rules are clean" 0 $?
expect_contains "lint: summary" "$TMP/lint-default.txt" "6 files, 0 errors, 0 warnings"
"$APGATE" lint --strict policies examples/policies/*/*.lua > "$TMP/lint-ex.txt"
expect_status "lint --strict: examples are clean" 0 $?
"$APGATE" lint policies "$D/lint-bad.lua" "$D/lint-syntax.lua" > "$TMP/lint.txt"
expect_status "lint: problems exit 1" 1 $?
for want in \
	"$D/lint-syntax.lua:3: error: '}' expected (to close '{' at line 2) near <eof> [syntax]" \
	"$D/lint-bad.lua:8: error: reads undefined global 'warnn' (in rule 'site.a') [undefined-global]" \
	"$D/lint-bad.lua:9: error: reads undefined global 'strng' (in rule 'site.a') [undefined-global]" \
	"$D/lint-bad.lua:3: error: rule id 'site.a' is registered again at line 13 of the same file; only the last one runs [duplicate-id]" \
	"$D/lint-bad.lua:2: warning: assigns global 'counter'" \
	"$D/lint-bad.lua:3: warning: rule 'site.a' has no description" \
	"policies/50-mdev.lua:9: warning: rule 'mdev.uuid' never runs: disabled by $D/lint-bad.lua:18 (we do not care) [unreachable]" \
	"$D/lint-bad.lua:14: warning: rule 'site.quiet' can never reject or warn" \
	"$D/lint-bad.lua:6: warning: reject() in rule 'site.a' gives no remedy: say what to do with remedy = { text = ..., commands = ... } [no-remedy]" \
	"$D/lint-bad.lua:15: warning: reject() in rule 'site.helper' gives no remedy" ; do
	expect_contains "lint: ${want##*\[}" "$TMP/lint.txt" "$want"
done
if grep "site.helper" "$TMP/lint.txt" | grep -qv no-remedy; then
	fail "lint: a reject in a helper counts" "$(grep site.helper "$TMP/lint.txt")"
else pass "lint: a reject in a helper counts"; fi
"$APGATE" lint policies "$D/lint-bad.lua" > /dev/null
expect_status "lint: errors without a syntax error exit 1" 1 $?
# A reject without a remedy is a warning; a remedy written in the call, or
# passed through a variable on a sample input, is not.
"$APGATE" lint "$D/lint-remedy.lua" > "$TMP/lint-r.txt"
expect_status "lint: a missing remedy is only a warning" 0 $?
if [ "$(grep -c 'no-remedy' "$TMP/lint-r.txt")" = 1 ] &&
   grep -qF "$D/lint-remedy.lua:6: warning: reject() in rule 'site.remedies' gives no remedy" "$TMP/lint-r.txt"
then pass "lint: only the reject without a remedy is reported"
else fail "lint: only the reject without a remedy is reported" "$(cat "$TMP/lint-r.txt")"; fi
"$APGATE" lint --strict "$D/lint-remedy.lua" > /dev/null
expect_status "lint --strict: a missing remedy exits 1" 1 $?
printf 'rule{ id = "mdev.uuid", description = "site: reject", check = function(s, t)\n  if s.mdev.uuid ~= t.mdev.uuid then reject("differs") end end }\n' \
	> "$TMP/55-uuid.lua"
"$APGATE" lint policies "$TMP/55-uuid.lua" > "$TMP/lint-w.txt"
expect_status "lint: a warning alone (replaced rule) exits 0" 0 $?
expect_contains "lint: replaced rule reported" "$TMP/lint-w.txt" "never runs: replaced by $TMP/55-uuid.lua:1"
"$APGATE" lint --strict policies "$TMP/55-uuid.lua" > /dev/null
expect_status "lint --strict: a warning exits 1" 1 $?
"$APGATE" lint /nonexistent.lua > "$TMP/lint-missing.txt"
expect_status "lint: unreadable file exits 2" 2 $?
expect_contains "lint: unreadable file named" "$TMP/lint-missing.txt" \
	"/nonexistent.lua: error: cannot open: No such file or directory [read]"
"$APGATE" lint > "$TMP/err.txt" 2>&1
expect_status "lint: no files is a usage error" 2 $?
expect_contains "lint: no files: said" "$TMP/err.txt" "apgate lint: no policy files given"

# --- apgate policies ---
mkdir -p "$TMP/site"
printf 'disable("mdev.uuid", "orchestration re-creates mdevs (CHG-1)")\nrule{ id = "apqn.match", description = "site", check = function() reject("never") end }\n' \
	> "$TMP/site/50-site.lua"
"$APGATE" policies $P --policy-dir "$TMP/site" --param zone=a > "$TMP/pol.txt"
expect_status "policies: exit 0" 0 $?
expect_contains "policies: replaced rule and by whom" "$TMP/pol.txt" \
	"replaced  apqn.match               policies/10-apqn.lua:62  replaced by $TMP/site/50-site.lua:2"
expect_contains "policies: disabled rule, by whom and why" "$TMP/pol.txt" \
	"disabled by $TMP/site/50-site.lua:1: orchestration re-creates mdevs (CHG-1)"
expect_contains "policies: description" "$TMP/pol.txt" "the target mdev has exactly the APQNs of the source mdev"
expect_contains "policies: params" "$TMP/pol.txt" 'zone = "a"'
"$APGATE" policies $P --policy-dir "$TMP/site" --format json > "$TMP/pol.json"
expect_status "policies --format json: exit 0" 0 $?
"$APGATE" check $P --policy-dir "$TMP/site" --format json --now 2026-11-22T12:00:00Z \
	-s examples/cca-match/source.yaml -t examples/cca-match/target.yaml > "$TMP/verdict.json"
if command -v jq >/dev/null 2>&1; then
	a=$(jq -r .policy_set_sha256 "$TMP/pol.json")
	b=$(jq -r .policy_set_sha256 "$TMP/verdict.json")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then pass "policies: set digest equals the verdict's"
	else fail "policies: set digest equals the verdict's" "$a vs $b"; fi
	if [ "$(jq -r '[.rules[] | select(.id == "mdev.uuid")][0] | "\(.state) \(.by.line) \(.reason)"' "$TMP/pol.json")" = \
		"disabled 1 orchestration re-creates mdevs (CHG-1)" ]
	then pass "policies json: disabled rule"; else fail "policies json: disabled rule"; fi
	if [ "$(jq -r '.rules[0].file_sha256' "$TMP/pol.json")" = "$(sha256sum policies/10-apqn.lua | cut -d' ' -f1)" ]
	then pass "policies json: file digest"; else fail "policies json: file digest"; fi
fi
printf 'rule{ id = "x" \n' > "$TMP/site/60-broken.lua"
"$APGATE" policies $P --policy-dir "$TMP/site" > /dev/null 2> "$TMP/pol-err.txt"
expect_status "policies: broken policy exits 2" 2 $?
expect_contains "policies: broken policy named" "$TMP/pol-err.txt" "60-broken.lua:2:"

# Lua shortens long file names to "...tail": lint still places problems.
LONG="$TMP/a-directory-name-long-enough/to-make-lua-shorten-the-chunk-name"
mkdir -p "$LONG"
cp tests/data/policytools/lint-bad.lua "$LONG/"
"$APGATE" lint "$LONG/lint-bad.lua" > "$TMP/long.txt" 2>&1
expect_contains "lint places problems in long paths" "$TMP/long.txt" \
	"$LONG/lint-bad.lua:8: warning: rule 'site.a' fails on a sample input"

finish
